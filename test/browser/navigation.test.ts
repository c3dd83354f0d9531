/// <reference lib="dom" />
/**
 * Live navigation in Chromium: lv-patch and lv-navigate links, the back and forward buttons,
 * scroll restoration, the title and the flash region — one page load, one socket throughout.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { startServer } from '../live/harness.ts';
import { layout, routes, templatesDir } from '../navigation/fixtures/views.ts';

const s = await startServer({ routes, templatesDir: fileURLToPath(templatesDir), layout });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await s.close();
});

const BOUND = { timeout: 10_000 };

/** Opens `path`; counts document loads and sockets, so a test can prove navigation made neither. */
async function open(path: string): Promise<{ page: Page; errors: string[]; loads: () => number; sockets: () => number }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  let loads = 0;
  let sockets = 0;
  page.on('pageerror', (error) => errors.push(String(error)));
  // The browser's own misses (a favicon) are not the page's errors.
  page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text()); });
  page.on('load', () => { loads++; });
  page.on('websocket', () => { sockets++; });
  await page.goto(`${s.url}${path}`);
  await page.waitForSelector('[data-lv-view].lv-connected', BOUND);
  return { page, errors, loads: () => loads, sockets: () => sockets };
}

const text = (page: Page, selector: string) => page.textContent(selector);
const path = (page: Page) => page.evaluate(() => location.pathname + location.search);
const view = (page: Page) => page.getAttribute('[data-lv-view]', 'data-lv-view');

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-lv-view].lv-loading'), undefined, BOUND);
}

t.test('lv-patch: the URL and the content change in place; back and forward walk the entries', async (t) => {
  const { page, errors, loads, sockets } = await open('/items');
  await page.click('#next');
  await page.waitForFunction(() => document.querySelector('#heading')?.textContent === 'Items, page 2 by id', undefined, BOUND);
  t.equal(await path(page), '/items?page=2&sort=id');
  t.equal(await page.title(), 'Items 2', 'the title follows the patch');
  await page.click('#next');
  await page.waitForFunction(() => location.search === '?page=3&sort=id', undefined, BOUND);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#heading')?.textContent === 'Items, page 2 by id', undefined, BOUND);
  t.equal(await path(page), '/items?page=2&sort=id', 'back: the previous entry, patched in');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#heading')?.textContent === 'Items, page 1 by id', undefined, BOUND);
  t.equal(await page.title(), 'Items 1');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#heading')?.textContent === 'Items, page 2 by id', undefined, BOUND);
  t.equal(loads(), 1, 'one page load in all');
  t.equal(sockets(), 1, 'one socket in all');
  t.same(errors, []);
  await page.close();
});

t.test('lv-navigate: another view in the container, the layout stays; back and forward cross views', async (t) => {
  const { page, errors, loads, sockets } = await open('/items');
  await page.evaluate(() => { (document.getElementById('bar') as HTMLElement & { mark?: number }).mark = 1; });
  await page.click('#items li:nth-child(2) a');
  await page.waitForFunction(() => document.querySelector('[data-lv-view]')?.getAttribute('data-lv-view') === 'ItemView', undefined, BOUND);
  t.equal(await path(page), '/items/2');
  t.equal(await text(page, '#name'), 'Bravo');
  t.equal(await page.title(), 'Bravo');
  t.equal(await page.evaluate(() => (document.getElementById('bar') as HTMLElement & { mark?: number }).mark), 1, 'the layout\'s elements are the same ones');
  await page.click('#save');
  await page.waitForSelector('#lv-flash [data-lv-flash=info]', BOUND);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-lv-view]')?.getAttribute('data-lv-view') === 'ItemsView', undefined, BOUND);
  t.equal(await path(page), '/items');
  t.equal(await text(page, '#heading'), 'Items, page 1 by id');
  t.equal(await page.title(), 'Items 1');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#name')?.textContent === 'Bravo', undefined, BOUND);
  t.equal(await view(page), 'ItemView');
  await page.click('#nav-plain');
  await page.waitForFunction(() => document.querySelector('#plain')?.textContent === 'plain', undefined, BOUND);
  t.equal(await page.title(), 'PlainView', 'a link in the layout navigates the page\'s view');
  t.equal(loads(), 1, 'one page load in all');
  t.equal(sockets(), 1, 'one socket in all');
  t.same(errors, []);
  await page.close();
});

