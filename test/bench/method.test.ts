/**
 * The bench's method in small pieces: /proc parsing, the noise guard's verdict, per-round ratios,
 * the tick-lag estimate and the CLI. Each is a place where a quiet bug would skew every report.
 */
import t from 'tap';
import { numberedTickLags, tickLags, tickNumber } from '../../bench/load/tasks/ticks.ts';
import { parseCli } from '../../bench/runner/args.ts';
import { judge, verdict } from '../../bench/runner/noise-guard.ts';
import { clockTicksPerSecond, parseProcessCpuMs, parseSystemCpu } from '../../bench/runner/proc.ts';
import { formatSpread, median, pairedRatios, spread } from '../../bench/runner/stats.ts';

const hz = clockTicksPerSecond();

t.test('process CPU is utime + stime, counted after the command name even when it has spaces', async (t) => {
  const stat = `4242 (node worker (x)) S 1 4242 4242 0 -1 4194304 100 0 0 0 ${3 * hz} ${hz} 0 0 20 0 11 0 5 0 0`;
  t.equal(parseProcessCpuMs(stat), 4000);
});

t.test('system CPU: busy excludes idle, iowait and steal; steal is reported apart', async (t) => {
  const cpu = parseSystemCpu(`cpu  ${hz} 0 ${hz} ${2 * hz} ${hz} 0 0 ${hz} 0 0\ncpu0 1 2 3\n`);
  t.same(cpu, { busy: 2000, steal: 1000, total: 6000 });
});

t.test('the noise guard flags foreign CPU and steal, not the bench\'s own processes', async (t) => {
  const at = (busy: number, steal: number, own: number, total: number) => ({ at: 0, sys: { busy, steal, total }, own });
  const clean = judge(at(0, 0, 0, 0), at(1800, 0, 1700, 2000), 0);
  t.equal(clean.disturbed, false);
  t.equal(Math.round(clean.foreignPct), 5);
  const busy = judge(at(0, 0, 0, 0), at(1800, 0, 1000, 2000), 0);
  t.equal(busy.disturbed, true, '40% of the machine used by someone else');
  const stolen = judge(at(0, 0, 0, 0), at(1000, 200, 1000, 2000), 0);
  t.equal(stolen.disturbed, true, '10% stolen by the hypervisor');
  t.match(verdict([clean, busy], 1).text, /DISTURBED: 1 of 2 windows.*1 retried/);
  t.match(verdict([clean], 0).text, /^clean: 1 windows/);
});

t.test('ratios are paired per round, then summarized as median with range', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 2, 3]), 2.5);
  t.same(pairedRatios([20, 30, 40], [10, 10, 20]), [2, 3, 2]);
  t.same(spread([2, 3, 2, Number.NaN]), { median: 2, min: 2, max: 3 });
  t.equal(formatSpread(spread([1.5, 1.2, 1.8])), '1.50× (1.20–1.80)');
  t.equal(formatSpread(spread([2])), '2.00×');
  t.equal(formatSpread(spread([])), '—');
});

t.test('tick lag: relative to the socket\'s best tick, robust to a skipped tick', async (t) => {
  t.same(tickLags([100, 1100, 2100], 1000), [0, 0, 0], 'on schedule: no lag, whatever the phase');
  t.same(tickLags([100, 1100, 2150, 3100], 1000), [0, 0, 50, 0]);
  t.same(tickLags([100, 2100, 3130], 1000), [0, 0, 30], 'a skipped tick does not shift later frames');
  t.same(tickLags([120, 1100, 2100], 1000), [20, 0, 0], 'a late first frame is late too');
  t.same(tickLags([], 1000), []);
});

t.test('numbered tick lag: a frame later than half a period stays on its own tick', async (t) => {
  // 20 Hz: the third frame is 80 ms late. Rounding places it on the next tick, 20 ms early, and
  // takes that for the phase; its number places it right.
  t.same(tickLags([0, 50, 180], 50), [20, 20, 0], 'rounding aliases (why numbers are needed)');
  t.same(numberedTickLags([0, 50, 180], [7, 8, 9], 50), [0, 0, 80]);
  t.same(numberedTickLags([0, 50, 180, 181], [7, 8, 9, 10], 50), [0, 0, 80, 31], 'a burst after a stall: each frame as late as it is');
  t.same(numberedTickLags([10, 50, 100], [1, 2, 3], 50), [10, 0, 0], 'a late first frame is late too');
  t.same(numberedTickLags([], [], 50), []);
  t.equal(tickNumber('[2,"d",1,{"0":"1234"}]'), 1234);
  t.ok(Number.isNaN(tickNumber('[2,"d",1,{"0":"x"}]')));
});

t.test('the CLI takes scenario names and options, and refuses what it does not know', async (t) => {
  const known = ['event-roundtrip', 'tick-fanout'];
  const all = parseCli([], known);
  t.same(all.scenarios, known);
  const one = parseCli(['tick-fanout', '--duration', '1.5', '--sessions', '20', '--peers', 'raw-uws,livery', '--retries', '0'], known);
  t.same([one.scenarios, one.durationMs, one.sessions, one.peers, one.retries], [['tick-fanout'], 1500, 20, ['raw-uws', 'livery'], 0]);
  t.throws(() => parseCli(['nope'], known), /unknown scenario/);
  t.throws(() => parseCli(['--peers', 'nginx'], known), /unknown peer/);
  t.throws(() => parseCli(['--duration', '0'], known), /positive/);
  t.throws(() => parseCli(['--retries', '1.5'], known), /whole number/);
});
