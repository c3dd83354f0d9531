// The client alone in a real Chromium: a node:http server serves scripted pages and the built
// bundle, and a `ws` server at /live plays the server side of docs/protocol.md frame by frame.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildClient } from '../../client/build.ts';

// Functions handed to page.evaluate run in the page; the root tsconfig has no DOM lib.
declare const document: any;
declare const window: any;
declare const sessionStorage: any;

type Frame = any[];
type Diff = Record<string, unknown>;

interface Conn {
  id: number;
  ws: WebSocket;
  send(frame: unknown[]): void;
}

/** The server side of the protocol, scripted per test. */
class FakeLive {
  conns: Conn[] = [];
  frames: { conn: Conn; frame: Frame }[] = [];
  /** token → the diff a join with it is answered with. */
  joins = new Map<string, Diff>();
  answerHeartbeats = true;
  onEvent: ((conn: Conn, frame: Frame) => void) | undefined;

  constructor(wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      const conn: Conn = { id: this.conns.length + 1, ws, send: (f) => ws.send(JSON.stringify(f)) };
      this.conns.push(conn);
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        this.frames.push({ conn, frame });
        this.handle(conn, frame);
      });
    });
  }

  reset(): void {
    this.conns = [];
    this.frames = [];
    this.joins.clear();
    this.answerHeartbeats = true;
    this.onEvent = undefined;
  }

  private handle(conn: Conn, frame: Frame): void {
    const [, type, ref, vid] = frame;
    // Join frames are [2, 'j', ref, vid, view, token].
    if (type === 'j' && this.joins.has(frame[5])) conn.send([2, 'r', ref, vid, this.joins.get(frame[5])]);
    if (type === 'l' || (type === 'h' && this.answerHeartbeats)) conn.send([2, 'r', ref, vid ?? 0]);
    if (type === 'e') this.onEvent?.(conn, frame);
  }

  of(type: string, event?: string): Frame[] {
    return this.frames.map((f) => f.frame).filter((f) => f[1] === type && (event === undefined || f[4] === event));
  }

  /** Waits for the `n`th frame (1-based) of a type (and event name). */
  async frame(type: string, event?: string, n = 1): Promise<Frame> {
    return until(() => this.of(type, event)[n - 1], `frame #${n} ${type} ${event ?? ''}`);
  }
}

