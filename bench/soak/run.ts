/**
 * `npm run soak` — a long run of many ticking sessions with churn, watching what the server holds.
 * Method, goals and last results: docs/reliability.md.
 *
 *   npm run soak                                   30 minutes, 10,000 sessions
 *   npm run soak -- --minutes 4 --sessions 2000    a short run
 *
 * The server runs in one process and the load in `--load-processes` others (a process may hold
 * 20,000 open files). After the warm-up the server's RSS (after a full GC) is the baseline; at the
 * end of the load it is measured again, and the growth is the figure the goal (< 5 %) is about.
 * The server's event-loop delay (perf_hooks.monitorEventLoopDelay) is sampled throughout. Then
 * every client leaves, and every live count — sockets, views, ticks, subscriptions, presence
 * entries and listeners, states (once their TTL has passed), Node timers — must return to what
 * it was before the first client came: a count that stays up is a leak.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LiveCounts } from '../../server/metrics/index.ts';
import { describeMachine } from '../runner/machine.ts';
import type { LoadArgs, LoadStats } from './load.ts';

const USAGE = `usage: npm run soak -- [options]
  --minutes N          minutes at full population, warm-up included (default 30; the ramp-up comes first)
  --warmup N           minutes of warm-up before the RSS baseline (default: a sixth of the run, at most 5,
                       at least 1.5 state TTLs, at most half the run)
  --sessions N         sessions held at once (default 10000)
  --load-processes N   processes the sessions are spread over (default 4)
  --ramp N             sessions started per second while ramping up (default 250)
  --event-every S      seconds between one session's events, on average (default 10)
  --churn-every S      seconds between one session's churn (reconnect, leave and rejoin, replace), on average (default 60)
  --room-share F       share of sessions in a room: topics, broadcasts, presence (default 0.25)
  --state-ttl S        seconds a state outlives its socket (default 60; the end waits it out)
  --json FILE          also write the result as JSON`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      warmup: { type: 'string' },
      sessions: { type: 'string', default: '10000' },
      'load-processes': { type: 'string', default: '4' },
      ramp: { type: 'string', default: '250' },
      'event-every': { type: 'string', default: '10' },
      'churn-every': { type: 'string', default: '60' },
      'room-share': { type: 'string', default: '0.25' },
      'state-ttl': { type: 'string', default: '60' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const num = (name: string, text: string, min = 0): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} ${text}: not a number ≥ ${min}\n`);
    process.exit(2);
  }
  return n;
};
const minutes = num('minutes', values.minutes, 0.5);
const sessionCount = Math.floor(num('sessions', values.sessions, 1));
const loadProcesses = Math.max(1, Math.floor(num('load-processes', values['load-processes'], 1)));
const stateTtl = num('state-ttl', values['state-ttl'], 5);
// Churn leaves states behind for their TTL: the baseline is taken once that pool is at its
// steady size (1.5 TTLs), and otherwise after a sixth of the run (at most 5 minutes).
const warmupMinutes = values.warmup === undefined
  ? Math.min(minutes / 2, Math.max(Math.min(5, minutes / 6), (1.5 * stateTtl) / 60))
  : num('warmup', values.warmup);
if (sessionCount / loadProcesses > 15_000) {
  process.stderr.write(`${sessionCount} sessions over ${loadProcesses} load processes is more than 15,000 sockets in one process (the limit is 20,000 open files): add --load-processes\n`);
  process.exit(2);
}

interface Sample {
  at: number;
  rss: number;
  /** RSS's anonymous part (heap, malloc, buffers); `rssFile` is the file-backed rest, which the kernel pages in and out. */
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory of C++ objects tied to JS ones (uWS's included). */
  external: number;
  /** The window's event-loop delay; `samples` 0 when the loop never got to measure it. */
  eventLoop: { samples: number; p50: number; p99: number; max: number; mean: number };
  /** Since the warm-up ended. */
  eventLoopOverall: { samples: number; p50: number; p99: number; max: number; mean: number };
  counts: LiveCounts;
  /** Browser sessions the memory session store holds (each new visitor's page adds one; they live LIVERY_SESSION_TTL). */
  sessions: number;
  resources: Record<string, number>;
  tickLagMs: number;
}

