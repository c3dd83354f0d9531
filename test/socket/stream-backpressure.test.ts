/**
 * A stream under backpressure (D85): a view that streams on every tick to a client that stopped
 * reading. Pushes are held back (D43), and a held push cannot coalesce a stream's inserts — each
 * holds its item — so without a bound they pile up for as long as the socket lives. Past
 * MAX_HELD_STREAM_OPS the socket is closed LV_SOCKET_STALLED (4408); its state is saved, and the
 * rejoin re-streams from `onJoin`. The stall timeout is set far beyond the test, so only the
 * stream's bound can close the socket.
 */
import t from 'tap';
import type { Socket } from 'node:net';
import { LiveView, route } from '../../server/index.ts';
import { STREAMS } from '../../server/view/live-view.ts';
import { MAX_HELD_STREAM_OPS } from '../../server/view/streams.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';

/** Items streamed per tick: a busy feed. */
const PER_TICK = 250;
let live: FirehoseView | undefined;

class FirehoseView extends LiveView<{ n: number }> {
  static template = 'feed.html';
  static streams = { feed: {} };
  static tickInterval = 5;
  #next = 0;
  mount() {
    return { n: 0 };
  }
  onJoin() {
    live = this; // the joined instance (the page render's is gone)
    this.stream('feed', [{ id: 0, text: 'first', n: 0 }], { reset: true });
  }
  tick() {
    this.state.n += 1;
    this.stream('feed', Array.from({ length: PER_TICK }, () => ({ id: ++this.#next, text: 'x'.repeat(200), n: this.#next })));
  }
}

interface LogLine { level: number; msg: string; code?: string; reason?: string }
const lines: LogLine[] = [];
const s = await startServer({
  routes: [route('/firehose', FirehoseView)],
  logLevel: 'warn',
  logStream: { write: (text) => void lines.push(JSON.parse(text) as LogLine) },
  socket: { backpressureBytes: 64 * 1024, stallTimeoutMs: 3_600_000 },
});
t.teardown(() => s.close());
const runtime = s.server.app.livery.runtime;
const tcp = (client: LiveClient) => (client.ws as unknown as { _socket: Socket })._socket;
const held = (view: FirehoseView) => view[STREAMS]!.held;

t.test('a client too slow for its stream is closed 4408 before the held operations pass their bound', async (t) => {
  const page = await getPage(s.url, '/firehose');
  const slow = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await slow.join(1, page.view, page.token);
  t.equal(joined[1], 'r');
  const view = live!;
  tcp(slow).pause();

  // Paced by rounds, not asserted on time: each round lets a few ticks run, then looks.
  let most = 0;
  for (let round = 0; round < 20_000 && runtime.counts().connections > 0; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    most = Math.max(most, held(view));
    if (most > MAX_HELD_STREAM_OPS + PER_TICK) break;
  }
  t.ok(most <= MAX_HELD_STREAM_OPS + PER_TICK, `held stream operations peaked at ${most} (bound ${MAX_HELD_STREAM_OPS} + one tick's)`);
  t.ok(most > MAX_HELD_STREAM_OPS / 2, 'and they were held back while the client did not read');
  t.equal(runtime.counts().connections, 0, 'the slow socket was closed');
  t.ok(lines.some((line) => line.code === 'LV_SOCKET_STALLED' && line.reason === 'stream'), 'logged as stalled by its stream');

  tcp(slow).resume();
  t.equal(await slow.closed, 4408, 'reading again, the client finds 4408 behind its backlog');
  t.ok(slow.frames.some((frame) => frame[1] === 'x' && frame[4] === 'LV_SOCKET_STALLED'), 'and the error frame before it');

  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const rejoined = await again.join(1, page.view, (joined[4] as { t: string }).t);
  t.equal(rejoined[1], 'r', 'it rejoins its saved state');
  const node = (rejoined[4] as Record<string, { n?: string; k?: string[] }>)[1];
  t.same([node.n, node.k], ['feed', ['0']], 'and onJoin streams the list afresh (a full stream node)');
  t.ok(Number((rejoined[4] as Record<string, string>)[0]) > 0, 'with the ticks\' state kept');
});
