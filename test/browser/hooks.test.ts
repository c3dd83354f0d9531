/// <reference lib="dom" />
/**
 * Hooks and JS commands in Chromium against a real server (D77, D78), the page served under
 * `Content-Security-Policy: script-src 'self'` with its hooks in /static/hooks.js: a chart hook
 * whose canvas survives ten patches and whose `updated` runs for each; `pushEvent` replies and a
 * refused event; a server-pushed event reaching `handleEvent`; `disconnected` / `reconnected`;
 * `destroyed`; a menu opened with a JS command staying open through diffs; `lv-ignore-attributes`.
 */
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Page } from 'playwright-core';
import { startServer } from '../live/harness.ts';
import { hooksApp } from './fixtures/hooks.ts';
import { launchChromium } from './chromium.ts';

const server = await startServer({
  routes: hooksApp.routes,
  templatesDir: fileURLToPath(hooksApp.templatesDir),
  staticDir: fileURLToPath(hooksApp.staticDir),
  layout: hooksApp.layout,
});
const CSP = "script-src 'self'";

/**
 * What the browser talks to: the server behind a proxy that adds the policy to every response
 * (an app would set it in its reverse proxy the same way) and passes the live socket through.
 */
const proxy = http.createServer((req, res) => {
  const upstream = http.request({ host: '127.0.0.1', port: server.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-security-policy': CSP });
    answer.pipe(res);
  });
  req.pipe(upstream);
});
proxy.on('upgrade', (req, socket, head) => {
  const upstream = net.connect(server.port, '127.0.0.1', () => {
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}\r\n`).join('')}\r\n`);
    upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  const end = () => { socket.destroy(); upstream.destroy(); };
  upstream.on('error', end);
  socket.on('error', end);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyPort = (proxy.address() as net.AddressInfo).port;

const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await server.close();
});

declare global {
  interface Window {
    hookLog: string[];
    inlineRan?: boolean;
    violations: string[];
  }
}

/** Opens /hooks through the proxy: every response has the policy. */
async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`http://127.0.0.1:${proxyPort}/hooks`);
  if (response?.headers()['content-security-policy'] !== CSP) throw new Error('the page came without the policy');
  await waitLog(page, 'reply 42');
  return { page, errors };
}

const log = (page: Page) => page.evaluate(() => window.hookLog);
const waitLog = (page: Page, entry: string) =>
  page.waitForFunction((e) => window.hookLog?.includes(e), entry, { timeout: 5000 });
const idle = (page: Page) => page.waitForFunction(() => !document.querySelector('.lv-loading'), undefined, { timeout: 5000 });
const opened = (page: Page) => page.textContent('#opened');

t.test('the page runs under script-src self: the client and the hooks file run, inline script does not', async (t) => {
  const { page, errors } = await open();
  t.equal(await page.evaluate(() => window.inlineRan), undefined, 'the inline script was blocked: the policy is enforced');
  const violations = await page.evaluate(() => window.violations);
  t.same(violations.filter((v) => !v.includes('inline')), [], 'nothing but the inline script was blocked (no eval, no other inline code)');
  t.ok(violations.some((v) => v.includes('inline')), 'the inline script was reported');
  t.ok(errors.some((e) => e.includes('lv-hook="Chart": the element needs an id')), 'a hook element without an id is reported');
  t.ok(errors.some((e) => e.includes('lv-hook="Nope": no such hook')), 'an unknown hook is reported');
  await page.close();
});

