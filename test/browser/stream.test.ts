/// <reference lib="dom" />
/**
 * Streams in a real browser against a real server (D82): appends, prepends, inserts at an index,
 * deletes, an in-place replacement, a reset and a reconnect's re-stream each leave the items in
 * the expected DOM order; items that stay keep their elements; and an input inside an item that
 * has focus keeps it — with what the user typed and the caret — through all of them. Clicks are
 * programmatic (`element.click()`), so focus stays where the user put it.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from '../live/harness.ts';
import { chatSource, resetChat, streamRoutes } from '../live/fixtures/stream-views.ts';
import { launchChromium } from './chromium.ts';

const server = await startServer({ routes: streamRoutes });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await server.close();
});

type Marked = HTMLElement & { __mark?: string };

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'warning') errors.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${server.port}/chat`);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors };
}

/** The items' ids in DOM order. */
const order = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('#messages > li'), (li) => li.id.slice(4)));

/** Marks every item element, so a later look can tell a kept element from a re-created one. */
const mark = (page: Page) => page.evaluate(() => document.querySelectorAll<Marked>('#messages > li').forEach((li) => (li.__mark = li.id)));

/** The ids of the items that are still the elements `mark` saw. */
const kept = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll<Marked>('#messages > li')).filter((li) => li.__mark === li.id).map((li) => li.id.slice(4)));

const focus = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    return { id: el?.id, value: el?.value, caret: el?.selectionStart };
  });

const press = (page: Page, id: string) => page.evaluate((button) => document.getElementById(button)!.click(), id);

t.test('inserts, deletes, replacement, reset and reconnect keep DOM order, elements and focus', async (t) => {
  resetChat(4);
  const { page, errors } = await open();
  t.same(await order(page), ['1', '2', '3', '4'], 'the streamed items');
  await page.click('#edit-3');
  await page.keyboard.type('abc');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await mark(page);
  const typed = { id: 'edit-3', value: 'abc', caret: 1 };
  t.same(await focus(page), typed);

  await press(page, 'append');
  await page.waitForSelector('#msg-5');
  t.same(await order(page), ['1', '2', '3', '4', '5'], 'appended');
  await press(page, 'prepend');
  await page.waitForSelector('#msg-6');
  t.same(await order(page), ['6', '1', '2', '3', '4', '5'], 'prepended');
  await press(page, 'insert-at-2');
  await page.waitForSelector('#msg-7');
  t.same(await order(page), ['6', '1', '7', '2', '3', '4', '5'], 'inserted at index 2');
  await press(page, 'remove-2');
  await page.waitForSelector('#msg-2', { state: 'detached' });
  t.same(await order(page), ['6', '1', '7', '3', '4', '5'], 'deleted');
  await press(page, 'edit-1-text');
  await page.waitForFunction(() => document.querySelector('#msg-1 span')?.textContent === 'edited');
  t.same(await order(page), ['6', '1', '7', '3', '4', '5'], 'replaced where it stands');
  t.same(await kept(page), ['1', '3', '4'], 'the items that stayed are the same elements');
  t.same(await focus(page), typed, 'the focused input inside an item kept focus, its value and caret');

  // A reset with the source's order: 7 was inserted at 2 on the page but appended to the source.
  await press(page, 'reload');
  await page.waitForFunction(() => document.querySelector('#messages > li:last-child')?.id === 'msg-7');
  t.same(await order(page), ['6', '1', '3', '4', '5', '7'], 'reset to the source\'s items and order');
  t.same(await kept(page), ['1', '3', '4'], 'keys that came back kept their elements');
  t.same(await focus(page), typed, 'focus survives the reset');

  // The server drops the socket; the client rejoins and onJoin re-streams, with one item more.
  chatSource.messages.push({ id: 100, text: 'while away' });
  chatSource.nextId = 101;
  const conn = [...server.server.app.livery.runtime.connections].at(-1)!;
  conn.close(1012, 'test drop');
  await page.waitForSelector('#msg-100', { timeout: 10000 });
  t.same(await order(page), ['6', '1', '3', '4', '5', '7', '100'], 'the reconnect re-streamed the source');
  t.same(await kept(page), ['1', '3', '4'], 'the same keys kept their elements');
  t.same(await focus(page), typed, 'focus survives the reconnect');

  await press(page, 'trim');
  await page.waitForSelector('#msg-101');
  t.same(await order(page), ['7', '100', '101'], 'limit -3 keeps the last three');
  t.same(errors, []);
  await page.close();
});
