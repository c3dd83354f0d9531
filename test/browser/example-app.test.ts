/// <reference lib="dom" />
/**
 * The example app in a real browser: what `npm start` serves, driven through Chromium.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { routes } from '../../views/index.ts';
import { startServer } from '../live/harness.ts';
import { launchChromium } from './chromium.ts';

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
const s = await startServer({ routes, templatesDir, layout: 'layout.html' });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await s.close();
});

async function waitFor(probe: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function open(path: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(s.url + path);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors, requests };
}

t.test('/ links every demo', async (t) => {
  const { page, errors } = await open('/');
  t.same(await page.$$eval('#demos a', (links) => links.map((a) => a.getAttribute('href'))), ['/counter', '/clock', '/search']);
  t.same(errors, []);
  await page.close();
});

t.test('/counter: clicking + three times shows 3, - takes one off', async (t) => {
  const { page, errors } = await open('/counter');
  t.equal(await page.textContent('#count'), '0');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: '+', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '3', undefined, { timeout: 5000 });
  t.equal(await page.textContent('#count'), '3');
  await page.getByRole('button', { name: '-', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '2', undefined, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('/clock advances with no HTTP request after load', async (t) => {
  const { page, errors, requests } = await open('/clock');
  const loaded = requests.length;
  const first = await page.textContent('#clock');
  t.match(first, /^\d\d:\d\d:\d\d$/);
  await page.waitForFunction((before) => document.querySelector('#clock')?.textContent !== before, first, { timeout: 5000 });
  t.not(await page.textContent('#clock'), first, 'the server pushed a new time');
  t.equal(requests.length, loaded, 'no HTTP request after load: the update came over the socket');
  t.same(errors, []);
  await page.close();
});

t.test('/search: typing narrows #results and keeps the caret in the input', async (t) => {
  const { page, errors } = await open('/search');
  t.equal(await page.locator('#results li').count(), 600);
  const input = page.locator('input[name=q]');
  await input.click();
  await input.pressSequentially('rav', { delay: 40 });
  await page.waitForFunction(() => document.querySelectorAll('#results li').length === 25, undefined, { timeout: 5000 });
  const names = await page.$$eval('#results li', (items) => items.map((li) => li.textContent ?? ''));
  t.ok(names.every((name) => name.includes('rav')), 'every result matches');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q', 'focus stayed in the input');
  t.same(await page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement;
    return [el.value, el.selectionStart, el.selectionEnd];
  }), ['rav', 3, 3], 'text and caret intact');
  await input.press('Backspace');
  await input.press('Backspace');
  await input.press('Backspace');
  await page.waitForFunction(() => document.querySelectorAll('#results li').length === 600, undefined, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('the count survives the socket being dropped and reconnected', async (t) => {
  const { page, errors } = await open('/counter');
  for (let i = 0; i < 7; i++) {
    await page.getByRole('button', { name: '+', exact: true }).click();
    await page.waitForFunction((n) => document.querySelector('#count')?.textContent === String(n), i + 1, { timeout: 5000 });
  }
  // Drop every live socket from the server side, as a network blip or a restart would.
  const dropped = new Set(s.server.app.livery.runtime.connections);
  await page.evaluate(() => {
    const el = document.querySelector('[data-lv-view]')!;
    (window as unknown as { seen: string[] }).seen = [];
    new MutationObserver(() => (window as unknown as { seen: string[] }).seen.push(el.className)).observe(el, { attributes: true });
  });
  for (const conn of dropped) conn.close(1012, 'test drop');
  await t.resolves(waitFor(() => [...s.server.app.livery.runtime.connections].some((c) => !dropped.has(c))), 'the client reconnected');
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 10000 });
  const seen: string[] = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  t.ok(seen.some((c) => c.includes('lv-disconnected')), 'the container showed lv-disconnected meanwhile');
  t.equal(await page.textContent('#count'), '7', 'still 7 after the reconnect');
  await page.getByRole('button', { name: '+', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '8', undefined, { timeout: 5000 });
  t.pass('and the resumed state keeps counting: 8');
  t.same(errors, []);
  await page.close();
});
