/**
 * A join is answered within a bounded time whatever the backends do, and a join whose socket goes
 * away midway loses nothing: the state it adopted is put back for the next join.
 */
import t from 'tap';
import { MemoryStateBackend } from '../../server/state/index.ts';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

/** A memory backend whose reads can be held, as a stalled Redis or network would hold them. */
class StallingBackend extends MemoryStateBackend {
  stalled: Array<() => void> | undefined;

  override async get(key: string): Promise<string | null> {
    if (this.stalled !== undefined) await new Promise<void>((resolve) => this.stalled!.push(resolve));
    return super.get(key);
  }

  release(): void {
    const waiting = this.stalled ?? [];
    this.stalled = undefined;
    for (const resume of waiting) resume();
  }
}

const backend = () => new StallingBackend({ ttlSeconds: 600, maxEntries: 1000 });

t.test('a join stuck in a backend is answered LV_JOIN_TIMEOUT and the socket closed with 1013; nothing is half-joined', async (t) => {
  const state = backend();
  const s = await startServer({ routes, stateBackend: state, socket: { joinTimeoutMs: 300 } });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  state.stalled = [];
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  const reply = await client.join(1, page.view, page.token, 10_000); // a bound for a hang, not a timing assertion
  t.same(reply.slice(0, 5), [2, 'x', 1, 1, 'LV_JOIN_TIMEOUT'], 'the join is answered with its error code');
  t.equal(await client.closed, 1013, 'closed with 1013 (try again later)');
  state.release(); // the stalled read completes after the client was told it failed
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(s.server.app.livery.runtime.liveViews, 0, 'the late join did not leave a live view behind');

  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const joined = await again.join(1, page.view, page.token);
  t.same(joined.slice(0, 4), [2, 'r', 1, 1], 'joining again works');
  t.equal((joined[4] as Record<string, unknown>)['0'], '0', 'with the page\'s state');
});

t.test('a join whose socket closes while the state is being adopted puts the state back', async (t) => {
  const state = backend();
  const s = await startServer({ routes, stateBackend: state });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  const first = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await first.join(1, page.view, page.token);
  const token = (joined[4] as { t: string }).t;
  for (let i = 0; i < 5; i++) await first.event(1, 'inc');
  await first.close(); // saved on close: 5

  state.stalled = [];
  const dropped = await LiveClient.open(s.url, { cookie: page.cookie });
  dropped.send([2, 'j', 1, 1, page.view, token]);
  while (state.stalled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  dropped.ws.terminate(); // the socket drops while the join holds the state
  await dropped.closed;
  await new Promise((resolve) => setTimeout(resolve, 50));
  state.release();
  await new Promise((resolve) => setTimeout(resolve, 50));

  const resumed = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => resumed.close());
  const rejoined = await resumed.join(1, page.view, token);
  t.equal((rejoined[4] as Record<string, unknown>)['0'], '5', 'the acknowledged count survives the dropped join');
});
