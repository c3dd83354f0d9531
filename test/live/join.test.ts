import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { CounterView, routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

t.test('the socket adopts the state the page render mounted: mount runs once per page view', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const before = CounterView.mounts;
  const page = await getPage(s.url, '/counter');
  t.equal(page.status, 200);
  t.match(page.html, '<b id="count">0</b>', 'first paint is server-rendered HTML');
  t.match(page.cookie, /^lv_sid=/, 'a session cookie is set');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token);
  t.same(reply.slice(0, 4), [2, 'r', 1, 1], 'join reply');
  const body = reply[4] as Record<string, unknown>;
  t.equal(body['0'], '0', 'the full render carries the count');
  t.type(body.s, 'string', 'root node has a fingerprint');
  t.ok((body.p as Record<string, unknown>)[body.s as string], 'statics for the root travel with the join');
  t.type(body.t, 'string', 'a fresh token for the next reconnect');
  t.equal(CounterView.mounts - before, 1, 'mount ran once for page + join');
});

t.test('a reconnect within the TTL resumes the state exactly (7 stays 7)', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const before = CounterView.mounts;
  const page = await getPage(s.url, '/counter');
  const first = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await first.join(1, page.view, page.token);
  const token = (joined[4] as { t: string }).t;
  for (let i = 0; i < 7; i++) await first.event(1, 'inc');
  await first.close();
  await sleep(50); // the server saves on close
  const second = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => second.close());
  const rejoined = await second.join(1, page.view, token);
  t.equal((rejoined[4] as Record<string, unknown>)['0'], '7', 'count resumed at 7');
  t.same(await second.event(1, 'inc'), [2, 'r', 2, 1, { 0: '8' }], 'and keeps counting');
  t.equal(CounterView.mounts - before, 1, 'no remount on reconnect');
});

t.test('a rejoin while the old socket still holds the view takes it over with its newest state', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  const old = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => old.close());
  await old.join(1, page.view, page.token);
  await old.event(1, 'inc');
  await old.event(1, 'inc');
  const fresh = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => fresh.close());
  const reply = await fresh.join(1, page.view, page.token);
  t.equal((reply[4] as Record<string, unknown>)['0'], '2', 'took over the live state, not the saved one');
});

t.test('after the TTL the view mounts afresh from the token', async (t) => {
  const s = await startServer({ routes, state: { ttlSeconds: 1 } });
  t.teardown(() => s.close());
  const before = CounterView.mounts;
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await client.join(1, page.view, page.token);
  await client.event(1, 'inc');
  await client.close();
  await sleep(1600);
  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const reply = await again.join(1, page.view, (joined[4] as { t: string }).t);
  t.equal((reply[4] as Record<string, unknown>)['0'], '0', 'fresh mount');
  t.equal(CounterView.mounts - before, 2, 'mount ran again once the state expired');
});

t.test('several views share one socket', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const a = await getPage(s.url, '/counter');
  const b = await getPage(s.url, '/counter', a.cookie);
  const client = await LiveClient.open(s.url, { cookie: a.cookie });
  t.teardown(() => client.close());
  const ja = await client.join(1, a.view, a.token);
  const jb = await client.join(2, b.view, b.token);
  t.ok((ja[4] as { p?: unknown }).p, 'the first join carries the statics');
  t.notOk((jb[4] as { p?: unknown }).p, 'the second join of the same template does not resend them');
  t.same(await client.event(2, 'inc'), [2, 'r', 3, 2, { 0: '1' }]);
  t.same(await client.event(1, 'dec'), [2, 'r', 4, 1, { 0: '-1' }], 'each view has its own state');
});
