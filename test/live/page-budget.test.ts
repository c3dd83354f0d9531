/**
 * What one client can cost in page loads (issue 10, finding 1's last clause; D42). Every GET of a
 * live page mounts the view, stores its state for the pre-join TTL and, without a cookie, issues
 * a session. Without a budget one client looping over cookie-less GETs grew the session store and
 * the state backend as fast as it could send; a flood of such sessions also evicted signed-in
 * users' sessions from the memory store (one LRU for all).
 */
import http from 'node:http';
import t from 'tap';
import type { MemorySessionStore } from '../../server/session/index.ts';
import type { MemoryStateBackend } from '../../server/state/index.ts';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

/** A cookie-less GET from a chosen local address, with optional headers. */
function get(port: number, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/counter', localAddress: options.localAddress ?? '127.0.0.1', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

t.test('a flood of cookie-less page loads from one address: a burst, then 429 with Retry-After; sessions and states stay bounded', async (t) => {
  const s = await startServer({ routes, pages: { ratePerSecond: 2, burst: 20 } });
  t.teardown(() => s.close());
  const sessions = s.server.app.livery.sessions as MemorySessionStore;
  const states = s.server.app.livery.backends.state as MemoryStateBackend;

  const started = performance.now();
  const statuses = new Map<number, number>();
  let limited: Awaited<ReturnType<typeof get>> | undefined;
  for (let i = 0; i < 500; i++) {
    const response = await get(s.port);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status === 429) limited ??= response;
  }
  const allowed = 20 + Math.ceil(((performance.now() - started) / 1000) * 2);
  t.ok((statuses.get(200) ?? 0) <= allowed, `${statuses.get(200)} of 500 rendered (budget ${allowed} in this time)`);
  t.equal((statuses.get(200) ?? 0) + (statuses.get(429) ?? 0), 500, `the rest refused: ${JSON.stringify([...statuses])}`);
  t.ok(Number(limited?.headers['retry-after']) >= 1, `Retry-After: ${limited?.headers['retry-after']}`);
  t.match(limited?.body, 'LV_PAGE_RATE_LIMITED', 'the 429 page names its code');
  t.equal(limited?.headers['set-cookie'], undefined, 'a refused page issues no session');
  t.ok(sessions.size.total <= allowed, `${sessions.size.total} sessions issued, not 500`);
  t.ok(states.size <= allowed, `${states.size} states stored, not 500`);

  const other = await get(s.port, { localAddress: '127.0.0.2' });
  t.equal(other.status, 200, 'another client address is served');
});

t.test('X-Forwarded-For does not buy a fresh budget unless trustProxy names the proxy; behind one, each client has its own', async (t) => {
  const direct = await startServer({ routes, pages: { ratePerSecond: 1, burst: 3 } });
  t.teardown(() => direct.close());
  for (let i = 0; i < 3; i++) await get(direct.port, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
  t.equal((await get(direct.port, { headers: { 'x-forwarded-for': '203.0.113.99' } })).status, 429, 'a spoofed address is ignored');

  const proxied = await startServer({ routes, pages: { ratePerSecond: 1, burst: 3 }, trustProxy: 'loopback' });
  t.teardown(() => proxied.close());
  for (let i = 0; i < 3; i++) await get(proxied.port, { headers: { 'x-forwarded-for': '203.0.113.1' } });
  t.equal((await get(proxied.port, { headers: { 'x-forwarded-for': '203.0.113.1' } })).status, 429, 'one client behind the proxy is limited');
  t.equal((await get(proxied.port, { headers: { 'x-forwarded-for': '203.0.113.2' } })).status, 200, 'another client behind it is not');
});

t.test('memory sessions: a flood of page loads (from many addresses) evicts its own empty sessions, never a signed-in one', async (t) => {
  // Many addresses: the page budget is lifted so the store's own bound is what is tested.
  const s = await startServer({ routes, state: { maxEntries: 50 }, pages: { ratePerSecond: 100_000, burst: 100_000 } });
  t.teardown(() => s.close());
  const sessions = s.server.app.livery.sessions as MemorySessionStore;
  // A user signs in (the app stores the user in the session, as rotateSession does).
  const signedIn = await getPage(s.url, '/counter');
  const id = signedIn.cookie.split('=')[1]!;
  await sessions.set(id, { userId: 'wile' });

  for (let i = 0; i < 300; i++) {
    const { status } = await get(s.port, { localAddress: `127.0.${1 + (i >> 8)}.${i & 255 || 1}` });
    if (status !== 200) t.fail(`page load ${i}: ${status}`);
  }
  t.same(await sessions.get(id), { userId: 'wile' }, 'the signed-in session survived the flood');
  t.ok(sessions.size.total <= 50, `${sessions.size.total} sessions held (bound 50)`);
  const page = await getPage(s.url, '/counter', signedIn.cookie);
  const client = await LiveClient.open(s.url, { cookie: signedIn.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r', 'and its socket is admitted (not 4401)');
});
