/// <reference lib="dom" />
/**
 * A handler that throws, seen in Chromium: the example layout's banner shows the error, the view
 * container carries `lv-error`, and the count is what it was before the click.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { route } from '../../server/index.ts';
import { ThrowingView } from '../live/fixtures/throwing-views.ts';
import { startServer } from '../live/harness.ts';
import { launchChromium } from './chromium.ts';

// The example app's own layout, beside a page whose buttons reach a throwing handler.
const templates = mkdtempSync(join(tmpdir(), 'livery-handler-error-'));
copyFileSync(new URL('../../templates/layout.html', import.meta.url), join(templates, 'layout.html'));
writeFileSync(join(templates, 'throwing.html'),
  '<p>Count: <b id="count">{{ count }}</b></p>\n<button lv-click="decThenThrow">boom</button> <button lv-click="inc">+</button>\n');

const s = await startServer({ routes: [route('/throwing', ThrowingView)], templatesDir: templates, layout: 'layout.html' });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await s.close();
  rmSync(templates, { recursive: true, force: true });
});

t.test('the error is shown in a dismissible banner and the state is unchanged', async (t) => {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${s.url}/throwing`);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  t.notOk(await page.isVisible('#lv-error-banner'), 'no banner before anything failed');

  await page.getByRole('button', { name: 'boom' }).click();
  await page.waitForSelector('#lv-error-banner', { state: 'visible', timeout: 5000 });
  t.match(await page.textContent('#lv-error-banner'), /handler threw an error.*changes were undone.*LV_HANDLER_FAILED/s);
  t.match(await page.getAttribute('[data-lv-view]', 'class'), /\blv-error\b/, 'the view container carries lv-error');
  t.equal(await page.textContent('#count'), '10', 'count -= 1 then throw: still 10');

  await page.getByRole('button', { name: 'Dismiss' }).click();
  t.notOk(await page.isVisible('#lv-error-banner'), 'dismissed');
  await page.getByRole('button', { name: '+', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '11', undefined, { timeout: 5000 });
  t.match(await page.getAttribute('[data-lv-view]', 'class'), /\blv-connected\b/, 'the next reply clears lv-error');
  t.same(pageErrors, []);
  await page.close();
});
