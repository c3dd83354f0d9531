/// <reference lib="dom" />
/**
 * Forms in a real browser (docs/forms.md): the example app's projects board, and the forms
 * test views (a two-field form, slow submits) on a server of their own.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from '../live/harness.ts';
import { formsApp, releaseSlow, slow } from '../forms/fixtures/views.ts';
import { launchChromium } from './chromium.ts';
import { startExampleApp } from './example-server.ts';

const example = await startExampleApp();
const fixtures = await startServer({ routes: formsApp.routes, templatesDir: fileURLToPath(formsApp.templatesDir) });
const browser = await launchChromium();
t.teardown(async () => {
  releaseSlow();
  await browser.close();
  await fixtures.close();
  await example.closeAll();
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  // Every frame the page sends, in order (window.sent), to count what the client sent.
  await page.addInitScript(() => {
    const send = WebSocket.prototype.send;
    const sent: string[] = ((window as unknown as { sent: string[] }).sent = []);
    WebSocket.prototype.send = function (data) {
      sent.push(String(data));
      return send.call(this, data);
    };
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'warning') errors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('[data-lv-view].lv-connected', { timeout: 5000 });
  return { page, errors };
}

/** The events named `name` the page has sent. */
const sentEvents = (page: Page, name: string) =>
  page.evaluate((n) => (window as unknown as { sent: string[] }).sent.map((f) => JSON.parse(f)).filter((f) => f[1] === 'e' && f[4] === n).map((f) => f[5]), name);

const acme = (path: string) => `http://acme.localhost:${example.port}${path}`;
const names = (page: Page) => page.$$eval('#projects li', (items) => items.map((li) => li.textContent ?? ''));
/** Resolves once the view has answered everything sent so far (no element carries lv-loading). */
const idle = (page: Page) => page.waitForFunction(() => !document.querySelector('.lv-loading'), undefined, { timeout: 5000 });

t.test('projects: the name\'s message appears beside it only once it was used', async (t) => {
  const { page, errors } = await open(acme('/projects'));
  const input = page.locator('input[name=name]');
  await input.click();
  await page.locator('#waves').click(); // focus in and out, typing nothing
  await idle(page);
  t.equal(await page.$('#name-error'), null, 'focusing without typing shows nothing');
  await input.click();
  await input.pressSequentially('Ro', { delay: 20 });
  await idle(page);
  t.equal(await page.$('#name-error'), null, 'a valid name shows nothing');
  await input.press('Backspace');
  await input.press('Backspace');
  await page.waitForSelector('#name-error', { timeout: 5000 });
  t.equal(await page.textContent('#name-error'), 'Give the project a name.', 'emptied: the message shows as the user types');
  t.equal(await page.evaluate(() => document.querySelector('#name-error')?.previousElementSibling?.previousElementSibling?.getAttribute('name')), 'name', 'beside the field');
  t.notOk(await page.evaluate(() => document.querySelector('[data-lv-view]')!.classList.contains('lv-error')), 'not an error of the page');
  await input.pressSequentially('Rocket sled', { delay: 10 });
  await page.waitForSelector('#name-error', { state: 'detached', timeout: 5000 });
  t.pass('fixed: the message goes');
  t.same(errors, [], 'no warning in the console');
  await page.close();
});

t.test('projects: Enter adds the project and clears the focused input; Enter again adds nothing', async (t) => {
  const { page, errors } = await open(acme('/projects'));
  const before = await names(page);
  const input = page.locator('input[name=name]');
  await input.click();
  await input.pressSequentially('Dehydrated boulders', { delay: 10 });
  await input.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#projects li').length === n, before.length + 1, { timeout: 5000 });
  await page.waitForFunction(() => (document.querySelector('input[name=name]') as HTMLInputElement).value === '', undefined, { timeout: 5000 });
  t.same(await page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement;
    return [el.name, el.value, el.selectionStart];
  }), ['name', '', 0], 'the focused input was cleared, focus and caret in it');
  await input.press('Enter');
  await page.waitForSelector('#name-error', { timeout: 5000 });
  t.equal(await page.textContent('#name-error'), 'Give the project a name.', 'the empty submit is refused by the schema');
  await idle(page);
  t.same(await names(page), [...before, 'Dehydrated boulders'], 'added once: no duplicate');
  t.same(errors, []);
  await page.close();
});

