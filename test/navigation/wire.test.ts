/**
 * Navigation on the wire: what a patch costs (one frame each way, no statics), and what hostile
 * navigation frames get — a stable error code for the frame, while the socket, its view and other
 * sockets keep being served.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { stateKey } from '../../server/state/index.ts';
import { getPage, LiveClient, startServer, type Frame } from '../live/harness.ts';
import { GateView, routes, templatesDir } from './fixtures/views.ts';

const s = await startServer({ routes, templatesDir: fileURLToPath(templatesDir) });
t.teardown(() => s.close());
const runtime = s.server.app.livery.runtime;

async function joined(path = '/items'): Promise<{ client: LiveClient; page: Awaited<ReturnType<typeof getPage>> }> {
  const page = await getPage(s.url, path);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  client.send([2, 'j', client.nextRef(), 1, page.view, page.token, path]);
  const reply = await client.next();
  if (reply[1] !== 'r') throw new Error(`join refused: ${JSON.stringify(reply)}`);
  return { client, page };
}

function send(client: LiveClient, type: string, vid: number, url: unknown): Promise<Frame> {
  client.send([2, type, client.nextRef(), vid, url]);
  return client.next();
}

t.test('an lv-patch is one frame out and one reply back: the changed slots and the URL, no statics, no mount', async (t) => {
  const { client } = await joined();
  const mounts = runtime.mounts;
  const reply = await send(client, 'p', 1, '/items?page=2&sort=id');
  t.equal(reply[1], 'r');
  const diff = reply[4] as Record<string, unknown>;
  t.notOk('p' in diff, 'no statics re-sent');
  t.notOk('s' in diff, 'no full root');
  t.same(diff.u, { to: '/items?page=2&sort=id', kind: 'patch' });
  t.equal(diff.h, 'Items 2');
  t.match(JSON.stringify(diff), /"0":"2"/, 'the page number slot');
  t.ok(await client.silentFor(200), 'and nothing else');
  t.equal(runtime.mounts, mounts, 'handleParams ran, mount did not');
  await client.close();
});

t.test('a navigate answers with the new view, its token (no URL in it) and the page keys; the old state is discarded', async (t) => {
  const { client, page } = await joined();
  const oldInstance = /id="lv-([^"]+)" data-lv-view/.exec(page.html)![1];
  const reply = await send(client, 'n', 1, '/items/3');
  const diff = reply[4] as Record<string, unknown>;
  t.same(diff.u, { to: '/items/3', kind: 'navigate' });
  t.match(diff.v, { view: 'ItemView', id: /^lv-/ });
  t.equal(diff.h, 'Charlie');
  t.same(diff.f, { info: null, error: null }, 'the flash region is reset');
  t.type(diff.s, 'string', 'a full root');
  const claims = runtime.signer.verify(diff.t);
  t.equal(claims.view, 'ItemView');
  t.equal(claims.url, undefined, 'a refreshed token names no URL');
  t.equal(await runtime.backend.get(stateKey('public', oldInstance)), null, 'the left view\'s state is gone');
  const event = await (async () => { client.send([2, 'e', client.nextRef(), 1, 'save', {}]); return client.next(); })();
  t.same((event[4] as Record<string, unknown>).f, { info: 'Saved Charlie' }, 'the new view answers on the same vid');
  await client.close();
});

t.test('hostile navigation frames get stable codes; the view and the socket go on', async (t) => {
  const { client } = await joined();
  const other = await joined();
  const hostile: Array<[unknown, string]> = [
    ['http://evil.example/items', 'LV_NAV_URL_INVALID'],
    [`http://127.0.0.1:${s.port}/items`, 'LV_NAV_URL_INVALID'],
    ['//evil.example/items', 'LV_NAV_URL_INVALID'],
    ['javascript:alert(1)', 'LV_NAV_URL_INVALID'],
    ['data:text/html,<script>alert(1)</script>', 'LV_NAV_URL_INVALID'],
    ['/\\evil.example', 'LV_NAV_URL_INVALID'],
    ['/items\n/x', 'LV_NAV_URL_INVALID'],
    ['/items#top', 'LV_NAV_URL_INVALID'],
    ['items', 'LV_NAV_URL_INVALID'],
    [42, 'LV_NAV_URL_INVALID'],
    [null, 'LV_NAV_URL_INVALID'],
    ['/items?q=' + 'x'.repeat(2100), 'LV_NAV_URL_TOO_LONG'],
  ];
  for (const type of ['n', 'p']) {
    for (const [url, code] of hostile) {
      const frame = await send(client, type, 1, url);
      t.same([frame[1], frame[4]], ['x', code], `${type} ${JSON.stringify(url).slice(0, 40)} → ${code}`);
    }
  }
  t.same((await send(client, 'n', 7, '/items'))[4], 'LV_VIEW_NOT_JOINED', 'a vid that never joined');
  const still = await send(client, 'p', 1, '/items?page=3');
  t.equal(still[1], 'r', 'the view still patches');
  const bystander = await send(other.client, 'p', 1, '/items?page=2');
  t.equal(bystander[1], 'r', 'another socket never noticed');
  await client.close();
  await other.client.close();
});

t.test('a navigate in flight holds the view: another navigate or a patch for it is LV_NAV_BUSY', async (t) => {
  const { client } = await joined();
  let open!: () => void;
  GateView.gate = new Promise((resolve) => { open = resolve; });
  const first = client.nextRef();
  client.send([2, 'n', first, 1, '/gate']);
  t.same((await send(client, 'n', 1, '/items/2')).slice(1, 5), ['x', first + 1, 1, 'LV_NAV_BUSY']);
  t.same((await send(client, 'p', 1, '/items?page=2')).slice(1, 5), ['x', first + 2, 1, 'LV_NAV_BUSY']);
  open();
  const reply = await client.next();
  t.same([reply[1], reply[2]], ['r', first]);
  t.match((reply[4] as Record<string, unknown>).v, { view: 'GateView' });
  await client.close();
});

t.test('a join at a URL the token was not issued for: the browser\'s URL only if this view serves it', async (t) => {
  const page = await getPage(s.url, '/items?page=2');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  client.send([2, 'j', 1, 1, page.view, page.token, '/items/5']);
  const reply = await client.next();
  t.match(JSON.stringify(reply), /"0":"2"/, 'another view\'s URL is ignored: the token\'s page 2 stands');
  await client.close();
  const page2 = await getPage(s.url, '/items?page=2');
  const client2 = await LiveClient.open(s.url, { cookie: page2.cookie });
  client2.send([2, 'j', 1, 1, page2.view, page2.token, '/items?page=3']);
  const reply2 = await client2.next();
  t.match(JSON.stringify(reply2), /"0":"3"/, 'its own URL after a patch: handleParams runs with it');
  await client2.close();
});
