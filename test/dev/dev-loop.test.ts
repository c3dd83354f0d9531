/// <reference lib="dom" />
/**
 * The dev loop in Chromium, on a copy of a small app: a tab keeps its state across restarts
 * caused by edits (template and view), a template syntax error shows the overlay naming
 * file:line:column (in open tabs and on fresh page loads), fixing it recovers by itself with the
 * state kept, and a handler that throws shows the overlay with its stack.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import { startDevApp, waitFor } from './dev-app.ts';

// Several restarts of a real app, each a new Node process: generous under a loaded machine.
t.setTimeout(300_000);
const app = await startDevApp();
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await app.stop();
});

const listens = () => app.output().match(/Dev fixture: http/g)?.length ?? 0;
await waitFor('the app to listen', () => listens() === 1);

const page: Page = await browser.newPage();
const pageErrors: string[] = [];
page.on('pageerror', (error) => pageErrors.push(String(error)));
await page.goto(`${app.base}/counter`);
await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 10_000 });
// Each connection to a freshly started app begins with a dev frame that clears the overlay; the
// client dispatches it as `lv:dev` (null). Counting them tells "connected to the new process".
await page.evaluate(() => {
  const w = window as unknown as { appConnections: number };
  w.appConnections = 0;
  document.addEventListener('lv:dev', (e) => { if ((e as CustomEvent).detail === null) w.appConnections++; });
});
const appConnections = () => page.evaluate(() => (window as unknown as { appConnections: number }).appConnections);
const count = () => page.textContent('#count');

/** After a restart: connected to the new process (a new clearing frame), view joined again. */
async function rejoined(before: number): Promise<void> {
  await waitFor('the tab to reconnect to the new process', async () => (await appConnections()) > before);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 10_000 });
}

t.test('a tab keeps its count across a template edit and a view edit', async (t) => {
  for (let i = 1; i <= 3; i++) {
    await page.click('#inc');
    await page.waitForFunction((n) => document.querySelector('#count')?.textContent === String(n), i, { timeout: 5000 });
  }

  let before = await appConnections();
  app.write('templates/counter.html', app.read('templates/counter.html').replace('<main>', '<main>\n  <p id="edition">template v2</p>'));
  await rejoined(before);
  await page.waitForSelector('#edition', { timeout: 10_000 });
  t.equal(await page.textContent('#edition'), 'template v2', 'the edited template is rendered');
  t.equal(await count(), '3', 'still 3 after the template edit');

  before = await appConnections();
  app.write('views/counter.ts', app.read('views/counter.ts').replace('this.state.count += 1;', 'this.state.count += 10;'));
  await rejoined(before);
  t.equal(await count(), '3', 'still 3 after the view edit');
  await page.click('#inc');
  await page.waitForFunction(() => document.querySelector('#count')?.textContent === '13', undefined, { timeout: 5000 });
  t.pass('the edited view code runs on the kept state: 3 + 10 = 13');
  t.equal(listens(), 3, 'the app was started three times');
});

t.test('a template syntax error shows the overlay naming file:line:column; fixing it recovers', async (t) => {
  const good = app.read('templates/counter.html');
  const lines = good.split('\n');
  const brokenLine = lines.findIndex((line) => line.includes('id="count"')) + 1;
  app.write('templates/counter.html', good.replace('{{ count }}', '{{ count|nosuchfilter }}'));
  const column = lines[brokenLine - 1].indexOf('{{ count }}') + 1;

  await page.waitForSelector('#lv-dev-overlay', { timeout: 20_000 });
  const where = await page.textContent('#lv-dev-overlay .lv-dev-where');
  t.equal(where, `templates/counter.html:${brokenLine}:${column}`, 'the open tab names the file, line and column');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-frame'), /nosuchfilter/, 'with a code frame');
  t.match(app.output(), `templates/counter.html:${brokenLine}:${column}`, 'the terminal names it too');
  t.match(app.output(), /\| +\^/, 'with a caret under the column');

  // A page loaded while the app is down gets the overlay from the dev supervisor.
  const fresh = await browser.newPage();
  const response = await fresh.goto(`${app.base}/counter`);
  t.equal(response?.status(), 500);
  t.equal(await fresh.textContent('#lv-dev-overlay .lv-dev-where'), `templates/counter.html:${brokenLine}:${column}`);

  const before = await appConnections();
  app.write('templates/counter.html', good);
  await rejoined(before);
  await page.waitForSelector('#lv-dev-overlay', { state: 'detached', timeout: 10_000 });
  t.pass('the overlay is gone once the app is back');
  t.equal(await count(), '13', 'and the count is kept');
  await fresh.waitForSelector('#count', { timeout: 20_000 });
  t.pass('the page loaded during the error reloads itself once the app answers');
  await fresh.close();
});

t.test('a syntax error in a view (the app fails while importing) shows the overlay; fixing it recovers', async (t) => {
  const good = app.read('views/counter.ts');
  const line = good.split('\n').findIndex((l) => l.includes('inc() {')) + 1;
  app.write('views/counter.ts', good.replace('inc() {', 'inc( {'));
  await page.waitForSelector('#lv-dev-overlay', { timeout: 20_000 });
  // The parser stops at the next line's `.` (it still reads a parameter list): that is the position.
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-where'), new RegExp(`^views/counter\\.ts:${line + 1}:9$`), 'names the view file, line and column');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-frame'), 'inc( {', 'with a code frame');
  const before = await appConnections();
  app.write('views/counter.ts', good);
  await rejoined(before);
  await page.waitForSelector('#lv-dev-overlay', { state: 'detached', timeout: 10_000 });
  t.equal(await count(), '13', 'the count is kept across the crash');
});

t.test('a handler that throws shows the overlay with the stack', async (t) => {
  await page.click('#boom');
  await page.waitForSelector('#lv-dev-overlay', { timeout: 10_000 });
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-title'), 'LV_HANDLER_FAILED in CounterView');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-message'), 'boom: the handler failed on purpose');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-where'), /^views\/counter\.ts:\d+:\d+$/, 'names the view file, line and column');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-stack'), /at CounterView\.boom/, 'shows the stack');
  t.match(await page.textContent('#lv-dev-overlay .lv-dev-frame'), /throw new Error/, 'and the code frame');
  t.match(app.output(), /ERROR CounterView\.boom failed: LV_HANDLER_FAILED/, 'the terminal logs it readably');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#lv-dev-overlay', { state: 'detached', timeout: 5000 });
  t.equal(await count(), '13', 'the view is still live with its state');
  t.same(pageErrors, []);
});