t.test('projects: what was typed while the socket was down is recovered, even when the server lost the view\'s state', async (t) => {
  const { page, errors } = await open(acme('/projects'));
  const input = page.locator('input[name=name]');
  const runtime = example.server.app.livery.runtime;
  const conn = [...runtime.connections].at(-1)!; // this page's socket: the newest
  const key = [...conn.views.values()][0].stateKey;
  await page.evaluate(() => (window as unknown as { Livery: { disconnect(): void } }).Livery.disconnect());
  await page.waitForSelector('[data-lv-view].lv-disconnected', { timeout: 5000 });
  // The closing socket saves the view's state; once it has, throw it away, as a restart with the
  // memory backend would: the rejoin mounts afresh, and only the client still has the text.
  const end = Date.now() + 5000;
  while ((await runtime.backend.get(key)) === null && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  await runtime.backend.delete(key);
  await input.click();
  await input.pressSequentially('Typed offline', { delay: 10 });
  await page.locator('#waves').click(); // unfocus: the patch of the join must not need focus to keep it
  await page.evaluate(() => (window as unknown as { Livery: { connect(): void } }).Livery.connect());
  await page.waitForFunction(() => document.querySelector('input[name=name]')?.getAttribute('value') === 'Typed offline', undefined, { timeout: 5000 });
  t.pass('the view received the typed text (the form renders its draft from the view\'s state)');
  t.equal(await input.inputValue(), 'Typed offline', 'and the field still shows it');
  t.same(errors, []);
  await page.close();
});

const tasks = (path = '/tasks') => `${fixtures.url}${path}`;

t.test('two fields: typing in one shows its message only; the other waits until used or submitted', async (t) => {
  const { page, errors } = await open(tasks());
  const title = page.locator('input[name=title]');
  await title.click();
  await title.pressSequentially('x', { delay: 10 });
  await title.press('Backspace');
  await page.waitForSelector('#title-error', { timeout: 5000 });
  await idle(page);
  t.equal(await page.textContent('#title-error'), 'Give the task a title.');
  t.equal(await page.$('#due-error'), null, 'due is invalid too, but untouched: no message');
  await title.pressSequentially('Buy milk', { delay: 10 });
  await page.waitForSelector('#title-error', { state: 'detached', timeout: 5000 });
  await title.press('Enter');
  await page.waitForSelector('#due-error', { timeout: 5000 });
  t.equal(await page.textContent('#due-error'), 'Use YYYY-MM-DD.', 'a submit shows every field\'s message');
  t.equal(await title.inputValue(), 'Buy milk', 'a refused submit keeps what was typed');

  const due = page.locator('input[name=due]');
  await due.click();
  await due.pressSequentially('2026-12-24', { delay: 10 });
  await page.waitForSelector('#due-error', { state: 'detached', timeout: 5000 });
  await due.press('Enter');
  await page.waitForFunction(() => document.querySelector('#tasks li')?.textContent === 'Buy milk', undefined, { timeout: 5000 });
  await page.waitForFunction(() => (document.querySelector('input[name=due]') as HTMLInputElement).value === '', undefined, { timeout: 5000 });
  t.same(await page.evaluate(() => [(document.querySelector('input[name=title]') as HTMLInputElement).value, (document.activeElement as HTMLInputElement).name]), ['', 'due'], 'both fields reset, focus kept');
  await due.pressSequentially('x', { delay: 10 });
  await page.waitForSelector('#due-error', { timeout: 5000 });
  await idle(page);
  t.equal(await page.$('#title-error'), null, 'after a successful submit the form starts over: title is untouched again');
  t.same(errors, []);
  await page.close();
});

t.test('a field the user typed in but never sent keeps it through diffs that do not change it', async (t) => {
  const { page, errors } = await open(tasks());
  await page.fill('#plain-note', 'half written');
  const title = page.locator('input[name=title]');
  await title.click();
  await title.pressSequentially('x', { delay: 10 });
  await title.press('Backspace');
  await page.waitForSelector('#title-error', { timeout: 5000 }); // a diff patched the whole view
  await idle(page);
  t.equal(await page.inputValue('#plain-note'), 'half written', 'not overwritten by the server\'s unchanged (empty) value');
  t.same(errors, []);
  await page.close();
});

t.test('a field typed in but never sent reaches the view when the server drops the socket and the client reconnects', async (t) => {
  const { page, errors } = await open(tasks());
  const runtime = fixtures.server.app.livery.runtime;
  await page.fill('#keep-note', 'never sent');
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
  t.equal(await page.textContent('#kept'), '', 'the form sends nothing as the user types');
  const conn = [...runtime.connections].at(-1)!;
  conn.close(1012, 'test drop');
  await page.waitForFunction(() => document.querySelector('#kept')?.textContent === 'never sent', undefined, { timeout: 10000 });
  t.pass('after the reconnect, lv-auto-recover sent the form and the view has the typed value');
  t.equal(await page.inputValue('#keep-note'), 'never sent');
  t.same(errors, []);
  await page.close();
});

t.test('lv-disable-with: the button is disabled with its text while the submit is in flight; no double submit', async (t) => {
  const { page, errors } = await open(tasks());
  slow.calls.length = 0;
  slow.hold = true;
  await page.fill('#note', 'first');
  await page.click('#slow-go');
  await page.waitForFunction(() => (document.querySelector('#slow-go') as HTMLButtonElement).disabled, undefined, { timeout: 5000 });
  t.equal(await page.textContent('#slow-go'), 'Saving…');
  await page.locator('#note').press('Enter');
  await page.locator('#note').press('Enter');
  await page.locator('#slow-go').click({ force: true });
  await page.fill('#plain-note', 'plain');
  await page.dblclick('#plain-go');
  await page.locator('#plain-note').press('Enter');
  await page.locator('#plain-note').press('Enter');
  t.same(await sentEvents(page, 'slow'), [{ note: 'first' }, { note: 'plain' }], 'one submit per form: a double click, double Enters and clicks on the disabled button sent nothing');
  releaseSlow();
  await page.waitForFunction(() => !(document.querySelector('#slow-go') as HTMLButtonElement).disabled, undefined, { timeout: 5000 });
  await idle(page);
  t.equal(await page.innerHTML('#slow-go'), 'Save <b>now</b>', 'the button is restored, markup included');
  t.same(slow.calls, ['first', 'plain'], 'the server got each once');
  t.equal(await page.textContent('#seen'), 'saved plain');
  t.equal(await page.inputValue('#note'), '', 'the reply reset the form');
  slow.hold = true;
  await page.fill('#note', 'second');
  await page.click('#slow-go');
  await page.waitForFunction(() => (document.querySelector('#slow-go') as HTMLButtonElement).disabled, undefined, { timeout: 5000 });
  t.same((await sentEvents(page, 'slow')).length, 3, 'once answered, the form submits again');
  releaseSlow();
  await idle(page);
  t.same(errors, []);
  await page.close();
});
