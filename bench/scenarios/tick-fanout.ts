/**
 * Scenario 2 — tick fan-out. N views each tick once a second with a small changing value (Livery's
 * clock); the peer is raw uWS pushing a pre-rendered 100-byte frame to N sockets a second, spread
 * over the second. N climbs a ladder up to the process's descriptor ceiling (the open-file limit
 * less a reserve: the server holds one descriptor per socket) until a step fails: p99 tick lag >
 * 100 ms, server CPU > 80%, or more than 1% of expected frames missing. Event latency is probed
 * meanwhile on separate sockets; and a view whose tick changes nothing must send nothing at all.
 *
 * Then the frequency ladder: 10,000 views ticking at 1, 5, 10 and 20 Hz, each tick bumping a number,
 * against raw uWS pushing the same frame (`[2,"d",1,{"0":"<n>"}]`) at the same rates: the largest
 * updates a second each serves within the same limits. Sockets are spread over several load
 * processes when one cannot hold them (see runner/load-fleet.ts).
 */
import { sleep } from '../shared/async.ts';
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { PeerName } from '../runner/peers.ts';
import type { LoadFleet } from '../runner/load-fleet.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario, Table } from './types.ts';

const PERIOD_MS = 1000;
const LAG_LIMIT_MS = 100;
const CPU_LIMIT_PCT = 80;
const PROBE_SESSIONS = 10;
const PROBE_RATE = 50;
const SILENT = 'A tick that changes nothing sends zero bytes';
const LADDER_GOAL = 'Ticks beyond 1 Hz: largest updates/s within limits ≥ 0.7× raw uWS pushing the same bytes';
/** The frequency ladder, in ticks a second per view. */
const FREQUENCIES = [1, 5, 10, 20];
/** Descriptors a server keeps for itself besides its sockets (listen, epoll, files, Redis, …). */
const DESCRIPTOR_RESERVE = 1000;
/** Sockets per load process: well inside its own open-file limit, pages fetched during joins included. */
const PER_LOAD_PROCESS = 10_000;
const SKIPPED_PEERS =
  'ws + full HTML and LiveViewJS are not in this scenario: it compares pushes of the same bytes, and neither can push Livery\'s frame (one re-sends the whole page, the other speaks the Phoenix diff format); scenario 1 compares them per event.';

/** The largest socket count a server can hold under the open-file limit, in whole thousands. */
export function descriptorCeiling(fileLimit: number): number {
  return Math.max(1000, Math.floor((fileLimit - DESCRIPTOR_RESERVE) / 1000) * 1000);
}

/** The N ladder: round steps up to `maxN` (which is always the last), or half and all of a small N. */
export function fanoutLadder(maxN: number): number[] {
  if (maxN < 2000) return [Math.ceil(maxN / 2), maxN];
  return [...[1000, 2500, 5000, 10_000, 15_000].filter((n) => n < maxN), maxN];
}

interface Outcome {
  row: Row;
  points: [number, number][];
}

