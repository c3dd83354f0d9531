/**
 * Admission under attack (issue 10, finding 3): every frame type is rate limited, a socket holds
 * a bounded number of views, and one address or one session holds a bounded number of sockets —
 * with the client address taken from X-Forwarded-For only behind a trusted proxy.
 */
import Fastify from 'fastify';
import t from 'tap';
import { fastifyTrustProxy, livery, LiveView, route, serverFactory } from '../../server/index.ts';
import type { PresenceDiff } from '../../server/presence/index.ts';
import { FIXTURE_TEMPLATES, getPage, LiveClient, startServer, trySocket, type Frame } from './harness.ts';

/** Tracks itself in a room on join; every presence change in the room is pushed to its viewer. */
class RoomView extends LiveView<{ count: number }> {
  static template = 'counter.html';
  static events = { noop: null };
  static joins = 0;
  mount() { return { count: 0 }; }
  async onJoin() {
    RoomView.joins++;
    await this.track('room', {});
  }
  onPresence(_topic: string, diff: PresenceDiff) { this.state.count += diff.joins.length + diff.leaves.length; }
  noop() {}
}

class PlainView extends LiveView<{ count: number }> {
  static template = 'counter.html';
  mount() { return { count: 0 }; }
}

const routes = [route('/room', RoomView), route('/plain', PlainView)];

/** Frames until every ref in `refs` got its answer (a reply or an error). */
async function answers(client: LiveClient, refs: Set<number>): Promise<Frame[]> {
  const frames: Frame[] = [];
  const pending = new Set(refs);
  while (pending.size > 0) {
    const frame = await client.next();
    frames.push(frame);
    if ((frame[1] === 'r' || frame[1] === 'x') && typeof frame[2] === 'number') pending.delete(frame[2]);
  }
  return frames;
}

/** Every frame `client` receives until it has been quiet for a moment (pushes settled). */
async function drain(client: LiveClient): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    try {
      frames.push(await client.next(500));
    } catch {
      return frames;
    }
  }
}

t.test('300 joins on one socket do bounded work, and a bystander gets a bounded number of pushes', async (t) => {
  // A slow refill, so the bound below is the burst's and not the machine's speed.
  const s = await startServer({ routes, socket: { ratePerSecond: 1 } });
  t.teardown(() => s.close());
  const runtime = s.server.app.livery.runtime;

  const seen = await getPage(s.url, '/room');
  const bystander = await LiveClient.open(s.url, { cookie: seen.cookie });
  t.teardown(() => bystander.close());
  t.equal((await bystander.join(1, seen.view, seen.token))[1], 'r', 'the bystander joined');
  await drain(bystander);

  const page = await getPage(s.url, '/room');
  const attacker = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => attacker.close());
  RoomView.joins = 0;
  const rendersBefore = runtime.counters.renders;
  const refs = new Set<number>();
  for (let vid = 1; vid <= 300; vid++) {
    const ref = attacker.nextRef();
    refs.add(ref);
    attacker.send([2, 'j', ref, vid, page.view, page.token]);
  }
  const frames = await answers(attacker, refs);
  const codes = frames.filter((f) => f[1] === 'x').map((f) => f[4]);
  t.ok(codes.includes('LV_RATE_LIMITED'), 'joins beyond the burst are answered LV_RATE_LIMITED');
  // Burst 100 at 2 per join: 50 joins, plus what one token per second refilled meanwhile.
  t.ok(RoomView.joins <= 60, `at most the burst's joins ran (${RoomView.joins} of 300)`);
  t.ok(runtime.counters.renders - rendersBefore <= 120, `renders stayed bounded (${runtime.counters.renders - rendersBefore})`);

  const pushes = (await drain(bystander)).filter((f) => f[1] === 'd').length;
  t.ok(pushes <= 2 * 60, `the bystander got a bounded number of pushes (${pushes}; 599 before the limit)`);
  t.equal((await bystander.event(1, 'noop'))[1], 'r', 'and is served as before');
});

t.test('a socket holds at most socket.maxViews views', async (t) => {
  const s = await startServer({ routes, socket: { maxViews: 3 } });
  t.teardown(() => s.close());
  const first = await getPage(s.url, '/plain');
  const pages = [first];
  for (let i = 1; i < 4; i++) pages.push(await getPage(s.url, '/plain', first.cookie));
  const client = await LiveClient.open(s.url, { cookie: first.cookie });
  t.teardown(() => client.close());
  for (let vid = 1; vid <= 3; vid++) t.equal((await client.join(vid, pages[vid - 1].view, pages[vid - 1].token))[1], 'r', `view ${vid} joined`);
  const over = await client.join(4, pages[3].view, pages[3].token);
  t.same(over.slice(0, 5), [2, 'x', 4, 4, 'LV_TOO_MANY_VIEWS'], 'a fourth is refused with its code');
  client.send([2, 'l', client.nextRef(), 1]);
  await answers(client, new Set([5]));
  t.equal((await client.join(4, pages[3].view, pages[3].token))[1], 'r', 'after a leave it fits');
});