t.test('after a live navigate, a dropped socket rejoins the view the container shows now, with its token', async (t) => {
  const { page, errors, sockets } = await open('/items');
  await page.click('#items li:nth-child(2) a');
  await page.waitForFunction(() => document.querySelector('[data-lv-view]')?.getAttribute('data-lv-view') === 'ItemView', undefined, BOUND);
  const reopened = page.waitForEvent('websocket', BOUND);
  [...s.server.app.livery.runtime.connections].at(-1)!.close(1012, 'test drop');
  await reopened; // the container left lv-connected when the socket dropped
  await page.waitForSelector('[data-lv-view].lv-connected', BOUND); // the rejoin's reply (a refused one leaves lv-error)
  t.equal(sockets(), 2, 'a new socket');
  t.equal(await view(page), 'ItemView');
  await page.click('#save');
  await page.waitForSelector('#lv-flash [data-lv-flash=info]', BOUND);
  t.pass('the rejoined ItemView handles events');
  t.same(errors, []);
  await page.close();
});

t.test('the scroll position comes back with the back button', async (t) => {
  const { page, errors } = await open('/items');
  await page.evaluate(() => scrollTo(0, 1200));
  // Saved as the user scrolls (after a short pause), like any scroll.
  await page.waitForFunction(() => (history.state as { lv?: { scroll?: number } } | null)?.lv?.scroll === 1200, undefined, BOUND);
  await page.evaluate(() => (document.querySelector('#items li:nth-child(3) a') as HTMLElement).click());
  await page.waitForFunction(() => document.querySelector('#name')?.textContent === 'Charlie', undefined, BOUND);
  t.equal(await page.evaluate(() => scrollY), 0, 'a navigate starts at the top');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-lv-view]')?.getAttribute('data-lv-view') === 'ItemsView', undefined, BOUND);
  await page.waitForFunction(() => scrollY === 1200, undefined, BOUND);
  t.pass('back: scrolled to where the user left the list');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#name')?.textContent === 'Charlie', undefined, BOUND);
  t.equal(await page.evaluate(() => scrollY), 0, 'forward: where that page was');
  t.same(errors, []);
  await page.close();
});

t.test('a flash survives exactly one navigation; the close button dismisses one', async (t) => {
  const { page, errors } = await open('/items');
  await page.click('#say');
  await page.waitForSelector('#lv-flash [data-lv-flash=error][role=alert]', BOUND);
  t.equal(await text(page, '#lv-flash [data-lv-flash=error] p'), 'Something <odd>', 'escaped, shown as text');
  await page.click('#items li:first-child a');
  await page.waitForFunction(() => document.querySelector('#name')?.textContent === 'Alpha', undefined, BOUND);
  t.equal(await text(page, '#lv-flash [data-lv-flash=error] p'), 'Something <odd>', 'still there after one navigation');
  await page.click('#back');
  await page.waitForFunction(() => document.querySelector('[data-lv-view]')?.getAttribute('data-lv-view') === 'ItemsView', undefined, BOUND);
  t.equal(await page.$('#lv-flash [data-lv-flash]'), null, 'gone after the second');
  await page.click('#say');
  await page.waitForSelector('#lv-flash [data-lv-flash=error]', BOUND);
  await page.click('#lv-flash [data-lv-flash=error] button');
  t.equal(await page.$('#lv-flash [data-lv-flash]'), null, 'dismissed');
  await settled(page);
  await page.click('#items li:first-child a');
  await page.waitForFunction(() => document.querySelector('#name')?.textContent === 'Alpha', undefined, BOUND);
  t.equal(await page.$('#lv-flash [data-lv-flash]'), null, 'and not carried to the next page');
  t.same(errors, []);
  await page.close();
});

t.test('redirect: a full page load, and the flash travels with it', async (t) => {
  const { page, errors, loads } = await open('/items');
  await Promise.all([page.waitForEvent('load', BOUND), page.click('#away')]);
  await page.waitForSelector('[data-lv-view].lv-connected', BOUND);
  t.equal(await path(page), '/plain');
  t.equal(loads(), 2, 'a second page load');
  t.equal(await text(page, '#lv-flash [data-lv-flash=info] p'), 'Bye');
  t.same(errors, []);
  await page.close();
});

t.test('a navigate to a path no route serves loads the 404 page', async (t) => {
  const { page } = await open('/items');
  await page.evaluate(() => {
    const link = Object.assign(document.createElement('a'), { id: 'lost', href: '/nowhere', textContent: 'lost' });
    link.setAttribute('lv-navigate', '');
    document.getElementById('bar')!.append(link);
  });
  const [response] = await Promise.all([page.waitForEvent('response', { ...BOUND, predicate: (r) => r.url().endsWith('/nowhere') }), page.click('#lost')]);
  t.equal(response.status(), 404);
  await page.waitForFunction(() => document.title === '404 LV_ROUTE_NOT_FOUND', undefined, BOUND);
  t.equal(await path(page), '/nowhere');
  await page.close();
});