export const tickFanout: Scenario = {
  name: 'tick-fanout',
  title: '2. Tick fan-out',
  what: 'N views ticking at 1 Hz with a small changing value, up to the descriptor ceiling: the largest N served with p99 tick lag ≤ 100 ms and server CPU ≤ 80%, event latency meanwhile, and silence for ticks that change nothing; then 10,000 views at 1, 5, 10 and 20 Hz: the largest updates/s within the same limits, against raw uWS pushing the same bytes.',
  async run(ctx) {
    const ceiling = descriptorCeiling(ctx.opts.fileLimit);
    const maxN = ctx.sessions(ceiling);
    const ladderViews = Math.min(ctx.sessions(10_000), ceiling);
    const windowMs = Math.max(ctx.duration(4000), 1000);
    const ladder = fanoutLadder(maxN);
    const order = ctx.peers(['raw-uws', 'livery']);
    ctx.result.options = { ladder: ladder.join(' '), windowMs, periodMs: PERIOD_MS, probeRate: PROBE_RATE, ladderViews, frequencies: FREQUENCIES.join(' '), fileLimit: ctx.opts.fileLimit };
    ctx.progress.plan(order.length * (ladder.length + FREQUENCIES.length + 2));
    if (maxN > ceiling) ctx.note(`${maxN} views is past the descriptor ceiling of ${ceiling} (open-file limit ${ctx.opts.fileLimit}): expect joins to fail at the top.`);
    ctx.note(SKIPPED_PEERS);
    const fleet = ctx.fleet(PER_LOAD_PROCESS);

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
    const rates = ctx.table(`Frequency ladder: ${ladderViews} views, each tick bumping a number; ${windowMs / 1000} s window; lag in ms relative to each socket's own best tick, placed by the tick's number`, [
      { key: 'hz', label: 'Hz', better: 'neither' },
      { key: 'n', label: 'views', better: 'neither' },
      { key: 'updatesPerSec', label: 'updates/s', better: 'higher' },
      { key: 'lagP50', label: 'lag p50', digits: 1 },
      { key: 'lagP99', label: 'lag p99', digits: 1 },
      { key: 'lagMax', label: 'lag max', digits: 1 },
      { key: 'missed', label: 'missed' },
      { key: 'bytesPerFrame', label: 'B/frame', better: 'neither' },
      { key: 'serverCpuPct', label: 'server CPU %' },
      { key: 'cpuUsPerUpdate', label: 'server µs/update', digits: 1, better: 'lower' },
      { key: 'clientCpuPct', label: 'client CPU %' },
      { key: 'pass', label: 'within limits' },
    ]);
    const best = new Map<PeerName, Row>();
    const fastest = new Map<PeerName, Row>();
    const series: { label: string; points: [number, number][] }[] = [];
    const rateSeries: { label: string; points: [number, number][] }[] = [];
    const tickViews = FREQUENCIES.map((hz) => `tick-${hz}hz`);
    const starting = ctx.startAll(order, () => ['clock', 'counter', ...tickViews]);
    try {
      for (const name of order) {
        ctx.progress.step(`start ${name}`);
        const started = await starting.get(name)!;
        if (!started.ok) {
          best.set(name, failedRow(PEERS[name].label, started));
          fastest.set(name, failedRow(PEERS[name].label, started));
          continue;
        }
        const outcome = await climb(ctx, fleet, started.server, ladder, windowMs, steps);
        best.set(name, outcome.row);
        series.push({ label: PEERS[name].label, points: outcome.points });
        const ladderOutcome = await frequencyLadder(ctx, fleet, started.server, ladderViews, windowMs, rates);
        fastest.set(name, ladderOutcome.row);
        rateSeries.push({ label: PEERS[name].label, points: ladderOutcome.points });
        if (name === 'livery') await silentTicks(ctx, started.server, windowMs);
        await ctx.stop(started.server);
      }
    } finally {
      await fleet.stop();
    }
    if (fleet.peak > 1) ctx.note(`Sockets were spread over ${fleet.peak} load processes (${PER_LOAD_PROCESS} each at most), all on the load CPU.`);
    const liveryRow = best.get('livery');
    if (liveryRow !== undefined && !ctx.result.goals.some((g) => g.text === SILENT)) ctx.goal(SILENT, 'not-yet-available', liveryRow.reason ?? '');
    const summary = ctx.table('Largest N within limits (p99 lag ≤ 100 ms, CPU ≤ 80%, ≤ 1% missed)', [
      { key: 'largestN', label: 'largest N' },
      { key: 'eventP99', label: 'event p99 at that N, ms', digits: 2 },
    ]);
    for (const name of order) summary.rows.push(best.get(name)!);
    ctx.chart({ kind: 'lines', file: 'tick-fanout-lag.svg', title: 'Tick fan-out: p99 tick lag by number of views', xLabel: 'views ticking at 1 Hz', yLabel: 'p99 lag, ms', series });

    const fastestTable = ctx.table('Frequency ladder: largest updates/s within limits (p99 lag ≤ 100 ms, CPU ≤ 80%, ≤ 1% missed)', [
      { key: 'largestRate', label: 'largest updates/s' },
      { key: 'hz', label: 'at Hz', better: 'neither' },
      { key: 'bytesPerFrame', label: 'B/frame', better: 'neither' },
    ]);
    for (const name of order) fastestTable.rows.push(fastest.get(name)!);
    ctx.chart({ kind: 'lines', file: 'tick-fanout-ladder.svg', title: `Tick frequency ladder: p99 tick lag by updates/s (${ladderViews} views)`, xLabel: 'updates per second', yLabel: 'p99 lag, ms', series: rateSeries });

    const bounded = (row: Row, key: string) => (String(row.values[key]).startsWith('≥') ? ' (never reached its limit: a lower bound)' : '');
    const livery = best.get('livery');
    const raw = best.get('raw-uws');
    judgeGoal(ctx, 'Largest N ≥ 0.5× raw uWS push', livery, raw, () => {
      const l = Number(livery!.values.n);
      const r = Number(raw!.values.n);
      return { met: l >= 0.5 * r, detail: `${livery!.values.largestN} vs ${raw!.values.largestN}${bounded(raw!, 'largestN')}` };
    });
    const liveryRate = fastest.get('livery');
    const rawRate = fastest.get('raw-uws');
    if (liveryRate?.status === 'ok' && rawRate?.status === 'ok' && rawRate.values.updatesPerSec === 0) {
      return ctx.goal(LADDER_GOAL, 'not-measured', `raw uWS stayed within the limits at no rate (Livery: ${liveryRate.values.largestRate} updates/s): no reference to compare with`);
    }
    judgeGoal(ctx, LADDER_GOAL, liveryRate, rawRate, () => {
      const l = Number(liveryRate!.values.updatesPerSec);
      const r = Number(rawRate!.values.updatesPerSec);
      const ratio = r > 0 ? l / r : Number.NaN;
      const sameBytes = liveryRate!.values.bytesPerFrame === rawRate!.values.bytesPerFrame ? 'same bytes' : `bytes differ: ${liveryRate!.values.bytesPerFrame} vs ${rawRate!.values.bytesPerFrame} B/frame`;
      return {
        met: r > 0 && l >= 0.7 * r,
        detail: `${liveryRate!.values.largestRate} vs ${rawRate!.values.largestRate}${bounded(rawRate!, 'largestRate')} updates/s = ${Number.isFinite(ratio) ? ratio.toFixed(2) : '—'}×; ${sameBytes}`,
      };
    });
  },
};