t.test('a chart hook keeps its canvas through ten patches, and updated runs for each', async (t) => {
  const { page } = await open();
  t.same((await log(page)).filter((e) => e.startsWith('mounted')), ['mounted 3,1,4'], 'mounted once, with the server data');
  await page.evaluate(() => ((document.getElementById('chart-canvas') as HTMLCanvasElement & { mark?: number }).mark = 7));
  for (let i = 0; i < 10; i++) {
    await page.click('#bump');
    await waitLog(page, `updated 3,1,4${Array.from({ length: i + 1 }, (_, j) => ',' + (j + 3)).join('')}`);
  }
  const canvas = await page.evaluate(() => {
    const c = document.getElementById('chart-canvas') as HTMLCanvasElement & { mark?: number };
    return { mark: c.mark, drawn: c.dataset.drawn, inChart: c.parentElement?.id };
  });
  t.same(canvas, { mark: 7, drawn: '13', inChart: 'chart' }, 'the same canvas, redrawn with 13 points');
  const entries = await log(page);
  t.equal(entries.filter((e) => e.startsWith('updated')).length, 10, 'updated ran ten times');
  t.equal(entries.filter((e) => e.startsWith('beforeUpdate')).length, 10, 'beforeUpdate ran ten times');
  t.equal(entries.filter((e) => e.startsWith('mounted')).length, 1, 'never mounted again');
  // A diff that does not change the chart's HTML does not tell it.
  await page.click('#retone');
  await page.waitForSelector('#widgets.tone-loud');
  t.equal((await log(page)).filter((e) => e.startsWith('updated')).length, 10, 'a diff elsewhere is not an update of the hook');
  await page.close();
});

t.test('an element whose hook name changes loses the old hook and gets the new one', async (t) => {
  const { page } = await open();
  await waitLog(page, 'mood mounted Calm');
  await page.click('#retone');
  await waitLog(page, 'mood mounted Loud');
  const mood = (await log(page)).filter((e) => e.startsWith('mood'));
  t.same(mood, ['mood mounted Calm', 'mood destroyed Calm', 'mood mounted Loud'], 'destroyed, then the new one mounted');
  await page.close();
});

t.test('pushEvent resolves with the handler reply; an undeclared event is refused and the socket keeps working', async (t) => {
  const { page } = await open();
  await waitLog(page, 'refused LV_EVENT_UNKNOWN');
  await page.click('#bump');
  await waitLog(page, 'updated 3,1,4,3');
  t.pass('events still work after the refused one');
  await page.close();
});

t.test('an event the server pushes reaches handleEvent after the patch', async (t) => {
  const { page } = await open();
  await page.click('#notify');
  await waitLog(page, 'highlight red 3');
  t.equal(await page.evaluate(() => document.getElementById('chart')!.style.outlineColor), 'red', 'the hook styled its element');
  await page.close();
});

t.test('disconnected and reconnected run when the socket drops and the view joins again', async (t) => {
  const { page } = await open();
  await page.evaluate(() => (window as unknown as { Livery: { disconnect(): void } }).Livery.disconnect());
  await waitLog(page, 'disconnected');
  await page.evaluate(() => (window as unknown as { Livery: { connect(): void } }).Livery.connect());
  await waitLog(page, 'reconnected');
  const entries = await log(page);
  t.equal(entries.filter((e) => e.startsWith('mounted')).length, 1, 'the hook is not mounted again by the rejoin');
  t.equal(await page.evaluate(() => (document.getElementById('chart-canvas') as HTMLCanvasElement).dataset.drawn), '3', 'its canvas is still there');
  await page.click('#hide-chart');
  await waitLog(page, 'destroyed');
  t.equal(await page.$('#chart'), null, 'the element left; destroyed ran');
  await page.close();
});

t.test('a menu opened with a JS command stays open through diffs; its push reaches the view', async (t) => {
  const { page } = await open();
  t.equal(await page.isVisible('#menu'), false);
  await page.click('#menu-button');
  t.equal(await page.isVisible('#menu'), true, 'shown at once, without a round trip');
  await page.waitForFunction(() => document.getElementById('opened')!.textContent!.startsWith('opened 1'), undefined, { timeout: 5000 });
  await page.click('#retone');
  await page.waitForSelector('#menu.loud', { state: 'attached' });
  t.equal(await page.isVisible('#menu'), true, 'still open after a diff re-rendered its class');
  await page.click('#bump');
  await idle(page);
  t.equal(await page.isVisible('#menu'), true, 'and after another');
  await page.click('#menu-button');
  t.equal(await page.isVisible('#menu'), false, 'the toggle closes it');
  await page.waitForFunction(() => document.getElementById('opened')!.textContent!.startsWith('opened 2'), undefined, { timeout: 5000 });
  await page.click('#retone');
  await page.waitForSelector('#menu.calm', { state: 'attached' });
  t.equal(await page.isVisible('#menu'), false, 'and it stays closed');
  await page.close();
});

