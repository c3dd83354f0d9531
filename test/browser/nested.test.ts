/// <reference lib="dom" />
/**
 * Nested live views (D81) in Chromium: the child's HTML is on the page before any script runs;
 * with JS, parent and child each handle their own clicks on one socket, a child the parent adds
 * in a live re-render is joined and works, one it drops is left, and both come back after the
 * socket reconnects.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { nestedRoutes, nestedViews } from '../live/fixtures/nested.ts';
import { startServer } from '../live/harness.ts';
import { launchChromium } from './chromium.ts';

const server = await startServer({
  routes: nestedRoutes,
  views: nestedViews,
  templatesDir: fileURLToPath(new URL('../live/fixtures/nested-templates/', import.meta.url)),
});
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await server.close();
});

const CHILD = '.slot [data-lv-view="NestedChildView"]';
const EXTRA = '[id$=".extra"]';

const text = (page: Page, selector: string) => page.locator(selector).textContent();

async function connected(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(`${selector}.lv-connected`);
}

t.test('without JavaScript the child is already rendered inside the parent', async (t) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${server.url}/nested`);
  t.equal(await text(page, '#parent-count'), '0');
  t.equal(await text(page, `${CHILD} .child-label`), 'first');
  t.equal(await text(page, `${CHILD} .child-count`), '0');
});

t.test('parent and child work side by side; a child added live is joined, a dropped one left; both survive a reconnect', async (t) => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  t.teardown(() => page.close());
  await page.goto(`${server.url}/nested`);
  await connected(page, '[data-lv-view="NestedParentView"]');
  await connected(page, CHILD);

  await page.click(`${CHILD} .child-inc`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', `${CHILD} .child-count`);
  await page.click('#parent-inc');
  await page.waitForFunction(() => document.querySelector('#parent-count')?.textContent === '1');
  t.equal(await text(page, `${CHILD} .child-count`), '1', 'the parent\'s patch left the child as it was');
  await page.click(`${CHILD} .child-inc`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '2', `${CHILD} .child-count`);
  t.equal(await text(page, '#parent-count'), '1', 'the child\'s event went to the child');

  await page.click('#add-extra');
  await connected(page, EXTRA);
  t.equal(await text(page, `${EXTRA} .child-label`), 'extra', 'the added child mounted with its params when it joined');
  await page.click(`${EXTRA} .child-inc`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '1', `${EXTRA} .child-count`);
  t.equal(await page.evaluate(() => window.Livery.views.size), 3);

  await page.evaluate(() => window.Livery.disconnect());
  await page.waitForSelector(`${CHILD}.lv-disconnected`);
  await page.evaluate(() => window.Livery.connect());
  await connected(page, CHILD);
  await connected(page, EXTRA);
  await page.click(`${CHILD} .child-inc`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '3', `${CHILD} .child-count`);
  t.equal(await text(page, `${EXTRA} .child-count`), '1', 'the added child kept its state too');
  t.equal(await text(page, '#parent-count'), '1');

  await page.click('#drop-extra');
  await page.waitForFunction((sel) => document.querySelector(sel) === null, EXTRA);
  await page.waitForFunction(() => window.Livery.views.size === 2);
  await page.click('#parent-inc');
  await page.waitForFunction(() => document.querySelector('#parent-count')?.textContent === '2');
  t.same(errors, [], 'no page errors');
});

t.test('navigation from inside a nested view moves the page, not the nested view alone', async (t) => {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${server.url}/nested`);
  await connected(page, CHILD);
  await page.click(`${CHILD} .child-nav`);
  await page.waitForFunction(() => location.search === '?label=linked');
  await page.waitForSelector('body > [data-lv-view="NestedChildView"].lv-connected');
  t.equal(await text(page, '.child-label'), 'linked', 'an lv-navigate link in the child navigated the page\'s view');
  t.equal(await page.locator('[data-lv-view]').count(), 1, 'the parent and its child are gone');

  await page.goto(`${server.url}/nested`);
  await connected(page, CHILD);
  await page.click(`${CHILD} .child-away`);
  await page.waitForFunction(() => location.search === '?label=pushed');
  await page.waitForSelector('body > [data-lv-view="NestedChildView"].lv-connected');
  t.equal(await text(page, '.child-label'), 'pushed', 'so did the child\'s pushNavigate');
  await page.goBack();
  await page.waitForFunction(() => location.pathname === '/nested');
  await connected(page, CHILD);
  t.equal(await page.locator('[data-lv-view]').count(), 2, 'back: the parent with its child again');
});

declare global {
  interface Window {
    Livery: { views: Map<number, unknown>; connect(): void; disconnect(): void };
  }
}
