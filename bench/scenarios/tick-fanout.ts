/**
 * Scenario 2 — tick fan-out. N views each tick once a second with a small changing value (Livery's
 * clock); the peer is raw uWS pushing a pre-rendered 100-byte frame to N sockets a second, spread
 * over the second. N climbs a ladder until a step fails: p99 tick lag > 100 ms, server CPU > 80%, or
 * more than 1% of expected frames missing. Event latency is probed meanwhile on separate sockets;
 * and a view whose tick changes nothing must send nothing at all.
 */
import { sleep } from '../shared/async.ts';
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { PeerName } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario, Table } from './types.ts';

const PERIOD_MS = 1000;
const LAG_LIMIT_MS = 100;
const CPU_LIMIT_PCT = 80;
const PROBE_SESSIONS = 10;
const PROBE_RATE = 50;
const SILENT = 'A tick that changes nothing sends zero bytes';

interface Outcome {
  row: Row;
  points: [number, number][];
}

export const tickFanout: Scenario = {
  name: 'tick-fanout',
  title: '2. Tick fan-out',
  what: 'N views ticking at 1 Hz with a small changing value: the largest N served with p99 tick lag ≤ 100 ms and server CPU ≤ 80%, event latency meanwhile, and silence for ticks that change nothing.',
  async run(ctx) {
    const maxN = ctx.sessions(10_000);
    const windowMs = Math.max(ctx.duration(4000), 1000);
    const ladder = maxN >= 2000 ? [0.1, 0.25, 0.5, 1].map((f) => Math.round(maxN * f)) : [Math.ceil(maxN / 2), maxN];
    const order = ctx.peers(['raw-uws', 'livery']);
    ctx.result.options = { ladder: ladder.join(' '), windowMs, periodMs: PERIOD_MS, probeRate: PROBE_RATE };
    ctx.progress.plan(order.length * (ladder.length + 2));

    const steps = ctx.table(`Each step: ${windowMs / 1000} s window; lag in ms relative to each socket's own best tick`, [
      { key: 'n', label: 'views' },
      { key: 'lagP50', label: 'lag p50', digits: 1 },
      { key: 'lagP99', label: 'lag p99', digits: 1 },
      { key: 'lagMax', label: 'lag max', digits: 1 },
      { key: 'missed', label: 'missed' },
      { key: 'bytesPerFrame', label: 'B/frame' },
      { key: 'serverCpuPct', label: 'server CPU %' },
      { key: 'clientCpuPct', label: 'client CPU %' },
      { key: 'eventP99', label: 'event p99 ms', digits: 2 },
      { key: 'pass', label: 'within limits' },
    ]);
    const best = new Map<PeerName, Row>();
    const series: { label: string; points: [number, number][] }[] = [];
    const starting = ctx.startAll(order, () => ['clock', 'counter']);
    for (const name of order) {
      ctx.progress.step(`start ${name}`);
      const started = await starting.get(name)!;
      if (!started.ok) {
        best.set(name, failedRow(PEERS[name].label, started));
        continue;
      }
      const outcome = await climb(ctx, started.server, ladder, windowMs, steps);
      best.set(name, outcome.row);
      series.push({ label: PEERS[name].label, points: outcome.points });
      if (name === 'livery') await silentTicks(ctx, started.server, windowMs);
      await ctx.stop(started.server);
    }
    const liveryRow = best.get('livery');
    if (liveryRow !== undefined && !ctx.result.goals.some((g) => g.text === SILENT)) ctx.goal(SILENT, 'not-yet-available', liveryRow.reason ?? '');
    const summary = ctx.table('Largest N within limits (p99 lag ≤ 100 ms, CPU ≤ 80%, ≤ 1% missed)', [
      { key: 'largestN', label: 'largest N' },
      { key: 'eventP99', label: 'event p99 at that N, ms', digits: 2 },
    ]);
    for (const name of order) summary.rows.push(best.get(name)!);
    ctx.chart({ kind: 'lines', file: 'tick-fanout-lag.svg', title: 'Tick fan-out: p99 tick lag by number of views', xLabel: 'views ticking at 1 Hz', yLabel: 'p99 lag, ms', series });

    const livery = best.get('livery');
    const raw = best.get('raw-uws');
    judgeGoal(ctx, 'Largest N ≥ 0.5× raw uWS push', livery, raw, () => {
      const l = Number(livery!.values.n);
      const r = Number(raw!.values.n);
      const bounded = (row: Row) => (String(row.values.largestN).startsWith('≥') ? ' (never reached its limit: a lower bound)' : '');
      return { met: l >= 0.5 * r, detail: `${livery!.values.largestN} vs ${raw!.values.largestN}${bounded(raw!)}` };
    });
  },
};

