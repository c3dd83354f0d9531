/// <reference lib="dom" />
/**
 * Row patching in a real browser against a real server (D62): a click that changes one cell of a
 * keyed table patches that row only — the other rows keep their elements, a MutationObserver sees
 * changes inside that row only, and a mark a script put on another row survives (a whole-view
 * morph would remove it). Focus, caret and the server's say over a submitted form still hold.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from '../live/harness.ts';
import { rowsApp } from './fixtures/rows.ts';
import { launchChromium } from './chromium.ts';

const server = await startServer({ routes: rowsApp.routes, templatesDir: fileURLToPath(rowsApp.templatesDir) });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await server.close();
});

type Marked = HTMLElement & { __mark?: number };
declare global {
  interface Window {
    __observer: MutationObserver;
    __records: MutationRecord[];
  }
}

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'warning') errors.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${server.port}/rows`);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors };
}

/** Numbers every row element, puts a foreign attribute on `foreign` and starts recording mutations. */
const watch = (page: Page, foreign: string) =>
  page.evaluate((id) => {
    document.querySelectorAll<Marked>('tbody tr').forEach((tr, i) => (tr.__mark = i));
    document.getElementById(id)!.setAttribute('data-foreign', 'kept');
    window.__observer?.disconnect();
    window.__records = [];
    window.__observer = new MutationObserver((records) => window.__records.push(...records));
    window.__observer.observe(document.querySelector('[data-lv-view]')!, { subtree: true, childList: true, characterData: true, attributes: true });
  }, foreign);

/** What happened since `watch`: rows that are still the same elements, mutations outside `row`, the foreign mark. */
const since = (page: Page, row: string, foreign: string) =>
  page.evaluate(([id, f]) => {
    const container = document.querySelector('[data-lv-view]')!;
    const records = [...window.__records, ...window.__observer.takeRecords()];
    const trs = Array.from(document.querySelectorAll<Marked>('tbody tr'));
    const target = document.getElementById(id)!;
    return {
      sameElements: trs.every((tr, i) => tr.__mark === i),
      inside: records.filter((r) => target.contains(r.target)).length,
      outside: records.filter((r) => !target.contains(r.target) && r.target !== container).map((r) => `${r.type} ${(r.target as Element).id ?? r.target.nodeName}`),
      foreign: document.getElementById(f)!.getAttribute('data-foreign'),
    };
  }, [row, foreign] as const);

const idle = (page: Page) => page.waitForFunction(() => !document.querySelector('.lv-loading'), undefined, { timeout: 5000 });
const cell = (page: Page, id: number) => page.textContent(`#row-${id} .v`);

t.test('a click that bumps one cell patches only its row', async (t) => {
  const { page, errors } = await open();
  await watch(page, 'row-3');
  await page.click('#bump-37');
  await page.waitForFunction(() => document.querySelector('#row-37 .v')!.textContent === '1', undefined, { timeout: 5000 });
  await idle(page);
  const seen = await since(page, 'row-37', 'row-3');
  t.ok(seen.sameElements, 'every row is the same element');
  t.ok(seen.inside > 0, 'the bumped row changed');
  t.same(seen.outside, [], 'nothing outside it did');
  t.equal(seen.foreign, 'kept', 'another row was not morphed');
  t.equal(await cell(page, 36), '0');
  t.same(errors, []);
  await page.close();
});

t.test('a change outside the rows, or to their order, morphs the whole view; rows are patched alone again after', async (t) => {
  const { page, errors } = await open();
  await watch(page, 'row-3');
  await page.click('#retitle');
  await page.waitForFunction(() => document.querySelector('#title')!.textContent === 'Rows!', undefined, { timeout: 5000 });
  t.equal((await since(page, 'title', 'row-3')).foreign, null, 'the whole view was morphed (the foreign mark is gone)');

  await page.click('#rotate');
  await page.waitForFunction(() => document.querySelector('tbody tr')!.id === 'row-1', undefined, { timeout: 5000 });
  await idle(page);
  t.equal(await page.evaluate(() => document.querySelector('tbody tr:last-child')!.id), 'row-0', 'the first row went last');

  await watch(page, 'row-5');
  await page.click('#bump-0');
  await page.waitForFunction(() => document.querySelector('#row-0 .v')!.textContent === '1', undefined, { timeout: 5000 });
  await idle(page);
  const seen = await since(page, 'row-0', 'row-5');
  t.ok(seen.sameElements && seen.inside > 0, 'the moved row was found and patched');
  t.same(seen.outside, [], 'alone');
  t.equal(seen.foreign, 'kept');
  t.same(errors, []);
  await page.close();
});

t.test('a patched row keeps the focused field, its text and caret; the server decides after a submit', async (t) => {
  const { page, errors } = await open();
  await page.click('#name-12');
  await page.keyboard.press('End');
  await page.keyboard.type(' typed');
  await page.evaluate(() => (document.querySelector('#name-12') as HTMLInputElement).setSelectionRange(2, 5));
  await watch(page, 'row-3');
  // Clicked from script: focus stays in the field while its row is patched.
  await page.evaluate(() => (document.querySelector('#bump-12') as HTMLButtonElement).click());
  await page.waitForFunction(() => document.querySelector('#row-12 .v')!.textContent === '1', undefined, { timeout: 5000 });
  await idle(page);
  const field = () => page.evaluate(() => {
    const input = document.querySelector('#name-12') as HTMLInputElement;
    return { value: input.value, selection: [input.selectionStart, input.selectionEnd], focused: document.activeElement === input };
  });
  t.same(await field(), { value: 'row 12 typed', selection: [2, 5], focused: true }, 'focus, value and caret kept');
  t.equal((await since(page, 'row-12', 'row-3')).foreign, 'kept', 'only the row was patched');

  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (document.querySelector('#name-12') as HTMLInputElement).value === 'ROW 12 TYPED', undefined, { timeout: 5000 });
  await idle(page);
  t.same(await field(), { value: 'ROW 12 TYPED', selection: [12, 12], focused: true }, 'the submit\'s reply set the server\'s value, caret at the end');
  t.equal(await page.getAttribute('#name-12', 'value'), 'ROW 12 TYPED');
  t.same(errors, []);
  await page.close();
});