// ---- processes ----------------------------------------------------------------------------

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  // The young generation is fixed at its largest (2 × 16 MiB): V8 grows it with the allocation
  // rate, which would show in RSS as growth that is no memory the server holds.
  const execArgv = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];
  const child = fork(new URL('./server.ts', import.meta.url), [String(stateTtl)], { execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  child.stderr?.on('data', (chunk: Buffer) => { serverLog += chunk.toString(); if (serverLog.length > 200_000) serverLog = serverLog.slice(-100_000); });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the soak server exited during startup (${code}): ${serverLog.slice(-2000)}`)));
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'ready') resolve({ child, port: message.port! });
    });
  });
}
let serverLog = '';

let nextId = 0;
function ask<T>(child: ChildProcess, message: Record<string, unknown>, answer: string): Promise<T> {
  const id = ++nextId;
  return new Promise((resolve) => {
    const listener = (reply: { type: string; id: number; sample?: T }) => {
      if (reply.type !== answer || reply.id !== id) return;
      child.off('message', listener);
      resolve((reply.sample ?? reply) as T);
    };
    child.on('message', listener);
    child.send({ ...message, id });
  });
}
const sample = (child: ChildProcess, options: { gc?: boolean; reset?: boolean; resetOverall?: boolean } = {}) => ask<Sample>(child, { type: 'sample', ...options }, 'sample');

class LoadProcess {
  readonly child: ChildProcess;
  stats: LoadStats | undefined;
  ramped = false;

  constructor(args: LoadArgs) {
    this.child = fork(new URL('./load.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { type: string; stats?: LoadStats }) => {
      if (message.type === 'stats') this.stats = message.stats;
      else if (message.type === 'ramped') this.ramped = true;
    });
    this.child.send({ type: 'start', args });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.child.kill(); resolve(); }, 30_000);
      this.child.on('message', (message: { type: string }) => {
        if (message.type !== 'stopped') return;
        clearTimeout(timer);
        this.child.disconnect();
        resolve();
      });
      this.child.send({ type: 'stop' });
    });
  }
}

function total(loads: LoadProcess[]): LoadStats {
  const sum: LoadStats = { live: 0, joins: 0, joinFailures: 0, reconnects: 0, rejoins: 0, replaced: 0, events: 0, replies: 0, pushes: 0, errors: {}, drops: {} };
  for (const { stats } of loads) {
    if (stats === undefined) continue;
    for (const key of ['live', 'joins', 'joinFailures', 'reconnects', 'rejoins', 'replaced', 'events', 'replies', 'pushes'] as const) sum[key] += stats[key];
    for (const [k, v] of Object.entries(stats.errors)) sum.errors[k] = (sum.errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(stats.drops)) sum.drops[k] = (sum.drops[k] ?? 0) + v;
  }
  return sum;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- the run ------------------------------------------------------------------------------

const startLoad = describeMachine().loadAverage;
const startedAt = new Date();
process.stdout.write(`livery soak — ${minutes} min (warm-up ${warmupMinutes.toFixed(1)}), ${fmt(sessionCount)} sessions over ${loadProcesses} load processes, ${startedAt.toISOString()}\n`);
const { child: server, port } = await startServer();
const crashed = new Promise<string>((resolve) => server.once('exit', (code, signal) => resolve(`the server exited (${code ?? signal}) during the soak: ${serverLog.slice(-3000)}`)));
const baseline = await sample(server, { gc: true, reset: true });
process.stdout.write(`baseline: RSS ${mib(baseline.rss)} MiB, counts ${JSON.stringify(baseline.counts)}, timers ${baseline.resources.Timeout ?? 0}\n`);

const perProcess = Math.ceil(sessionCount / loadProcesses);
const loads = Array.from({ length: loadProcesses }, (_, i) => new LoadProcess({
  port,
  sessions: Math.min(perProcess, sessionCount - i * perProcess),
  rampPerSecond: num('ramp', values.ramp, 1) / loadProcesses,
  eventEvery: num('event-every', values['event-every'], 0.1),
  churnEvery: num('churn-every', values['churn-every'], 1),
  roomShare: num('room-share', values['room-share']),
}));

let failure: string | undefined;
void crashed.then((why) => { failure = why; });
// The clock starts once every session is up: --minutes is time at full population.
const rampStarted = performance.now();
while (!loads.every((l) => l.ramped) && failure === undefined) await sleep(1_000);
process.stdout.write(`ramped up: ${fmt(total(loads).live)} sessions joined in ${((performance.now() - rampStarted) / 1000).toFixed(0)} s\n`);
const started = performance.now();
const warmupEnds = started + warmupMinutes * 60_000;
const loadEnds = started + minutes * 60_000;
const samples: Sample[] = [];
let afterWarmup: Sample | undefined;
let lastPrint = 0;
while (performance.now() < loadEnds && failure === undefined) {
  await sleep(5_000);
  if (failure !== undefined) break;
  const now = performance.now();
  if (afterWarmup === undefined && now >= warmupEnds) {
    afterWarmup = await sample(server, { gc: true, reset: true, resetOverall: true });
    process.stdout.write(`after warm-up: RSS ${mib(afterWarmup.rss)} MiB, anonymous ${mib(afterWarmup.rssAnon)} MiB (after full GC), ${fmt(afterWarmup.counts.connections)} sockets, ${fmt(afterWarmup.counts.views)} views\n`);
    continue;
  }
  const s = await sample(server, { reset: true });
  if (afterWarmup !== undefined) samples.push(s);
  if (now - lastPrint >= 30_000) {
    lastPrint = now;
    const load = total(loads);
    process.stdout.write(`  ${((now - started) / 60_000).toFixed(1)} min: RSS ${mib(s.rss)} MiB (anonymous ${mib(s.rssAnon)}), loop delay ${s.eventLoop.samples === 0 ? 'not sampled' : `p99 ${s.eventLoop.p99} ms (max ${s.eventLoop.max})`}, tick lag ${s.tickLagMs} ms; ${fmt(s.counts.connections)} sockets, ${fmt(s.counts.views)} views, ${fmt(s.counts.ticks)} ticks, ${fmt(s.counts.subscriptions ?? 0)} subscriptions, ${fmt(s.counts.presence ?? 0)} presence; load: ${fmt(load.live)} joined, ${fmt(load.joins)} joins, ${fmt(load.reconnects)} reconnects, ${fmt(load.events)} events, ${fmt(load.pushes)} pushes\n`);
  }
}
// Read before the full GC, which would count as a loop delay of its own.
const loopOverall = failure === undefined ? (await sample(server)).eventLoopOverall : undefined;
const atEnd = failure === undefined ? await sample(server, { gc: true }) : undefined;
const load = total(loads);

// Every client leaves; then every count must come back to the baseline.
await Promise.all(loads.map((l) => l.stop()));
const finalLoad = total(loads);
let drained: Sample | undefined;
const back = (s: Sample) => s.counts.connections === baseline.counts.connections && s.counts.views === baseline.counts.views
  && s.counts.ticks === baseline.counts.ticks && s.counts.subscriptions === baseline.counts.subscriptions
  && s.counts.presence === baseline.counts.presence && s.counts.presenceListeners === baseline.counts.presenceListeners
  && s.counts.timers === baseline.counts.timers;
if (failure === undefined) {
  for (let i = 0; i < 60; i++) {
    drained = await sample(server, { gc: true });
    if (back(drained)) break;
    await sleep(500);
  }
  process.stdout.write(`all clients gone; waiting ${stateTtl} s for the states they left to expire\n`);
  await sleep((stateTtl + 2) * 1000);
  await ask(server, { type: 'purge' }, 'purged');
  drained = await sample(server, { gc: true });
}

// ---- report -------------------------------------------------------------------------------

const machine = describeMachine();
// Anonymous RSS where /proc has it: file-backed pages (the binary, libraries) come and go with
// the kernel's page reclaim, not with anything the server holds.
const rssOf = (s: Sample) => (s.rssAnon > 0 ? s.rssAnon : s.rss);
const growth = afterWarmup !== undefined && atEnd !== undefined ? (rssOf(atEnd) - rssOf(afterWarmup)) / rssOf(afterWarmup) : undefined;
const heapGrowth = afterWarmup !== undefined && atEnd !== undefined ? (atEnd.heapUsed - afterWarmup.heapUsed) / afterWarmup.heapUsed : undefined;
const measured = samples.filter((s) => s.eventLoop.samples > 0);
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const loop = measured.length === 0 ? undefined : {
  windows: measured.length,
  unmeasured: samples.length - measured.length,
  p50: median(measured.map((s) => s.eventLoop.p50)),
  p99Worst: Math.max(...measured.map((s) => s.eventLoop.p99)),
  p99Median: median(measured.map((s) => s.eventLoop.p99)),
  max: Math.max(...measured.map((s) => s.eventLoop.max)),
};
const leakRows: Array<[string, number | undefined, number | undefined]> = [
  ['sockets', baseline.counts.connections, drained?.counts.connections],
  ['views', baseline.counts.views, drained?.counts.views],
  ['ticks', baseline.counts.ticks, drained?.counts.ticks],
  ['pub/sub subscriptions', baseline.counts.subscriptions, drained?.counts.subscriptions],
  ['presence entries', baseline.counts.presence, drained?.counts.presence],
  ['presence listeners', baseline.counts.presenceListeners, drained?.counts.presenceListeners],
  ['states', baseline.counts.states, drained?.counts.states],
  ['sendSelf timers', baseline.counts.timers, drained?.counts.timers],
  ['Node timers', baseline.resources.Timeout ?? 0, drained?.resources.Timeout ?? 0],
  ['send buffers (bytes)', baseline.counts.bufferedBytes, drained?.counts.bufferedBytes],
];
const leaks = leakRows.filter(([, before, after]) => after === undefined || after !== before);
const lines = [
  '',
  `machine: ${machine.cpuModel}, ${machine.cpus} CPUs, Node ${machine.node}, open-file limit ${machine.fileLimit}, load average at the end ${machine.loadAverage} (at the start ${startLoad})`,
  `load: ${fmt(finalLoad.joins)} joins (${fmt(finalLoad.joinFailures)} failed), ${fmt(finalLoad.reconnects)} reconnects, ${fmt(finalLoad.rejoins)} leave+rejoins, ${fmt(finalLoad.replaced)} sessions replaced, ${fmt(finalLoad.events)} events (${fmt(finalLoad.replies)} replies), ${fmt(finalLoad.pushes)} pushes received`,
  `  error frames: ${JSON.stringify(finalLoad.errors)}; unexpected drops: ${JSON.stringify(finalLoad.drops)}`,
  `RSS (anonymous): ${afterWarmup === undefined ? '?' : mib(rssOf(afterWarmup))} MiB after warm-up → ${atEnd === undefined ? '?' : mib(rssOf(atEnd))} MiB at the end of the load (both after a full GC): ${growth === undefined ? '?' : `${(growth * 100).toFixed(2)} %`} (goal < 5 %)`,
  `  total RSS ${afterWarmup === undefined ? '?' : mib(afterWarmup.rss)} → ${atEnd === undefined ? '?' : mib(atEnd.rss)} MiB (file-backed ${afterWarmup === undefined ? '?' : mib(afterWarmup.rssFile)} → ${atEnd === undefined ? '?' : mib(atEnd.rssFile)} MiB); heap used ${afterWarmup === undefined ? '?' : mib(afterWarmup.heapUsed)} → ${atEnd === undefined ? '?' : mib(atEnd.heapUsed)} MiB (${heapGrowth === undefined ? '?' : `${(heapGrowth * 100).toFixed(1)} %`}), heap committed ${afterWarmup === undefined ? '?' : mib(afterWarmup.heapTotal)} → ${atEnd === undefined ? '?' : mib(atEnd.heapTotal)} MiB, external ${afterWarmup === undefined ? '?' : mib(afterWarmup.external)} → ${atEnd === undefined ? '?' : mib(atEnd.external)} MiB`,
  `  outside V8's heap (anonymous RSS − heap committed: malloc, uWebSockets.js, buffers): ${afterWarmup === undefined ? '?' : mib(afterWarmup.rssAnon - afterWarmup.heapTotal)} → ${atEnd === undefined ? '?' : mib(atEnd.rssAnon - atEnd.heapTotal)} MiB`,
  `  sessions live: ${afterWarmup === undefined ? '?' : fmt(afterWarmup.counts.connections)} after warm-up, ${atEnd === undefined ? '?' : fmt(atEnd.counts.connections)} at the end; browser sessions kept (data with a TTL, not a leak): ${afterWarmup === undefined ? '?' : fmt(afterWarmup.sessions)} → ${atEnd === undefined ? '?' : fmt(atEnd.sessions)}`,
  `event-loop delay after warm-up: p50 ${loopOverall?.p50 ?? '?'} ms, p99 ${loopOverall?.p99 ?? '?'} ms, max ${loopOverall?.max ?? '?'} ms (1 ms sampling); in 5 s windows: median p99 ${loop?.p99Median ?? '?'} ms, worst p99 ${loop?.p99Worst ?? '?'} ms${loop?.unmeasured ? ` (${loop.unmeasured} of ${samples.length} windows without a sample: the loop stalled through them)` : ''}`,
  'after every client left (states: once their TTL passed):',
  ...leakRows.map(([what, before, after]) => `  ${what.padEnd(22)} ${String(before).padStart(8)} → ${String(after).padStart(8)}${after === before ? '' : '   LEAK'}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
const ok = failure === undefined && leaks.length === 0 && growth !== undefined && growth < 0.05;
if (failure !== undefined) process.stdout.write(`\n✗ ${failure}\n`);
if (growth !== undefined && growth >= 0.05) process.stdout.write('\n✗ RSS grew 5 % or more after the warm-up\n');
if (leaks.length > 0) process.stdout.write(`\n✗ not back to the baseline: ${leaks.map(([what]) => what).join(', ')}\n`);
process.stdout.write(`\n${ok ? 'soak passed' : 'soak FAILED'}\n`);
if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify({
    startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine,
    options: { minutes, warmupMinutes, sessions: sessionCount, loadProcesses, stateTtl, eventEvery: values['event-every'], churnEvery: values['churn-every'], roomShare: values['room-share'] },
    baseline, afterWarmup, atEnd, drained, growth, heapGrowth, loop, loopOverall, load, finalLoad, leaks: leaks.map(([what]) => what), failure, samples,
  }, null, 2));
}
server.disconnect();
process.exit(ok ? 0 : 1);