t.test('commands the view declares (JS on the server) run from {{ js.name }}; their class and attribute changes are sticky', async (t) => {
  const { page } = await open();
  await page.click('#panel-button');
  t.equal(await page.isVisible('#panel'), true, 'shown over the hidden attribute');
  await page.waitForFunction(() => document.getElementById('opened')!.textContent!.startsWith('opened 1'), undefined, { timeout: 5000 });
  await page.click('#retone');
  await page.waitForSelector('#panel.loud', { state: 'attached' });
  const panel = await page.evaluate(() => ({ cls: document.getElementById('panel')!.className, expanded: document.getElementById('panel-button')!.getAttribute('aria-expanded') }));
  t.same(panel, { cls: 'panel loud open', expanded: 'true' }, 'the server class changed; the class and the button\'s aria-expanded the command set stayed');
  t.equal(await page.isVisible('#panel'), true);
  await page.close();
});

t.test('lv-ignore-attributes keeps the attributes the page changed', async (t) => {
  const { page } = await open();
  await page.click('#details summary');
  t.equal(await page.getAttribute('#details', 'open'), '');
  await page.click('#retone');
  await page.waitForFunction(() => document.getElementById('details')!.textContent!.includes('loud'), undefined, { timeout: 5000 });
  t.equal(await page.getAttribute('#details', 'open'), '', 'still open after the diff re-rendered its content');
  await page.close();
});

t.test('commands run outside every view too (a layout menu)', async (t) => {
  const { page } = await open();
  await page.click('#layout-button');
  t.equal(await page.getAttribute('#layout-nav', 'class'), 'open', 'toggle_class');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#one', 'focus_first');
  await page.click('#layout-button');
  t.equal(await page.getAttribute('#layout-nav', 'class'), '', 'toggled back');
  await page.close();
});

t.test('the other commands, run with Livery.exec; what they remove stays removed through diffs', async (t) => {
  const { page } = await open();
  const seen = await page.evaluate(() => {
    const box = document.getElementById('box')!;
    const got: unknown[] = [];
    document.addEventListener('boxed', (e) => got.push((e as CustomEvent).detail));
    (window as unknown as { Livery: { exec(el: Element, c: unknown): void } }).Livery.exec(box, [
      ['remove_class', { names: 'keep' }],
      ['remove_attribute', { name: 'title' }],
      ['dispatch', { event: 'boxed', detail: { a: 1 } }],
      ['focus', { inner: '#box-focus' }],
      ['transition', { transition: 'fading', start: 'from', end: 'to', time: 300 }],
    ]);
    return { got, cls: box.className, title: box.getAttribute('title'), focused: document.activeElement?.id };
  });
  t.same(seen, { got: [{ a: 1 }], cls: 'box calm fading from', title: null, focused: 'box-focus' }, 'at once: class and attribute removed, event dispatched, focus moved, transition started');
  await page.waitForFunction(() => document.getElementById('box')!.className === 'box calm', undefined, { timeout: 5000 });
  t.pass('the transition ran and its classes are gone');
  await page.click('#retone');
  await page.waitForSelector('#box.loud', { state: 'attached' });
  t.same(await page.evaluate(() => ({ cls: document.getElementById('box')!.className, title: document.getElementById('box')!.getAttribute('title') })), { cls: 'box loud', title: null }, 'the diff changed the tone; the removed class and attribute stay removed');
  await page.evaluate(() => (window as unknown as { Livery: { exec(el: Element, c: unknown): void } }).Livery.exec(document.querySelector('#box .inner')!, [['hide', { closest: '#box' }]]));
  t.equal(await page.isVisible('#box'), false, 'hide, on the closest #box');
  await page.click('#retone');
  await page.waitForSelector('#box.calm', { state: 'attached' });
  t.equal(await page.isVisible('#box'), false, 'still hidden after a diff');
  await page.close();
});
