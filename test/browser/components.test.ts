/// <reference lib="dom" />
/**
 * Live components in Chromium against a real server (D80): a page with a live component's counter
 * and the parent view's own counter, both working (`lv-target` sends to the component, the same
 * click without it to the parent); components in a keyed loop keep their state when the loop is
 * reordered; a component added and removed by the parent; everything survives a reconnect; an
 * async component's first paint shows its data, and one shown later loads in place (D84).
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from '../live/harness.ts';
import { componentRoutes, components, hold } from '../live/fixtures/components.ts';
import { launchChromium } from './chromium.ts';

const server = await startServer({ routes: componentRoutes, components, templatesDir: fileURLToPath(new URL('../live/fixtures/components/', import.meta.url)) });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await server.close();
});

async function open(path = '/parent'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    // (The browser's own favicon request is a 404: not the client's.)
    if ((message.type() === 'warning' || message.type() === 'error') && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${server.port}${path}`);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors };
}

const text = (page: Page, selector: string) => page.textContent(selector);
const until = (page: Page, selector: string, value: string) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [selector, value] as const, { timeout: 5000 });

t.test('the component\'s counter and the parent\'s both work on one page', async (t) => {
  const { page, errors } = await open();
  t.equal(await text(page, '#counter-c1 .count'), '5');
  // A mark a script put on the component's element: a patch morphs the element, it is not replaced.
  await page.evaluate(() => ((document.getElementById('counter-c1') as HTMLElement & { __mark?: number }).__mark = 1));
  await page.click('#counter-c1 .inc');
  await until(page, '#counter-c1 .count', '6');
  await page.click('#parent-inc');
  await until(page, '#parent-count', '1');
  t.equal(await text(page, '#counter-c1 .count'), '6', 'the parent\'s render leaves the component alone');
  await page.click('#counter-c1 .parent-inc');
  await until(page, '#parent-count', '2');
  t.equal(await text(page, '#counter-c1 .count'), '6', 'without lv-target the click goes to the parent');
  // A component's own change patches its element alone: nothing else in the view is touched, and
  // an attribute a script put outside it stays (a whole-view morph would remove it).
  await page.evaluate(() => {
    document.getElementById('parent-count')!.setAttribute('data-foreign', 'kept');
    const w = window as unknown as { records: MutationRecord[]; observer: MutationObserver };
    w.records = [];
    w.observer = new MutationObserver((records) => w.records.push(...records));
    w.observer.observe(document.querySelector('[data-lv-view]')!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.click('#counter-c1 .set');
  await until(page, '#counter-c1 .count', '100');
  const outside = await page.evaluate(() => {
    const w = window as unknown as { records: MutationRecord[]; observer: MutationObserver };
    const component = document.getElementById('counter-c1')!;
    const records = [...w.records, ...w.observer.takeRecords()];
    w.observer.disconnect();
    // The view container's own classes (lv-loading, lv-connected) are the client's, not a patch.
    return records.filter((r) => !component.contains(r.target) && r.target !== document.querySelector('[data-lv-view]')).length;
  });
  t.equal(outside, 0, 'no mutation outside the component');
  t.equal(await page.getAttribute('#parent-count', 'data-foreign'), 'kept', 'the rest of the view was not morphed');
  await page.click('#parent-inc');
  await until(page, '#parent-count', '3');
  t.equal(await page.getAttribute('#parent-count', 'data-foreign'), null, 'the parent\'s own change morphs the view, as before');
  t.equal(await page.evaluate(() => (document.getElementById('counter-c1') as HTMLElement & { __mark?: number }).__mark), 1, 'same element');
  t.match(await page.getAttribute('#counter-c1', 'lv-component'), /^\d+$/);
  await page.click('#counter-c1 .tell');
  await until(page, '#last', 'c1: {"count":100}');
  t.same(errors, []);
  await page.close();
});

t.test('keyed components keep their state across moves; added and removed ones', async (t) => {
  const { page, errors } = await open();
  await page.click('#row-b button');
  await until(page, '#row-b b', '1');
  await page.click('#row-b button');
  await until(page, '#row-b b', '2');
  await page.click('#reverse');
  await page.waitForFunction(() => document.querySelector('li.row')?.id === 'row-c', undefined, { timeout: 5000 });
  const rows = await page.$$eval('li.row', (lis) => lis.map((li) => `${li.id}=${li.querySelector('b')?.textContent}`));
  t.same(rows, ['row-c=0', 'row-b=2', 'row-a=0']);
  await page.click('#row-a button');
  await until(page, '#row-a b', '1');
  await page.click('#toggle');
  await until(page, '#counter-c2 .count', '1');
  await page.click('#counter-c2 .inc');
  await until(page, '#counter-c2 .count', '2');
  await page.click('#toggle');
  await page.waitForFunction(() => document.getElementById('counter-c2') === null, undefined, { timeout: 5000 });
  t.same(errors, []);
  await page.close();
});

t.test('both counters survive a reconnect', async (t) => {
  const { page, errors } = await open();
  await page.click('#counter-c1 .inc');
  await until(page, '#counter-c1 .count', '6');
  await page.click('#parent-inc');
  await until(page, '#parent-count', '1');
  await page.evaluate(() => (window as unknown as { Livery: { disconnect(): void } }).Livery.disconnect());
  await page.waitForSelector('[data-lv-view].lv-disconnected', { timeout: 5000 });
  await page.evaluate(() => (window as unknown as { Livery: { connect(): void } }).Livery.connect());
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  t.equal(await text(page, '#counter-c1 .count'), '6');
  t.equal(await text(page, '#parent-count'), '1');
  await page.click('#counter-c1 .inc');
  await until(page, '#counter-c1 .count', '7');
  await page.click('#parent-inc');
  await until(page, '#parent-count', '2');
  t.same(errors, []);
  await page.close();
});

t.test('async components: the first paint shows the loaded data; one shown later shows loading, then its data', async (t) => {
  const { page, errors } = await open('/async');
  t.equal(await text(page, '#loader-first li'), 'first-1');
  const load = hold('b1');
  await page.click('#show');
  await until(page, '#loader-second .loading', 'Loading b1…');
  load.release();
  await until(page, '#loader-second li', 'b1-1');
  t.equal(await page.$('#loader-second .loading'), null);
  await page.click('#loader-second .more');
  await until(page, '#loader-second .extra', '1');
  t.same(errors, []);
  await page.close();
});
