/**
 * liveCounts: what the process holds live, for metrics and the soak (docs/reliability.md). Each
 * count rises while a view is live and returns to zero once its socket is gone.
 */
import t from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { liveCounts, type LiveCounts } from '../../server/live/counts.ts';
import { TickScheduler } from '../../server/scheduler/index.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

/** Ticks, takes a topic and a presence entry, and handles infos (its pushToView channel). */
class RoomView extends LiveView<{ n: number; still: number }> {
  static template = 'ticker.html';
  static tickInterval = 1000;
  mount() { return { n: 0, still: 1 }; }
  tick() {}
  async onJoin() {
    await this.subscribe('room');
    await this.track('room', {});
  }
  handleInfo() {}
}

t.test('the counts of a live view, and after its socket is gone', async (t) => {
  const s = await startServer({ routes: [route('/room', RoomView)] });
  t.teardown(() => s.close());
  const runtime = s.server.app.livery.runtime;
  const zero: LiveCounts = { connections: 0, views: 0, ticks: 0, subscriptions: 0, presenceEntries: 0, presenceListeners: 0, states: 0, bufferedBytes: 0 };
  t.same(liveCounts(runtime), zero, 'nothing before the first client');

  const page = await getPage(s.url, '/room');
  t.equal(liveCounts(runtime).states, 1, 'the first paint\'s state waits for its join');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.equal((await client.join(1, page.view, page.token))[1], 'r');
  t.same(liveCounts(runtime), {
    connections: 1, views: 1, ticks: 1,
    subscriptions: 2, // the topic and the view's pushToView channel
    presenceEntries: 1, presenceListeners: 1,
    states: 0, // adopted by the live view (the memory backend keeps no second copy)
    bufferedBytes: 0,
  });

  await client.close();
  for (let i = 0; i < 100 && liveCounts(runtime).connections > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 50)); // the close's unsubscribes settle
  t.same(liveCounts(runtime), { ...zero, states: 1 }, 'all released; the state saved for a reconnect');
});

t.test('the scheduler counts live ticks, not cancelled ones waiting in its heap', async (t) => {
  const scheduler = new TickScheduler();
  const a = scheduler.every(1000, { tick() {} });
  scheduler.every(1000, { tick() {} });
  t.equal(scheduler.live, 2);
  a.cancel();
  a.cancel();
  t.equal(scheduler.live, 1, 'a second cancel changes nothing');
  t.equal(scheduler.size, 2, 'the cancelled entry still sits in the heap until it falls due');
  scheduler.stop();
  t.equal(scheduler.live, 0);
});
