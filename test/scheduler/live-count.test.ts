// The scheduler counts live ticks, not cancelled ones waiting in its heap: runtime.counts() reads
// it, and the soak (docs/reliability.md) requires it back at 0 once every client left.
import t from 'tap';
import { TickScheduler } from '../../server/scheduler/index.ts';

t.test('live ticks: registered minus cancelled, each cancel counted once', async (t) => {
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
