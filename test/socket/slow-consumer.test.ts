/**
 * A client that stops reading (issue 10, "slow consumers"): what it may cost the server, and that
 * nobody else notices.
 *
 * The slow client is a real socket whose TCP reads are paused while the server pushes to it. The
 * server's memory for it is judged by the server's own accounting — uWS's send buffer, summed
 * over sockets by `runtime.counts()`, and the peak the socket's send budget recorded — never by a
 * clock. Once the kernel's buffers are full, the backlog grows in uWS; Livery holds pushes back
 * over `socket.backpressureBytes` and closes the socket (LV_SOCKET_STALLED, 4408) when it stays
 * over the budget or would pass twice it.
 */
import t, { type Test } from 'tap';
import type { Socket } from 'node:net';
import { LiveView, route } from '../../server/index.ts';
import { CounterView } from '../live/fixtures/views.ts';
import { getPage, LiveClient, startServer, type Frame } from '../live/harness.ts';

const BUDGET = 64 * 1024;
/** One push or reply: half the budget, so a few of them fill it. */
const BIG = 32 * 1024;
let serial = 0;
const big = () => `${++serial}:`.padEnd(BIG, 'x');

/** Pushes a large diff on every tick (5 ms): what a busy dashboard does to a client that stopped reading. */
class FloodView extends LiveView<{ n: string; still: number }> {
  static template = 'ticker.html';
  static tickInterval = 5;
  mount() { return { n: '', still: 1 }; }
  tick() { this.state.n = big(); }
}

/** No ticks: only replies, each carrying a large diff. */
class BlobView extends LiveView<{ n: string; still: number }> {
  static template = 'ticker.html';
  static events = { grow: null };
  mount() { return { n: '', still: 1 }; }
  grow() { this.state.n = big(); }
}

interface LogLine { level: number; msg: string; code?: string; reason?: string; bufferedBytes?: number; peakBytes?: number }

const lines: LogLine[] = [];
const s = await startServer({
  routes: [route('/counter', CounterView), route('/flood', FloodView), route('/blob', BlobView)],
  logLevel: 'warn',
  logStream: { write: (text) => void lines.push(JSON.parse(text) as LogLine) },
  // The rate limit is not what is tested here: the blob client sends as fast as it likes.
  socket: { backpressureBytes: BUDGET, stallTimeoutMs: 200, ratePerSecond: 100_000, rateBurst: 100_000 },
});
t.teardown(() => s.close());
const runtime = s.server.app.livery.runtime;

const bystanderPage = await getPage(s.url, '/counter');
const bystander = await LiveClient.open(s.url, { cookie: bystanderPage.cookie });
t.teardown(() => bystander.close());
t.same((await bystander.join(1, bystanderPage.view, bystanderPage.token))[1], 'r');
let count = 0;

const tcp = (client: LiveClient) => (client.ws as unknown as { _socket: Socket })._socket;
const stalledLines = () => lines.filter((line) => line.code === 'LV_SOCKET_STALLED');

/**
 * While `slow` is stalled: the bystander sends events and gets each reply in order, and the
 * server's buffered bytes are sampled after each, until the server has closed the slow socket
 * (its connection is gone). Bounded by rounds, not time: a hang fails at the harness's frame bound.
 */
async function serveBystanderUntilClosed(t: Test, before: number, drive?: () => void): Promise<number> {
  let maxBuffered = 0;
  for (let round = 1; round <= 100_000; round++) {
    drive?.();
    const reply = await bystander.event(1, 'inc');
    const expected = ['r', 1, { 0: String(++count) }];
    if (JSON.stringify([reply[1], reply[3], reply[4]]) !== JSON.stringify(expected)) {
      t.same(reply, expected, `the bystander's reply in round ${round}`);
      break;
    }
    maxBuffered = Math.max(maxBuffered, runtime.counts().bufferedBytes);
    if (stalledLines().length > before && runtime.counts().connections === 1) {
      t.pass(`the bystander got each of its ${round} replies, in order, while the slow client stalled`);
      return maxBuffered;
    }
  }
  throw new Error('the slow socket was never closed');
}

function errorFrames(frames: Frame[]): unknown[] {
  return frames.filter((frame) => frame[1] === 'x').map((frame) => frame[4]);
}

t.test('a client that stops reading while ticks push: held back, then closed 4408; the bystander is served throughout', async (t) => {
  const page = await getPage(s.url, '/flood');
  const slow = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await slow.join(1, page.view, page.token);
  t.equal(joined[1], 'r', 'joined');
  tcp(slow).pause();

  const before = stalledLines().length;
  const maxBuffered = await serveBystanderUntilClosed(t, before);
  const line = stalledLines().at(-1)!;
  t.equal(line.reason, 'stalled', 'closed for staying over the budget while pushes waited');
  t.ok(line.peakBytes! <= 2 * BUDGET, `its send buffer peaked at ${line.peakBytes} bytes, within twice the budget (${2 * BUDGET})`);
  t.ok(line.peakBytes! > BUDGET, 'and it did go over the budget (the kernel buffers were full)');
  t.ok(maxBuffered <= 2 * BUDGET + 1024, `the server's buffered bytes stayed bounded (max sampled ${maxBuffered})`);
  t.same(runtime.counts().views, 1, 'the slow socket\'s view is gone from the process; only the bystander\'s is live');

  tcp(slow).resume();
  t.equal(await slow.closed, 4408, 'reading again, the client finds the close code behind its backlog');
  t.same(errorFrames(slow.frames), ['LV_SOCKET_STALLED'], 'and the error frame before it');
  t.ok(slow.frames.filter((frame) => frame[1] === 'd').length >= 2, 'pushes had reached it until it stalled');

  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const rejoined = await again.join(1, page.view, (joined[4] as { t: string }).t);
  t.equal(rejoined[1], 'r', 'it reconnects and rejoins its saved state');
});

t.test('a client that keeps sending but never reads its replies: closed at twice the budget', async (t) => {
  const page = await getPage(s.url, '/blob');
  const slow = await LiveClient.open(s.url, { cookie: page.cookie });
  t.equal((await slow.join(1, page.view, page.token))[1], 'r');
  tcp(slow).pause();

  const before = stalledLines().length;
  const drive = () => {
    if (slow.closeCode !== undefined || stalledLines().length > before) return;
    for (let i = 0; i < 16; i++) slow.send([2, 'e', slow.nextRef(), 1, 'grow', {}]);
  };
  const maxBuffered = await serveBystanderUntilClosed(t, before, drive);
  const line = stalledLines().at(-1)!;
  t.equal(line.reason, 'buffer', 'closed when a reply would have taken its buffer past twice the budget');
  t.ok(line.peakBytes! <= 2 * BUDGET, `its send buffer peaked at ${line.peakBytes} bytes (budget ${BUDGET})`);
  t.ok(maxBuffered <= 2 * BUDGET + 1024, `the server's buffered bytes stayed bounded (max sampled ${maxBuffered})`);

  tcp(slow).resume();
  t.equal(await slow.closed, 4408);
  t.same(errorFrames(slow.frames), ['LV_SOCKET_STALLED'], 'every reply it got was a reply; then the stall');
});

t.test('afterwards the process holds only the bystander', async (t) => {
  const counts = runtime.counts();
  t.same({ connections: counts.connections, views: counts.views }, { connections: 1, views: 1 });
  const reply = await bystander.event(1, 'inc');
  t.same([reply[1], reply[4]], ['r', { 0: String(++count) }], 'and it is still served');
});
