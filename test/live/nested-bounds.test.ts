/**
 * What nested views (D81) may cost, and who may join them (D85). A page never shows more views
 * than one socket may join (`socket.maxViews`): the views past it would only ever be refused
 * LV_TOO_MANY_VIEWS at their join, and a page render mounts and stores every one it shows — a
 * `{% for %}` over a growing list made each page load cost a mount and a state write per item.
 * Joining one child token many times, or without its parent, is an ordinary join: the later
 * takes the earlier over (D35), and the socket's view limit counts nested views like any.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { seedTestData } from '../data/fixtures/seed.ts';
import { pgliteFactory } from '../data/fixtures.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

const MAX_VIEWS = 4;
const dir = mkdtempSync(join(tmpdir(), 'lv-nested-bounds-'));
writeFileSync(join(dir, 'list.html'), '<p id="n">{{ ids.length }}</p>{% for id in ids %}{% live "ItemView" id=id n=id %}{% endfor %}');
writeFileSync(join(dir, 'outer.html'), '{% for id in ids %}{% live "ListView" id=id %}{% endfor %}');
writeFileSync(join(dir, 'item.html'), '<i>{{ n }}</i>');

let mounts = 0;
class ItemView extends LiveView<{ n: string }> {
  static template = 'item.html';
  mount(params: Record<string, string>) {
    mounts++;
    return { n: params.n ?? '' };
  }
}

/** `?n=` children; `grow` adds more in a live re-render. */
class ListView extends LiveView<{ ids: string[] }> {
  static template = 'list.html';
  static events = { grow: z.object({ count: z.coerce.number().int() }), shrink: null };
  mount(params: Record<string, string>) {
    return { ids: Array.from({ length: Number(params.n ?? 2) }, (_, i) => `i${i}`) };
  }
  grow({ count }: { count: number }) {
    const start = this.state.ids.length;
    this.state.ids = [...this.state.ids, ...Array.from({ length: count }, (_, i) => `i${start + i}`)];
  }
  shrink() {
    this.state.ids = this.state.ids.slice(0, 1);
  }
}

/** Two lists of two children each: 1 + 2 + 2×2 = 7 views on one page. */
class OuterView extends LiveView<{ ids: string[] }> {
  static template = 'outer.html';
  mount() {
    return { ids: ['a', 'b'] };
  }
}

const s = await startServer({
  routes: [route('/list', ListView), route('/outer', OuterView)],
  views: [ItemView],
  templatesDir: dir,
  socket: { maxViews: MAX_VIEWS },
});
t.teardown(() => s.close());

const tokens = (html: string) => [...html.matchAll(/data-lv-view="([^"]+)" data-lv-token="([^"]+)"/g)].map((m) => ({ view: m[1], token: m[2] }));

t.test('a page render showing more views than a socket may join fails with a stable code, before mounting the rest', async (t) => {
  const fits = await getPage(s.url, `/list?n=${MAX_VIEWS - 1}`);
  t.equal(fits.status, 200, 'the page and its children fit on one socket');
  t.equal(tokens(fits.html).length, MAX_VIEWS);

  mounts = 0;
  const over = await getPage(s.url, '/list?n=500');
  t.equal(over.status, 500, 'one child more than a socket may join');
  t.match(over.html, 'LV_NESTED_VIEW_INVALID');
  t.ok(mounts < MAX_VIEWS, `and the children past the bound were never mounted (${mounts} were)`);

  const deep = await getPage(s.url, '/outer');
  t.equal(deep.status, 500, 'the bound counts every view of the page, however deep');
  t.match(deep.html, 'LV_NESTED_VIEW_INVALID');
});

t.test('a live re-render adding children past the bound is refused; the view and the socket go on', async (t) => {
  const page = await getPage(s.url, '/list?n=1');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const [parent, child] = tokens(page.html);
  t.equal((await client.join(1, parent.view, parent.token))[1], 'r');
  t.equal((await client.join(2, child.view, child.token))[1], 'r');

  client.send([2, 'e', client.nextRef(), 1, 'grow', { count: 100 }]);
  const frames: Frame[] = [await client.next(), await client.next()];
  const error = frames.find((frame) => frame[1] === 'x');
  t.equal(error?.[4], 'LV_NESTED_VIEW_INVALID', 'the render is refused with a stable code');
  t.match(String(error?.[5]), /.+/, 'and a message');
  t.ok(frames.some((frame) => frame[1] === 'r'), 'the event is answered');
  t.notOk(JSON.stringify(frames).includes('i99'), 'no container past the bound was sent');

  const shrunk = await client.event(1, 'shrink');
  t.equal(shrunk[1], 'r', 'the view goes on');
  const child2 = await client.event(2, 'nope');
  t.equal(child2[4], 'LV_EVENT_UNKNOWN', 'and so does the socket\'s other view');
});

t.test('one child token joined many times, or without its parent: ordinary joins, the socket\'s limit counts them', async (t) => {
  const page = await getPage(s.url, `/list?n=${MAX_VIEWS - 1}`);
  const [parent, child, ...rest] = tokens(page.html);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, child.view, child.token))[1], 'r', 'a child joins without its parent (it shows its token\'s params)');
  client.send([2, 'j', client.nextRef(), 2, child.view, child.token]);
  const frames = [await client.next(), await client.next()];
  t.ok(frames.some((frame) => frame[1] === 'r' && frame[3] === 2), 'the same token again joins as a new vid…');
  t.ok(frames.some((frame) => frame[1] === 'x' && frame[3] === 1 && frame[4] === 'LV_VIEW_TAKEN_OVER'), '…and takes the first over (D35): one live copy');
  let vid = 2;
  for (const { view, token } of [parent, ...rest]) t.equal((await client.join(++vid, view, token))[1], 'r');
  const refused = await client.join(++vid, child.view, child.token);
  t.same([refused[1], refused[4]], ['x', 'LV_TOO_MANY_VIEWS'], 'nested joins count against socket.maxViews');
});

t.test('a child token from one tenant\'s page is refused on another tenant\'s socket', async (t) => {
  const fixture = await pgliteFactory();
  t.teardown(() => fixture.cleanup());
  await seedTestData(fixture.db);
  const tenants = await startServer({
    routes: [route('/list', ListView)],
    views: [ItemView],
    templatesDir: dir,
    database: fixture.db,
    tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
  });
  t.teardown(() => tenants.close());
  const acmeHost = `acme.localhost:${tenants.port}`;
  const globexHost = `globex.localhost:${tenants.port}`;
  const page = await getPage(tenants.url, '/list?n=1', undefined, acmeHost);
  t.equal(page.status, 200);
  const [, child] = tokens(page.html);
  // The same browser session on both hosts: the token's only fault is its tenant.
  const globex = await LiveClient.open(tenants.url, { cookie: page.cookie, host: globexHost });
  t.teardown(() => globex.close());
  const replay = await globex.join(1, child.view, child.token);
  t.same([replay[1], replay[4]], ['x', 'LV_TOKEN_INVALID'], 'refused on globex');
  t.match(String(replay[5]), /another tenant/);
  const acme = await LiveClient.open(tenants.url, { cookie: page.cookie, host: acmeHost });
  t.teardown(() => acme.close());
  t.equal((await acme.join(1, child.view, child.token))[1], 'r', 'control: it joins on its own tenant');
});