async function until<T>(probe: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A join reply: one block with its statics in `p` and a fresh token. */
function joinReply(fp: string, statics: string[], slots: Record<number, unknown>, token: string, more: Record<string, string[]> = {}): Diff {
  return { p: { [fp]: statics, ...more }, s: fp, ...slots, t: token };
}

function pageHtml(body: string): string {
  // Records every class change of view containers, so transient states can be asserted.
  const recorder = `<script>window.__classes=[];new MutationObserver(function(ms){ms.forEach(function(m){
    if(m.target.hasAttribute('data-lv-token'))window.__classes.push(m.target.id+':'+m.target.className)})})
    .observe(document.documentElement,{attributes:true,subtree:true,attributeFilter:['class']});window.__marker=1</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"></head><body>${recorder}${body}<script src="/livery.js"></script></body></html>`;
}

const pages = new Map<string, string>();
const loads = new Map<string, number>();
let server: Server;
let live: FakeLive;
let browser: Browser;
let origin: string;
let outDir: string;

t.before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'livery-browser-'));
  const { manifest } = await buildClient({ outDir });
  const bundle = await readFile(join(outDir, manifest.file));
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livery.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    const html = pages.get(path);
    if (!html) return void res.writeHead(404).end();
    loads.set(path, (loads.get(path) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  live = new FakeLive(new WebSocketServer({ server, path: '/live' }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

t.teardown(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await rm(outDir, { recursive: true, force: true });
});

let current: { page?: Page; errors: string[] } = { errors: [] };

/** A browser test: its page is closed afterwards, and errors thrown in the page fail it. */
function test(name: string, fn: (t: Test) => Promise<void>): void {
  t.test(name, async (t) => {
    current = { errors: [] };
    live.reset();
    try {
      await fn(t);
      t.same(current.errors, [], 'no errors in the page');
    } finally {
      await current.page?.close();
    }
  });
}

/** Opens `body` as a fresh page at `path` (script the joins first: the client joins at once). */
async function open(path: string, body: string, setup?: (page: Page) => Promise<void>): Promise<Page> {
  pages.set(path, pageHtml(body));
  const page = (current.page = await browser.newPage());
  page.on('pageerror', (err) => current.errors.push(String(err)));
  await setup?.(page);
  await page.goto(origin + path);
  return page;
}

const classOf = (page: Page, sel: string) => page.getAttribute(sel, 'class').then((c) => (c ?? '').split(/\s+/));
const waitClass = (page: Page, sel: string, cls: string, present = true) =>
  page.waitForFunction(([s, c, p]) => document.querySelector(s)?.classList.contains(c) === p, [sel, cls, present] as const, { timeout: 5000 });

/** The state classes a container went through (recorded in the page, so none is missed). */
async function stateHistory(page: Page, id: string): Promise<string[]> {
  const history: string[] = await page.evaluate(() => window.__classes);
  const states = history
    .filter((h) => h.startsWith(id + ':'))
    .map((h) => h.slice(id.length + 1).split(' ').find((c) => /^lv-(connecting|connected|disconnected|error)$/.test(c)) ?? '');
  return states.filter((s, i) => s !== states[i - 1]);
}

const COUNTER = ['<p>Count: <span id="count">', '</span></p><button id="inc" lv-click="inc" lv-value-step="2" lv-value-who="me">+</button>'];
const counterPage = (id: string, token: string, count: string) =>
  `<div id="${id}" data-lv-view="counter" data-lv-token="${token}"><p>Count: <span id="count">${count}</span></p></div>`;

test('one socket joins every view on the page, numbered in document order', async (t) => {
  live.joins.set('tok-a', joinReply('va', ['<b id="ra">', '</b>'], { 0: 'A ready' }, 'tok-a2'));
  live.joins.set('tok-b', joinReply('vb', ['<i id="rb">', '</i>'], { 0: 'B ready' }, 'tok-b2'));
  const page = await open('/two', `<div id="a" data-lv-view="counter" data-lv-token="tok-a">loading a</div><div id="b" data-lv-view="counter" data-lv-token="tok-b">loading b</div>`);
  const ja = await live.frame('j', undefined, 1);
  const jb = await live.frame('j', undefined, 2);
  t.same([ja[0], ja[1], ja[3], ja[4], ja[5]], [2, 'j', 1, 'counter', 'tok-a']);
  t.same([jb[0], jb[1], jb[3], jb[4], jb[5]], [2, 'j', 2, 'counter', 'tok-b']);
  t.ok(ja[2] > 0 && jb[2] > ja[2], 'refs are positive and increasing');
  t.equal(live.conns.length, 1, 'both views share one socket');
  await waitClass(page, '#b', 'lv-connected');
  await waitClass(page, '#a', 'lv-connected');
  t.equal(await page.textContent('#ra'), 'A ready', 'the join reply was rendered into view 1');
  t.equal(await page.textContent('#rb'), 'B ready', 'and into view 2');
  t.notOk((await classOf(page, '#a')).includes('lv-connecting'), 'one state class at a time');
});

test('a click sends its event with lv-value-* and applies the reply diff', async (t) => {
  live.joins.set('tok-c', joinReply('ctr', COUNTER, { 0: '7' }, 'tok-c2'));
  live.onEvent = (conn, [, , ref, vid]) => conn.send([2, 'r', ref, vid, { 0: '9' }]);
  const page = await open('/click', counterPage('c', 'tok-c', '7'));
  await waitClass(page, '#c', 'lv-connected');
  await page.click('#inc');
  const e = await live.frame('e', 'inc');
  t.same([e[0], e[1], e[3], e[4], e[5]], [2, 'e', 1, 'inc', { step: '2', who: 'me' }]);
  await page.waitForFunction(() => document.querySelector('#count').textContent === '9', undefined, { timeout: 5000 });
  t.pass('the diff was applied');
});

test('lv-loading marks the element and its view while the event is in flight', async (t) => {
  live.joins.set('tok-c', joinReply('ctr', COUNTER, { 0: '7' }, 'tok-c2'));
  const page = await open('/loading', counterPage('c', 'tok-c', '7'));
  await waitClass(page, '#c', 'lv-connected');
  await page.click('#inc');
  const [, , ref, vid] = await live.frame('e', 'inc');
  t.ok((await classOf(page, '#inc')).includes('lv-loading'), 'on the element');
  t.ok((await classOf(page, '#c')).includes('lv-loading'), 'on the view container');
  live.conns[0].send([2, 'r', ref, vid]);
  await waitClass(page, '#inc', 'lv-loading', false);
  await waitClass(page, '#c', 'lv-loading', false);
  t.pass('a bare reply clears both');
});

test('a diff arriving while the user types keeps focus, caret and the typed text', async (t) => {
  const statics = ['<label id="lbl">', '</label><input id="q" name="q" class="', '" value="', '">'];
  live.joins.set('tok-t', joinReply('form', statics, { 0: 'Name', 1: 'plain', 2: '' }, 'tok-t2'));
  const page = await open('/typing', '<div id="v" data-lv-token="tok-t"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.click('#q');
  await page.keyboard.type('hello');
  await page.evaluate(() => document.querySelector('#q').setSelectionRange(2, 2));
  live.conns[0].send([2, 'd', 1, { 0: 'Your name', 1: 'big', 2: 'SERVER' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'Your name', undefined, { timeout: 5000 });
  const state = await page.evaluate(() => {
    const q = document.querySelector('#q');
    return { value: q.value, caret: q.selectionStart, focused: document.activeElement === q, cls: q.className };
  });
  t.same(state, { value: 'hello', caret: 2, focused: true, cls: 'big' }, 'value and caret kept, other attributes updated');

  await page.evaluate(() => document.querySelector('#q').blur());
  live.conns[0].send([2, 'd', 1, { 0: 'Blurred', 2: 'SERVER2' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'Blurred', undefined, { timeout: 5000 });
  t.equal(await page.inputValue('#q'), 'SERVER2', 'a field the user left takes the server value');
});

test('a focused field in a keyed row keeps focus and caret when the row moves', async (t) => {
  const p = { rows: ['<ul>', '</ul>'], row: ['<li data-lv-key="', '"><input id="in-', '" value="', '"></li>'] };
  const row = (k: string) => ({ 0: k, 1: k, 2: '' });
  live.joins.set('tok-m', { p, s: 'rows', 0: { s: 'row', k: ['a', 'b', 'c'], e: { a: row('a'), b: row('b'), c: row('c') } } });
  const page = await open('/move-focus', '<div id="v" data-lv-token="tok-m"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.click('#in-c');
  await page.keyboard.type('typed');
  await page.evaluate(() => document.querySelector('#in-c').setSelectionRange(1, 3));
  live.conns[0].send([2, 'd', 1, { 0: { m: [[0, 'c']] } }]);
  await page.waitForFunction(() => document.querySelector('li').dataset.lvKey === 'c', undefined, { timeout: 5000 });
  const state = await page.evaluate(() => {
    const q = document.querySelector('#in-c');
    return { value: q.value, sel: [q.selectionStart, q.selectionEnd], focused: document.activeElement === q };
  });
  t.same(state, { value: 'typed', sel: [1, 3], focused: true });
});

test('lv-submit serializes the form (repeated names → array) and prevents the navigation', async (t) => {
  const form = `<form id="f" lv-submit="save" lv-value-form="f1" action="/elsewhere">
    <input name="title" value="T"><textarea name="body">text</textarea>
    <input type="checkbox" name="tags" value="a" checked><input type="checkbox" name="tags" value="b" checked>
    <input type="checkbox" name="tags" value="c"><select name="size"><option>s</option><option selected>m</option></select>
    <button id="go" name="action" value="publish">Go</button></form>`;
  live.joins.set('tok-s', joinReply('f', [form], {}, 'tok-s2'));
  const page = await open('/submit', `<div id="v" data-lv-token="tok-s">${form}</div>`);
  await waitClass(page, '#v', 'lv-connected');
  await page.click('#go');
  const e = await live.frame('e', 'save');
  t.same(e[5], { title: 'T', body: 'text', tags: ['a', 'b'], size: 'm', action: 'publish', form: 'f1' });
  t.equal(await page.evaluate(() => window.__marker), 1, 'still the same page');
  t.equal(new URL(page.url()).pathname, '/submit');
});

const PING = '<button id="ping" lv-click="ping">ping</button>';
/**
 * Frames on one socket arrive in order: once a later ping arrives, every earlier frame has.
 * Clicked from script, so focus does not move (a blur would flush debounced events).
 */
async function barrier(page: Page, n: number): Promise<void> {
  await page.evaluate(() => document.querySelector('#ping').click());
  await live.frame('e', 'ping', n);
}

test('lv-debounce, lv-debounce="blur" and lv-throttle', async (t) => {
  const fields = `<input id="d" name="q" lv-input="search" lv-debounce="100">
    <input id="b" name="b" lv-input="onblur" lv-debounce="blur">
    <form lv-change="validate"><input id="th" name="th" lv-throttle="100"><input name="other" value="o"></form>${PING}`;
  live.joins.set('tok-l', joinReply('l', [fields], {}, 'tok-l2'));
  const page = await open('/limits', `<div id="v" data-lv-token="tok-l">${fields}</div>`);
  await waitClass(page, '#v', 'lv-connected');
  // All events of one burst fire in a single task: well inside any rate-limit window.
  const burst = (sel: string, type: string) =>
    page.evaluate(([s, ty]) => {
      const el = document.querySelector(s);
      for (const v of ['a', 'ab', 'abc', 'abcd']) {
        el.value = v;
        el.dispatchEvent(new window.Event(ty, { bubbles: true }));
      }
    }, [sel, type] as const);

  await burst('#d', 'input');
  t.same((await live.frame('e', 'search'))[5], { q: 'abcd' }, 'debounce sends the latest value');
  await barrier(page, 1);
  t.equal(live.of('e', 'search').length, 1, 'once for the whole burst');

  await page.focus('#b');
  await burst('#b', 'input');
  await barrier(page, 2);
  t.equal(live.of('e', 'onblur').length, 0, '"blur" holds the events while focused');
  await page.evaluate(() => document.querySelector('#b').blur());
  t.same((await live.frame('e', 'onblur'))[5], { b: 'abcd' }, 'and sends the latest on blur');
  await barrier(page, 3);
  t.equal(live.of('e', 'onblur').length, 1);

  await burst('#th', 'change');
  const first = await live.frame('e', 'validate', 1);
  const trailing = await live.frame('e', 'validate', 2);
  t.same(first[5], { th: 'a', other: 'o', _target: 'th', _unused: ['other'] }, 'throttle sends the first at once (form payload with _target, and _unused: the fields not used yet)');
  t.same(trailing[5], { th: 'abcd', other: 'o', _target: 'th', _unused: ['other'] }, 'and keeps the trailing one');
  await barrier(page, 4);
  t.equal(live.of('e', 'validate').length, 2, 'nothing in between');
});

test('lv-keydown with an lv-key filter, lv-window-keyup and lv-change on a field', async (t) => {
  const html = `<input id="k" name="k" lv-keydown="enter" lv-key="Enter" lv-value-list="7">
    <div lv-window-keyup="esc" lv-key="Escape"></div><select id="sel" lv-change="pick"><option>x</option><option>y</option></select>${PING}`;
  live.joins.set('tok-k', joinReply('k', [html], {}, 'tok-k2'));
  const page = await open('/keys', `<div id="v" data-lv-token="tok-k">${html}</div>`);
  await waitClass(page, '#v', 'lv-connected');
  await page.focus('#k');
  await page.keyboard.press('a');
  await page.keyboard.press('Enter');
  t.same((await live.frame('e', 'enter'))[5], { key: 'Enter', list: '7' });
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('x');
  await page.keyboard.press('Escape');
  t.same((await live.frame('e', 'esc'))[5], { key: 'Escape' }, 'window keys from anywhere on the page');
  await page.selectOption('#sel', 'y');
  t.same((await live.frame('e', 'pick'))[5], { value: 'y' }, 'an unnamed field sends {value}');
  await barrier(page, 1);
  t.equal(live.of('e', 'enter').length, 1, 'the filtered key did not fire');
  t.equal(live.of('e', 'esc').length, 1);
});

test('a keyed list diff inserts, moves and removes rows, keeping the moved elements', async (t) => {
  const p = { list: ['<ul id="ul">', '</ul>'], item: ['<li data-lv-key="', '">', '</li>'] };
  const names: Record<string, string> = { 1: 'One', 2: 'Two', 3: 'Three', 9: 'Nine' };
  const e = Object.fromEntries(Object.entries(names).map(([k, v]) => [k, { 0: k, 1: v }]));
  live.joins.set('tok-li', { p, s: 'list', 0: { s: 'item', k: ['1', '2', '3', '9'], e } });
  const page = await open('/list', '<div id="v" data-lv-token="tok-li"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.evaluate(() => document.querySelectorAll('li').forEach((li: any) => (li.__mark = li.textContent)));
  live.conns[0].send([2, 'd', 1, { 0: { d: ['2'], m: [[0, '9'], [1, '4']], e: { 4: { 0: '4', 1: 'Delta' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('li').length === 4 && document.querySelector('li').textContent === 'Nine', undefined, { timeout: 5000 });
  const rows = await page.evaluate(() => Array.from(document.querySelectorAll('li'), (li: any) => [li.textContent, li.__mark ?? null]));
  t.same(rows, [['Nine', 'Nine'], ['Delta', null], ['One', 'One'], ['Three', 'Three']], 'order right; kept rows are the same elements');
});

test('list diffs of protocol 2: runs (r) and the whole order (k), in the real client', async (t) => {
  const p = { list: ['<ul id="ul">', '</ul>'], item: ['<li data-lv-key="', '">', '</li>'] };
  const keys = Array.from({ length: 10 }, (_, i) => String(i + 1));
  const e = Object.fromEntries(keys.map((k) => [k, { 0: k, 1: `Row ${k}` }]));
  live.joins.set('tok-runs', { p, s: 'list', 0: { s: 'item', k: keys, e } });
  const page = await open('/runs', '<div id="v" data-lv-token="tok-runs"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.evaluate(() => document.querySelectorAll('li').forEach((li: any) => (li.__mark = li.textContent)));
  const rows = () => page.evaluate(() => Array.from(document.querySelectorAll('li'), (li: any) => [li.textContent, li.__mark ?? null]));
  live.conns[0].send([2, 'd', 1, { 0: { r: [1, 3, 2, 3] } }]); // keep 1, drop 2–4, keep 5–6, drop 7–9, keep 10
  await page.waitForFunction(() => document.querySelectorAll('li').length === 4, undefined, { timeout: 5000 });
  t.same(await rows(), [['Row 1', 'Row 1'], ['Row 5', 'Row 5'], ['Row 6', 'Row 6'], ['Row 10', 'Row 10']], 'runs kept the right rows, as the same elements');
  live.conns[0].send([2, 'd', 1, { 0: { k: ['10', '11', '1'], e: { 11: { 0: '11', 1: 'Row 11' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('li').length === 3, undefined, { timeout: 5000 });
  t.same((await rows()).map(([text]) => text), ['Row 10', 'Row 11', 'Row 1'], 'the whole order: removed, inserted, reordered');
  t.notOk(await page.evaluate(() => document.querySelector('#v')!.classList.contains('lv-error')), 'no merge error');
});

test('a dropped socket: lv-disconnected, then reconnect and re-join with the latest token', async (t) => {
  live.joins.set('tok-r', joinReply('ctr', COUNTER, { 0: '1' }, 'tok-r2'));
  live.joins.set('tok-r2', joinReply('ctr', COUNTER, { 0: '2' }, 'tok-r3'));
  const page = await open('/reconnect', counterPage('c', 'tok-r', '1'));
  await waitClass(page, '#c', 'lv-connected');
  live.conns[0].ws.terminate();
  const rejoin = await live.frame('j', undefined, 2);
  t.equal(rejoin[5], 'tok-r2', 'the token from the join reply');
  t.equal(rejoin[3], 1, 'the same vid');
  t.equal(live.conns.length, 2, 'on a new socket');
  await page.waitForFunction(() => document.querySelector('#count').textContent === '2', undefined, { timeout: 5000 });
  await waitClass(page, '#c', 'lv-connected');
  const states = await stateHistory(page, 'c');
  t.ok(states.indexOf('lv-disconnected') > states.indexOf('lv-connected'), `lv-disconnected after lv-connected: ${states.join(', ')}`);
  t.equal(states.at(-1), 'lv-connected', 'connected again');
});

test('a missing heartbeat reply is a dead socket: the client reconnects', async (t) => {
  live.joins.set('tok-h', joinReply('ctr', COUNTER, { 0: '1' }, 'tok-h'));
  live.answerHeartbeats = false;
  const page = await open('/heartbeat', counterPage('c', 'tok-h', '1'), (page) => page.clock.install());
  await waitClass(page, '#c', 'lv-connected');
  await page.clock.runFor(30_000);
  const beat = await live.frame('h');
  t.same([beat[0], beat[1], beat.length], [2, 'h', 3], 'a heartbeat frame');
  await page.clock.runFor(30_000); // the next beat finds the first one unanswered
  await page.clock.runFor(1_000); // past the first backoff (at most 200 ms)
  await live.frame('j', undefined, 2);
  t.equal(live.conns.length, 2, 'a new socket');
  const states = await stateHistory(page, 'c');
  t.ok(states.lastIndexOf('lv-disconnected') > states.indexOf('lv-connected'), `dropped after connecting: ${states.join(', ')}`);
});

test('a frame with another protocol version reloads the page', async (t) => {
  live.joins.set('tok-v', joinReply('ctr', COUNTER, { 0: '1' }, 'tok-v2'));
  const page = await open('/version', counterPage('c', 'tok-v', '1'));
  await waitClass(page, '#c', 'lv-connected');
  t.equal(loads.get('/version'), 1);
  live.conns[0].send([1, 'd', 1, { 0: '5' }]);
  await until(() => (loads.get('/version') === 2 ? true : undefined), 'the reload');
  await live.frame('j', undefined, 2);
  t.ok(await page.evaluate(() => sessionStorage.getItem('lv-reload-at')), 'the reload guard is armed');
});

test('an error frame marks the view lv-error, clears lv-loading and dispatches lv:error', async (t) => {
  live.joins.set('tok-x', joinReply('ctr', COUNTER, { 0: '7' }, 'tok-x2'));
  live.onEvent = (conn, [, , ref, vid]) => conn.send([2, 'x', ref, vid, 'LV_EVENT_FAILED', 'boom']);
  const page = await open('/error', counterPage('c', 'tok-x', '7'));
  await waitClass(page, '#c', 'lv-connected');
  await page.evaluate(() => {
    window.__errors = [];
    document.querySelector('#c').addEventListener('lv:error', (e: any) => window.__errors.push(e.detail));
  });
  await page.click('#inc');
  await waitClass(page, '#c', 'lv-error');
  t.same(await page.evaluate(() => window.__errors), [{ code: 'LV_EVENT_FAILED', message: 'boom' }]);
  const cls = await classOf(page, '#c');
  t.notOk(cls.includes('lv-connected') || cls.includes('lv-loading'), 'lv-error replaces lv-connected; loading cleared');
  t.notOk((await classOf(page, '#inc')).includes('lv-loading'));
});

test('nested views: the parent patch skips the child; a removed child container is left', async (t) => {
  const childHtml = '<div id="child" data-lv-token="tok-child">server-side child</div>';
  live.joins.set('tok-parent', joinReply('par', ['<h1>', '</h1>', ''], { 1: { s: 'wrap' }, 0: 'Parent' }, 'tok-p2', { wrap: [childHtml] }));
  live.joins.set('tok-child', joinReply('chi', ['<p id="cp">', '</p>'], { 0: 'child ready' }, 'tok-c2'));
  const page = await open('/nested', `<div id="parent" data-lv-token="tok-parent"><h1>Old</h1>${childHtml}</div>`);
  const jc = await live.frame('j', undefined, 2);
  t.same([jc[3], jc[5]], [2, 'tok-child'], 'the nested container is view 2');
  await waitClass(page, '#child', 'lv-connected');
  await waitClass(page, '#parent', 'lv-connected');
  t.equal(await page.textContent('#child'), 'child ready');

  live.conns[0].send([2, 'd', 1, { 0: 'Parent 2' }]);
  await page.waitForFunction(() => document.querySelector('h1').textContent === 'Parent 2', undefined, { timeout: 5000 });
  t.equal(await page.textContent('#child'), 'child ready', 'the parent diff did not patch into the child');
  t.ok((await classOf(page, '#child')).includes('lv-connected'), 'nor reset its classes');

  live.conns[0].send([2, 'd', 1, { 1: '' }]);
  const leave = await live.frame('l');
  t.same([leave[1], leave[3]], ['l', 2], 'leave for the child');
});

test('navigation: the join names the page URL; page keys alone set the title and flash; a hostile redirect is refused', async (t) => {
  live.joins.set('tok-n', joinReply('ctr', COUNTER, { 0: '1' }, 'tok-n2'));
  const page = await open('/nav', `<div id="lv-flash"></div>${counterPage('n', 'tok-n', '1')}`);
  const join = await live.frame('j');
  t.equal(join[6], '/nav', 'the join carries the path and query the browser shows');
  await waitClass(page, '#n', 'lv-connected');
  live.conns[0].send([2, 'd', 1, { h: 'New title', f: { error: '<b>bold</b>' } }]);
  await page.waitForFunction(() => document.title === 'New title', undefined, { timeout: 5000 });
  t.equal(await page.textContent('#lv-flash [data-lv-flash=error] p'), '<b>bold</b>', 'the message is text, not markup');
  t.equal(await page.textContent('#count'), '1', 'the view is untouched');
  for (const to of ['javascript:window.__pwned=1', 'data:text/html,<script>parent.__pwned=1</script>']) {
    live.conns[0].send([2, 'd', 1, { u: { to, kind: 'redirect' } }]);
  }
  live.conns[0].send([2, 'd', 1, { 0: '2' }]);
  await page.waitForFunction(() => document.querySelector('#count').textContent === '2', undefined, { timeout: 5000 });
  t.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  t.equal(await page.evaluate(() => window.__marker), 1, 'and the page was not left');
  t.equal(loads.get('/nav'), 1);
  await page.click('#lv-flash button');
  const clear = await live.frame('e', '_flash_clear');
  t.same(clear[5], { kind: 'error' }, 'dismissing a message tells the view');
});

/** The statics of a form with one field of each kind, whose server values are slots 0–3. */
const FIELDS = ['<form id="f"><input id="a" name="a" value="', '"><textarea id="ta" name="ta">', '</textarea><select id="s" name="s">',
  '</select><input type="checkbox" id="c" name="c" value="1"', '></form><p id="lbl">', '</p><button id="away">away</button>'];
const OPTIONS = '<option value="x">x</option><option value="y">y</option>';
const fieldValues = (page: Page) => page.evaluate(() => {
  const f = (id: string) => document.querySelector(id);
  return { a: f('#a').value, ta: f('#ta').value, s: f('#s').value, c: f('#c').checked };
});

test('form fields keep what the user typed through diffs that do not change them; a new server value wins', async (t) => {
  live.joins.set('tok-f', joinReply('fields', FIELDS, { 0: 'A0', 1: 'T0', 2: OPTIONS, 3: '', 4: 'L0' }, 'tok-f2'));
  const page = await open('/fields', '<div id="v" data-lv-token="tok-f"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.fill('#a', 'typed a');
  await page.fill('#ta', 'typed t');
  await page.selectOption('#s', 'y');
  await page.check('#c');
  await page.click('#away');
  live.conns[0].send([2, 'd', 1, { 4: 'L1', 2: OPTIONS + '<option value="z">z</option>' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L1', undefined, { timeout: 5000 });
  t.same(await fieldValues(page), { a: 'typed a', ta: 'typed t', s: 'y', c: true }, 'an unrelated diff (and a new option) overwrote nothing');

  live.conns[0].send([2, 'd', 1, { 0: 'A1', 1: 'T1', 2: OPTIONS + '<option value="z" selected>z</option>', 3: ' checked', 4: 'L2' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L2', undefined, { timeout: 5000 });
  t.same(await fieldValues(page), { a: 'A1', ta: 'T1', s: 'z', c: true }, 'values the server changed are applied');
  live.conns[0].send([2, 'd', 1, { 3: '', 4: 'L3' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L3', undefined, { timeout: 5000 });
  t.equal((await fieldValues(page)).c, false, 'the server unchecks it');
  t.equal(await page.evaluate(() => document.querySelector('#ta').defaultValue), 'T1', 'a textarea\'s default text follows the server');
});

test('a field whose value is on its way keeps it until the answer; a focused one keeps it always', async (t) => {
  const statics = ['<form id="f" lv-change="validate"><input id="q" name="q" value="', '"></form><p id="lbl">', '</p><button id="away">away</button>'];
  live.joins.set('tok-w', joinReply('wait', statics, { 0: '', 1: 'L0' }, 'tok-w2'));
  const page = await open('/in-flight', '<div id="v" data-lv-token="tok-w"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.click('#q');
  await page.keyboard.type('abc');
  const last = await live.frame('e', 'validate', 3);
  t.same(last[5], { q: 'abc', _target: 'q' }, 'a form\'s lv-change fires as the user types');
  live.conns[0].send([2, 'd', 1, { 0: 'ab', 1: 'L1' }]); // rendered before the server saw "abc"
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L1', undefined, { timeout: 5000 });
  t.equal(await page.inputValue('#q'), 'abc', 'focused: kept');
  await page.click('#away');
  live.conns[0].send([2, 'd', 1, { 0: 'a', 1: 'L2' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L2', undefined, { timeout: 5000 });
  t.equal(await page.inputValue('#q'), 'abc', 'unfocused but awaiting the answer to the event that carried it: kept');
  for (const [, , ref, vid] of live.of('e', 'validate')) live.conns[0].send([2, 'r', ref, vid]);
  await waitClass(page, '#v', 'lv-loading', false);
  live.conns[0].send([2, 'd', 1, { 0: 'from server', 1: 'L3' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L3', undefined, { timeout: 5000 });
  t.equal(await page.inputValue('#q'), 'from server', 'answered and unfocused: the server\'s new value wins');
});

test('a submit: lv-disable-with while in flight, a refused payload keeps the values, the reply resets the form', async (t) => {
  const statics = ['<form id="f" lv-submit="save"><input id="t" name="t" value="', '"><button id="go" lv-disable-with="Saving…">', '</button></form><p id="lbl">', '</p>'];
  live.joins.set('tok-s3', joinReply('sub', statics, { 0: '', 1: 'Save <i>it</i>', 2: 'L0' }, 'tok-s4'));
  const page = await open('/submit-reset', '<div id="v" data-lv-token="tok-s3"></div>');
  await waitClass(page, '#v', 'lv-connected');
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.click('#t');
  await page.keyboard.type('hello');
  await page.keyboard.press('Enter');
  const first = await live.frame('e', 'save', 1);
  t.same(first[5], { t: 'hello' });
  t.same(await page.evaluate(() => [document.querySelector('#go').disabled, document.querySelector('#go').innerHTML]), [true, 'Saving…'], 'disabled with its text');
  live.conns[0].send([2, 'd', 1, { 1: 'Save <i>again</i>', 2: 'L1' }]);
  await page.waitForFunction(() => document.querySelector('#lbl').textContent === 'L1', undefined, { timeout: 5000 });
  t.same(await page.evaluate(() => [document.querySelector('#go').disabled, document.querySelector('#go').innerHTML]), [true, 'Saving…'], 'a diff meanwhile does not release it');
  await page.keyboard.press('Enter');
  live.conns[0].send([2, 'x', first[2], 1, 'LV_EVENT_PAYLOAD_INVALID', 'Event payload invalid']);
  await page.waitForFunction(() => !document.querySelector('#go').disabled, undefined, { timeout: 5000 });
  t.equal(live.of('e', 'save').length, 1, 'Enter while in flight sent nothing');
  t.equal(await page.innerHTML('#go'), 'Save <i>again</i>', 'released with the server\'s latest content');
  t.equal(await page.inputValue('#t'), 'hello', 'a refused payload keeps what the user typed');
  t.notOk((await classOf(page, '#v')).includes('lv-error'), 'and is not an error of the page');
  t.same(warnings, [], 'nor a console warning');

  await page.keyboard.press('Enter');
  const second = await live.frame('e', 'save', 2);
  live.conns[0].send([2, 'r', second[2], 1, { 0: 'next' }]);
  await page.waitForFunction(() => document.querySelector('#t').value === 'next', undefined, { timeout: 5000 });
  t.same(await page.evaluate(() => {
    const el = document.activeElement;
    return [el.id, el.value, el.selectionStart, el.selectionEnd];
  }), ['t', 'next', 4, 4], 'the reply set the focused field to the server\'s value, caret at the end');
});

test('a join keeps what the user typed meanwhile and sends each used form to its recovery event', async (t) => {
  const forms = ['<form id="f1" lv-change="validate"><input id="a" name="a" value="', '"><input name="b"></form>' +
    '<form id="f2" lv-change="v2" lv-auto-recover="recover2"><input id="c" name="c"></form>' +
    '<form id="f3" lv-change="v3" lv-auto-recover="ignore"><input id="d" name="d"></form>' +
    '<form id="f4" lv-change="v4"><input id="e" name="e"></form><button id="away">away</button>' + PING];
  live.joins.set('tok-r', joinReply('rec', forms, { 0: '' }, 'tok-r2'));
  live.joins.set('tok-r2', joinReply('rec', forms, { 0: 'mounted afresh' }, 'tok-r3'));
  const page = await open('/recover', '<div id="v" data-lv-token="tok-r"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.evaluate(() => window.Livery.disconnect());
  await waitClass(page, '#v', 'lv-disconnected');
  await page.fill('#a', 'typed offline');
  await page.fill('#c', 'also');
  await page.fill('#d', 'ignored');
  await page.click('#away');
  await page.evaluate(() => window.Livery.connect());
  const validate = await live.frame('e', 'validate');
  t.same(validate[5], { a: 'typed offline', b: '', _unused: ['b'] }, 'the used form, with its unused fields');
  t.same((await live.frame('e', 'recover2'))[5], { c: 'also' }, 'lv-auto-recover names another event');
  await barrier(page, 1);
  t.same(live.of('e').map((f) => f[4]), ['validate', 'recover2', 'ping'], 'nothing for an "ignore" form or an untouched one');
  t.equal(await page.inputValue('#a'), 'typed offline', 'the join\'s new server value did not overwrite it');
});

// Row patching (D62): a diff that changes only rows of a keyed list patches those rows' elements.

/** A join reply of a table of `n` rows (`row` statics), keys "0"…, each row's slots from `slots(i)`. */
function rowsJoin(row: string[], slots: (i: number) => Record<number, string>, n: number, around = ['<h1 id="h">', '</h1><table><tbody id="tb">', '</tbody></table>']): Diff {
  const k = Array.from({ length: n }, (_, i) => String(i));
  return { p: { t: around, r: row }, s: 't', 0: 'Rows', 1: { s: 'r', k, e: Object.fromEntries(k.map((key, i) => [key, slots(i)])) }, t: 'tok-next' };
}

/** Numbers the elements matching `sel`, marks `foreign` (a whole-view morph removes the mark) and records mutations. */
const watchRows = (page: Page, sel: string, foreign: number) =>
  page.evaluate(([s, f]) => {
    const rows = document.querySelectorAll(s);
    rows.forEach((el: any, i: number) => (el.__mark = i));
    rows[f].setAttribute('data-foreign', 'kept');
    window.__observer?.disconnect();
    window.__records = [];
    window.__observer = new window.MutationObserver((records: unknown[]) => window.__records.push(...records));
    window.__observer.observe(document.querySelector('#v'), { subtree: true, childList: true, characterData: true, attributes: true });
  }, [sel, foreign] as const);

/** Since `watchRows`: whether the rows are the same elements, mutations outside row `changed`, and the foreign mark. */
const rowsSince = (page: Page, sel: string, changed: number, foreign: number) =>
  page.evaluate(([s, c, f]) => {
    const rows: any[] = Array.from(document.querySelectorAll(s));
    const records = [...window.__records, ...window.__observer.takeRecords()];
    const v = document.querySelector('#v');
    return {
      sameElements: rows.every((el: any, i: number) => el.__mark === i),
      inside: records.filter((r: any) => rows[c].contains(r.target)).length,
      outside: records.filter((r: any) => !rows[c].contains(r.target) && r.target !== v).length,
      foreign: rows[f].getAttribute('data-foreign'),
    };
  }, [sel, changed, foreign] as const);

const ROW = ['\n  <tr><th>', '</th><td class="v">', '</td></tr>'];

test('a diff that changes one row patches only that row; anything else morphs the view and maps the rows again', async (t) => {
  live.joins.set('tok-rows', rowsJoin(ROW, (i) => ({ 0: String(i), 1: `v${i}` }), 50));
  const page = await open('/rows', '<div id="v" data-lv-token="tok-rows"></div>');
  await waitClass(page, '#v', 'lv-connected');
  const text = (i: number) => page.evaluate((n) => document.querySelectorAll('tr')[n].textContent, i);

  await watchRows(page, 'tr', 3);
  live.conns[0].send([2, 'd', 1, { 1: { e: { 7: { 1: 'seven' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('tr')[7].textContent === '7seven', undefined, { timeout: 5000 });
  let seen = await rowsSince(page, 'tr', 7, 3);
  t.same(seen, { sameElements: true, inside: 1, outside: 0, foreign: 'kept' }, 'one text change, in that row; the others untouched');

  live.conns[0].send([2, 'd', 1, { 0: 'Rows 2', 1: { e: { 8: { 1: 'eight' } } } }]);
  await page.waitForFunction(() => document.querySelector('#h').textContent === 'Rows 2', undefined, { timeout: 5000 });
  seen = await rowsSince(page, 'tr', 8, 3);
  t.equal(seen.foreign, null, 'a change outside the rows morphs the whole view');
  t.equal(await text(8), '8eight');

  live.conns[0].send([2, 'd', 1, { 1: { m: [[0, '49']], d: ['0'] } }]);
  await page.waitForFunction(() => document.querySelectorAll('tr')[0].textContent === '49v49', undefined, { timeout: 5000 });
  t.equal(await page.evaluate(() => document.querySelectorAll('tr').length), 49, 'a move and a removal: the whole view');
  await watchRows(page, 'tr', 20);
  live.conns[0].send([2, 'd', 1, { 1: { e: { 49: { 1: 'moved' }, 1: { 1: 'one' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('tr')[0].textContent === '49moved', undefined, { timeout: 5000 });
  t.equal(await text(1), '1one', 'rows found again after the order changed');
  t.equal((await rowsSince(page, 'tr', 0, 20)).foreign, 'kept', 'and patched alone');

  await page.evaluate(() => document.querySelectorAll('tr')[5].remove());
  live.conns[0].send([2, 'd', 1, { 1: { e: { 5: { 1: 'five' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('tr').length === 49, undefined, { timeout: 5000 });
  t.equal(await text(5), '5five', 'a change to a row a script removed: the whole view is morphed and the row is back');
});

test('rows that are not one element each, and a row that becomes two: the whole view, right', async (t) => {
  const pairs = rowsJoin(['<dt>', '</dt><dd>', '</dd>'], (i) => ({ 0: `t${i}`, 1: `d${i}` }), 4, ['<h1 id="h">', '</h1><dl id="dl">', '</dl>']);
  live.joins.set('tok-pairs', pairs);
  const page = await open('/pairs', '<div id="v" data-lv-token="tok-pairs"></div>');
  await waitClass(page, '#v', 'lv-connected');
  live.conns[0].send([2, 'd', 1, { 1: { e: { 2: { 1: 'two' } } } }]);
  await page.waitForFunction(() => document.querySelector('#dl').textContent.includes('two'), undefined, { timeout: 5000 });
  t.equal(await page.innerHTML('#dl'), '<dt>t0</dt><dd>d0</dd><dt>t1</dt><dd>d1</dd><dt>t2</dt><dd>two</dd><dt>t3</dt><dd>d3</dd>');

  live.joins.set('tok-split', rowsJoin(['<p class="r">', '</p>'], (i) => ({ 0: `p${i}` }), 3, ['<h1 id="h">', '</h1><div id="d">', '</div>']));
  pages.set('/split', pageHtml('<div id="v" data-lv-token="tok-split"></div>'));
  await page.goto(origin + '/split');
  await waitClass(page, '#v', 'lv-connected');
  // A raw-HTML slot (|safe) that closes the row's element: the row is now three elements.
  live.conns.at(-1)!.send([2, 'd', 1, { 1: { e: { 1: { 0: 'x</p><div id="split">split</div><p class="r">y' } } } }]);
  await page.waitForSelector('#split', { timeout: 5000 });
  t.equal(await page.innerHTML('#d'), '<p class="r">p0</p><p class="r">x</p><div id="split">split</div><p class="r">y</p><p class="r">p2</p>');
});

test('an SVG row is parsed and patched as SVG', async (t) => {
  live.joins.set('tok-svg', rowsJoin(['<circle r="', '" data-n="', '"></circle>'], (i) => ({ 0: String(i + 1), 1: String(i) }), 5, ['<h1 id="h">', '</h1><svg id="s"><g>', '</g></svg>']));
  const page = await open('/svg', '<div id="v" data-lv-token="tok-svg"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await watchRows(page, 'circle', 0);
  live.conns[0].send([2, 'd', 1, { 1: { e: { 2: { 0: '9' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('circle')[2].getAttribute('r') === '9', undefined, { timeout: 5000 });
  t.same(await rowsSince(page, 'circle', 2, 0), { sameElements: true, inside: 1, outside: 0, foreign: 'kept' }, 'patched alone');
  t.same(await page.evaluate(() => Array.from(document.querySelectorAll('circle'), (c: any) => c.namespaceURI)), Array(5).fill('http://www.w3.org/2000/svg'));
});

test('a patched row keeps focus, caret, typed text and lv-loading', async (t) => {
  const row = ['<tr><td class="n">', '</td><td><input id="in-', '" name="q" value="', '"></td><td><button id="b-', '" lv-click="go">go</button></td></tr>'];
  live.joins.set('tok-focus', rowsJoin(row, (i) => ({ 0: `n${i}`, 1: String(i), 2: '', 3: String(i) }), 10));
  const page = await open('/row-focus', '<div id="v" data-lv-token="tok-focus"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.click('#in-5');
  await page.keyboard.type('hello');
  await page.evaluate(() => document.querySelector('#in-5').setSelectionRange(1, 3));
  await page.evaluate(() => document.querySelector('#b-6').click());
  await live.frame('e', 'go');
  await watchRows(page, 'tr', 0);
  live.conns[0].send([2, 'd', 1, { 1: { e: { 5: { 0: 'five', 2: 'SERVER' }, 6: { 0: 'six', 2: 'SIX' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('.n')[6].textContent === 'six', undefined, { timeout: 5000 });
  const state = await page.evaluate(() => {
    const q = document.querySelector('#in-5');
    return { value: q.value, sel: [q.selectionStart, q.selectionEnd], focused: document.activeElement === q, six: document.querySelector('#in-6').value, loading: document.querySelector('#b-6').classList.contains('lv-loading') };
  });
  t.same(state, { value: 'hello', sel: [1, 3], focused: true, six: 'SIX', loading: true }, 'the focused field kept; an untouched one takes the server value; lv-loading stays');
  t.equal((await rowsSince(page, 'tr', 5, 0)).foreign, 'kept', 'rows patched alone');
});

test('options are not patched as rows: the user\'s choice survives a diff to one option', async (t) => {
  live.joins.set('tok-opts', rowsJoin(['<option value="', '">', '</option>'], (i) => ({ 0: `o${i}`, 1: `Option ${i}` }), 5, ['<h1 id="h">', '</h1><select id="sel">', '</select>']));
  const page = await open('/options', '<div id="v" data-lv-token="tok-opts"></div>');
  await waitClass(page, '#v', 'lv-connected');
  await page.selectOption('#sel', 'o3');
  live.conns[0].send([2, 'd', 1, { 1: { e: { 1: { 1: 'Renamed' } } } }]);
  await page.waitForFunction(() => document.querySelectorAll('option')[1].textContent === 'Renamed', undefined, { timeout: 5000 });
  t.equal(await page.inputValue('#sel'), 'o3');
});
