import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { phaseFor, TickScheduler } from '../../server/scheduler/index.ts';

t.test('views sharing an interval are spread evenly across it', async (t) => {
  const interval = 1000;
  const phases = Array.from({ length: 1000 }, (_, n) => phaseFor(n, interval)).sort((a, b) => a - b);
  t.ok(phases.every((p) => p >= 0 && p < interval), 'phases lie within the interval');
  // Every 100 ms window of the interval holds about a tenth of the views, never a burst.
  for (let start = 0; start < interval; start += 100) {
    const inWindow = phases.filter((p) => p >= start && p < start + 100).length;
    t.ok(inWindow >= 90 && inWindow <= 110, `window ${start}–${start + 100} ms holds ${inWindow} of 1000`);
  }
});

t.test('one scheduler ticks every registered view, keeps going after a throw, and stops on cancel', async (t) => {
  const scheduler = new TickScheduler();
  const counts = new Array(20).fill(0);
  const handles = counts.map((_, i) => scheduler.every(20, { tick: () => { counts[i]++; if (i === 3) throw new Error('boom'); } }));
  await sleep(150);
  t.ok(counts.every((c) => c >= 2), `every view ticked repeatedly: ${counts.join(',')}`);
  handles[0].cancel();
  const frozen = counts[0];
  await sleep(80);
  t.equal(counts[0], frozen, 'a cancelled view never ticks again');
  t.ok(counts[1] > frozen - 1, 'the others keep ticking');
  scheduler.stop();
  const stopped = counts.slice();
  await sleep(60);
  t.same(counts, stopped, 'stop() ends all ticking');
});

t.test('different intervals coexist on the one timer', async (t) => {
  const scheduler = new TickScheduler();
  let fast = 0;
  let slow = 0;
  scheduler.every(10, { tick: () => { fast++; } });
  scheduler.every(100, { tick: () => { slow++; } });
  await sleep(250);
  scheduler.stop();
  t.ok(fast > slow * 3, `fast (${fast}) ticks far more often than slow (${slow})`);
  t.ok(slow >= 1, 'the slow view ticked');
});