async function climb(ctx: ScenarioContext, server: ServerHandle, ladder: number[], windowMs: number, steps: Table): Promise<Outcome> {
  const name = server.peer.name;
  const label = server.peer.label;
  const group = `${name}/clock`;
  const probe = `${name}/probe`;
  const points: [number, number][] = [];
  const target = targetOf(server);
  const probeOpen = await ctx.load.call('open', { group: probe, target, view: 'counter', count: PROBE_SESSIONS, concurrency: PROBE_SESSIONS, spreadSources: false });
  if (probeOpen.opened < PROBE_SESSIONS) return { row: errorRow(label, `probe sessions failed: ${probeOpen.errors[0]}`), points };
  let opened = 0;
  let largest = 0;
  let eventP99 = Number.NaN;
  let failed = false;
  for (const n of ladder) {
    ctx.progress.step(`${name}: ${n} views`);
    const more = await ctx.load.call('open', { group, target, view: 'clock', count: n - opened, concurrency: 200, spreadSources: true });
    opened += more.opened;
    if (more.failed > 0) {
      const reason = `${more.failed} of ${n - opened + more.opened} joins failed at N=${n}: ${more.errors[0]}`;
      steps.rows.push(errorRow(label, reason));
      await closeGroup(ctx, group);
      await closeGroup(ctx, probe);
      return { row: errorRow(label, reason), points };
    }
    await sleep(PERIOD_MS + 200); // every socket has had its first tick: the phase estimate needs one
    const w = await ctx.measure(server, () =>
      ctx.load.call('ticks', { group, durationMs: windowMs, periodMs: PERIOD_MS, probe: { group: probe, event: 'inc', rate: PROBE_RATE, durationMs: windowMs } }),
    );
    const lag = summarizeEncoded(w.result.lagHist);
    const ev = summarizeEncoded(w.result.probe!.hist);
    ctx.histogram(`${name}/tick-lag@${n}`, w.result.lagHist);
    ctx.histogram(`${name}/event-while-ticking@${n}`, w.result.probe!.hist);
    const expected = Math.floor(windowMs / PERIOD_MS) * n;
    const pass = lag.p99 <= LAG_LIMIT_MS && w.serverCpuPct <= CPU_LIMIT_PCT && w.result.missed <= 0.01 * expected;
    points.push([n, lag.p99]);
    steps.rows.push(
      okRow(label, {
        n,
        lagP50: lag.p50,
        lagP99: lag.p99,
        lagMax: lag.max,
        missed: w.result.missed,
        bytesPerFrame: w.result.frames > 0 ? Math.round(w.result.bytes / w.result.frames) : null,
        serverCpuPct: w.serverCpuPct,
        clientCpuPct: w.clientCpuPct,
        eventP99: ev.p99,
        pass: pass ? 'yes' : 'no',
      }),
    );
    if (!pass) {
      failed = true;
      break;
    }
    largest = n;
    eventP99 = ev.p99;
  }
  await closeGroup(ctx, group);
  await closeGroup(ctx, probe);
  const reached = failed ? String(largest) : `≥ ${largest}`;
  return { row: okRow(label, { largestN: reached, n: largest, eventP99 }), points };
}

/** Livery only: views whose tick changes nothing must put zero bytes on the wire. */
async function silentTicks(ctx: ScenarioContext, server: ServerHandle, windowMs: number): Promise<void> {
  ctx.progress.step('livery: ticks that change nothing');
  if (!server.has('tick-noop')) return ctx.goal(SILENT, 'not-yet-available', 'no tick-noop view');
  const group = 'livery/tick-noop';
  const count = Math.min(100, ctx.sessions(100));
  const opened = await ctx.load.call('open', { group, target: targetOf(server), view: 'tick-noop', count, concurrency: 50, spreadSources: false });
  if (opened.opened === 0) return ctx.goal(SILENT, 'missed', `no tick-noop view joined: ${opened.errors[0] ?? '?'}`);
  // At least one full tick period per view, whatever --duration says.
  const listenMs = Math.max(1500, windowMs);
  const heard = await ctx.load.call('silence', { group, durationMs: listenMs });
  ctx.goal(SILENT, heard.bytes === 0 ? 'met' : 'missed', `${opened.opened} views over ${(listenMs / 1000).toFixed(1)} s: ${heard.frames} frames, ${heard.bytes} B`);
  await closeGroup(ctx, group);
}