async function climb(ctx: ScenarioContext, fleet: LoadFleet, server: ServerHandle, ladder: number[], windowMs: number, steps: Table): Promise<Outcome> {
  const name = server.peer.name;
  const label = server.peer.label;
  const group = `${name}/clock`;
  const probe = `${name}/probe`;
  const points: [number, number][] = [];
  const target = targetOf(server);
  // The probe first: it lands on the first load process, which the clock group then fills too.
  const probeOpen = await fleet.open({ group: probe, target, view: 'counter', count: PROBE_SESSIONS, concurrency: PROBE_SESSIONS, spreadSources: false });
  if (probeOpen.opened < PROBE_SESSIONS) return { row: errorRow(label, `probe sessions failed: ${probeOpen.errors[0]}`), points };
  let opened = 0;
  let largest = 0;
  let eventP99 = Number.NaN;
  let failed = false;
  for (const n of ladder) {
    ctx.progress.step(`${name}: ${n} views`);
    const more = await fleet.open({ group, target, view: 'clock', count: n - opened, concurrency: 200, spreadSources: true });
    opened += more.opened;
    if (more.failed > 0) {
      const reason = `${more.failed} of ${n - opened + more.opened} joins failed at N=${n}: ${more.errors[0]}`;
      steps.rows.push(errorRow(label, reason));
      await fleet.close(group);
      await fleet.close(probe);
      return { row: errorRow(label, reason), points };
    }
    await sleep(PERIOD_MS + 200); // every socket has had its first tick: the phase estimate needs one
    const w = await ctx.measure(server, () =>
      fleet.ticks({ group, durationMs: windowMs, periodMs: PERIOD_MS, probe: { group: probe, event: 'inc', rate: PROBE_RATE, durationMs: windowMs } }),
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
  await fleet.close(group);
  await fleet.close(probe);
  const reached = failed ? String(largest) : `≥ ${largest}`;
  return { row: okRow(label, { largestN: reached, n: largest, eventP99 }), points };
}

/**
 * `views` sockets at each frequency in turn (a fresh group per step: the rate is the view's), until
 * a step fails. The row: the most updates a second delivered within the limits.
 */
async function frequencyLadder(ctx: ScenarioContext, fleet: LoadFleet, server: ServerHandle, views: number, windowMs: number, rates: Table): Promise<Outcome> {
  const name = server.peer.name;
  const label = server.peer.label;
  const target = targetOf(server);
  const points: [number, number][] = [];
  let largest: Row | null = null;
  let failed = false;
  for (const hz of FREQUENCIES) {
    ctx.progress.step(`${name}: ${views} views at ${hz} Hz`);
    const group = `${name}/tick-${hz}hz`;
    const periodMs = 1000 / hz;
    const opened = await fleet.open({ group, target, view: `tick-${hz}hz`, count: views, concurrency: 200, spreadSources: true });
    if (opened.failed > 0) {
      await fleet.close(group);
      const reason = `${opened.failed} of ${views} joins failed at ${hz} Hz: ${opened.errors[0]}`;
      rates.rows.push(errorRow(label, reason));
      // The ladder broke before it found a limit: no figure, as the N ladder does.
      return { row: errorRow(label, reason), points };
    }
    await sleep(periodMs + 200); // every socket has had its first tick
    const w = await ctx.measure(server, () => fleet.ticks({ group, durationMs: windowMs, periodMs, numbered: true }));
    await fleet.close(group);
    const lag = summarizeEncoded(w.result.lagHist);
    ctx.histogram(`${name}/tick-lag@${hz}Hz`, w.result.lagHist);
    const expected = Math.floor(windowMs / periodMs) * views;
    const pass = lag.p99 <= LAG_LIMIT_MS && w.serverCpuPct <= CPU_LIMIT_PCT && w.result.missed <= 0.01 * expected;
    const updatesPerSec = Math.round((w.result.frames * 1000) / windowMs);
    const bytesPerFrame = w.result.frames > 0 ? Math.round(w.result.bytes / w.result.frames) : null;
    points.push([updatesPerSec, lag.p99]);
    rates.rows.push(
      okRow(label, {
        hz,
        n: views,
        updatesPerSec,
        lagP50: lag.p50,
        lagP99: lag.p99,
        lagMax: lag.max,
        missed: w.result.missed,
        bytesPerFrame,
        serverCpuPct: w.serverCpuPct,
        cpuUsPerUpdate: w.result.frames > 0 ? (w.serverCpuMs * 1000) / w.result.frames : null,
        clientCpuPct: w.clientCpuPct,
        pass: pass ? 'yes' : 'no',
      }),
    );
    if (w.clientCpuPct > 90) ctx.note(`${label} at ${hz} Hz: the load processes used ${Math.round(w.clientCpuPct)}% of their core, so the step may measure the load generator as much as the server.`);
    if (!pass) {
      failed = true;
      break;
    }
    largest = okRow(label, { largestRate: String(updatesPerSec), updatesPerSec, hz, bytesPerFrame });
  }
  if (largest === null) return { row: okRow(label, { largestRate: '0', updatesPerSec: 0, hz: null, bytesPerFrame: null }), points };
  if (!failed) largest.values.largestRate = `≥ ${largest.values.updatesPerSec}`;
  return { row: largest, points };
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