t.test('heartbeats are rate limited too', async (t) => {
  const s = await startServer({ routes, socket: { ratePerSecond: 1, rateBurst: 10 } });
  t.teardown(() => s.close());
  const client = await LiveClient.open(s.url);
  t.teardown(() => client.close());
  const refs = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const ref = client.nextRef();
    refs.add(ref);
    client.send([2, 'h', ref]);
  }
  const frames = await answers(client, refs);
  const served = frames.filter((f) => f[1] === 'r').length;
  const limited = frames.filter((f) => f[1] === 'x' && f[4] === 'LV_RATE_LIMITED' && refs.has(f[2] as number)).length;
  // 10 tokens at 0.25 a heartbeat: 40, plus the refill.
  t.ok(served >= 40 && served <= 60, `the burst was served (${served})`);
  t.equal(served + limited, 200, 'every other heartbeat was answered LV_RATE_LIMITED under its own ref');
});

t.test('one client address holds at most socket.maxPerIp sockets; X-Forwarded-For is ignored without trustProxy', async (t) => {
  const s = await startServer({ routes, socket: { maxPerIp: 2 } });
  t.teardown(() => s.close());
  const a = await LiveClient.open(s.url, { headers: { 'x-forwarded-for': '203.0.113.1' } });
  const b = await LiveClient.open(s.url, { headers: { 'x-forwarded-for': '203.0.113.2' } });
  t.same(await trySocket(s.url, { 'x-forwarded-for': '203.0.113.3' }), { status: 429, code: 'LV_TOO_MANY_SOCKETS' },
    'a third from the same peer is refused at the upgrade, whatever X-Forwarded-For claims');
  await a.close();
  await b.close();
  t.same(await trySocket(s.url, {}), { status: 101, code: undefined }, 'closed sockets free their places');
});

t.test('behind a trusted proxy the client address comes from X-Forwarded-For', async (t) => {
  const s = await startServer({ routes, socket: { maxPerIp: 2 }, trustProxy: 'loopback' });
  t.teardown(() => s.close());
  const one = { 'x-forwarded-for': '203.0.113.1' };
  const clients = [await LiveClient.open(s.url, { headers: one }), await LiveClient.open(s.url, { headers: one })];
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  t.same(await trySocket(s.url, one), { status: 429, code: 'LV_TOO_MANY_SOCKETS' }, 'a third from 203.0.113.1 is refused');
  t.same(await trySocket(s.url, { 'x-forwarded-for': '203.0.113.2' }), { status: 101, code: undefined }, 'another client behind the proxy is not');
  t.same(await trySocket(s.url, { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' }), { status: 429, code: 'LV_TOO_MANY_SOCKETS' },
    'a spoofed address further left is not believed: only the trusted hop counts');
});

t.test('HTTP requests see the same client address (Fastify trustProxy from the same setting)', async (t) => {
  for (const [trust, expected] of [[undefined, '127.0.0.1'], [['loopback'], '203.0.113.9']] as const) {
    const app = Fastify({ serverFactory, trustProxy: fastifyTrustProxy(trust) });
    app.get('/ip', (request) => request.ip);
    await app.register(livery, { routes, templatesDir: FIXTURE_TEMPLATES, logLevel: 'silent', secret: 'test-secret-test-secret-test-secret-0123', trustProxy: trust });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    t.equal(await response.text(), expected, `trustProxy ${JSON.stringify(trust)}: ${expected}`);
    await app.close();
  }
});

t.test('one browser session holds at most socket.maxPerSession sockets', async (t) => {
  const s = await startServer({ routes, socket: { maxPerSession: 2 } });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/room');
  const clients = [await LiveClient.open(s.url, { cookie: page.cookie }), await LiveClient.open(s.url, { cookie: page.cookie })];
  t.same(await trySocket(s.url, { cookie: page.cookie }), { status: 429, code: 'LV_TOO_MANY_SOCKETS' }, 'a third is refused: error frame, close 4429');
  const other = await getPage(s.url, '/room');
  t.same(await trySocket(s.url, { cookie: other.cookie }), { status: 101, code: undefined }, 'another session is not limited');
  await Promise.all(clients.map((c) => c.close()));
  t.same(await trySocket(s.url, { cookie: page.cookie }), { status: 101, code: undefined }, 'closed sockets free their places');
});
