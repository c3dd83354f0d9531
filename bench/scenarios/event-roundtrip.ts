/**
 * Scenario 1 — event round trip. A counter click is the unit of LiveView work: decode, run the
 * handler, re-render, diff, encode, send. Peers run side by side in one invocation, interleaved
 * (A/B/C/D, A/B/C/D, …) so a slow minute on the shared machine hits every peer alike, and ratios
 * are taken per round. Then latency at fixed offered load (25/50/75% of raw uWS's capacity).
 */
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import type { PeerName } from '../runner/peers.ts';
import { PEERS } from '../runner/peers.ts';
import { formatSpread, median, pairedRatios, spread } from '../runner/stats.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';
import type { ScenarioContext } from '../runner/context.ts';

const LEVELS = [0.25, 0.5, 0.75];

interface Live {
  name: PeerName;
  server: ServerHandle;
  group: string;
  ops: number[];
  cpuUs: number[];
  serverPct: number[];
  clientPct: number[];
}

export const eventRoundtrip: Scenario = {
  name: 'event-roundtrip',
  title: '1. Event round trip',
  what: 'A counter click end to end (handler, render, diff, frame) over many sockets: server CPU per event, capacity, and latency at fixed offered load.',
  async run(ctx) {
    const sessions = ctx.sessions(100);
    const windowMs = ctx.duration(3000);
    const rounds = ctx.opts.rounds ?? 3;
    const order = ctx.peers(['raw-uws', 'livery', 'ws-full-html', 'liveviewjs']);
    ctx.result.options = { sessions, windowMs, rounds, latencyLevels: LEVELS.map((l) => `${l * 100}%`).join(' ') };
    ctx.progress.plan(order.length * (1 + rounds + LEVELS.length));

    const rows = new Map<PeerName, Row>();
    const live: Live[] = [];
    // Started together (they idle while others are measured); opened and warmed one by one.
    const starting = order.map((name) => ctx.start(name, ['counter']));
    for (const [i, name] of order.entries()) {
      ctx.progress.step(`start ${name}`);
      const started = await starting[i];
      if (!started.ok) {
        rows.set(name, failedRow(PEERS[name].label, started));
        continue;
      }
      const group = `${name}/counter`;
      const opened = await ctx.load.call('open', { group, target: targetOf(started.server), view: 'counter', count: sessions, concurrency: 50, spreadSources: false });
      if (opened.opened < sessions) {
        rows.set(name, errorRow(PEERS[name].label, `${opened.failed} of ${sessions} sessions failed to join: ${opened.errors[0] ?? '?'}`));
        await ctx.stop(started.server);
        continue;
      }
      await ctx.load.call('closedLoop', { group, event: 'inc', durationMs: Math.min(1000, windowMs / 2) }); // warm-up, discarded
      live.push({ name, server: started.server, group, ops: [], cpuUs: [], serverPct: [], clientPct: [] });
    }

    for (let r = 0; r < rounds; r++) {
      for (const p of live) {
        ctx.progress.step(`round ${r + 1}/${rounds}: ${p.name}`);
        const w = await ctx.measure(p.server, () => ctx.load.call('closedLoop', { group: p.group, event: 'inc', durationMs: windowMs }));
        p.ops.push((1000 * w.result.ops) / w.result.windowMs);
        p.cpuUs.push((1000 * w.serverCpuMs) / Math.max(1, w.result.ops));
        p.serverPct.push(w.serverCpuPct);
        p.clientPct.push(w.clientCpuPct);
        ctx.histogram(`${p.name}/closed-loop/round-${r + 1}`, w.result.hist);
      }
    }
    throughputTable(ctx, order, rows, live, sessions, windowMs, rounds);
    const latencyRows = await latency(ctx, live, windowMs);
    goals(ctx, rows, live, latencyRows);

    for (const p of live) await closeGroup(ctx, p.group);
    await ctx.stopAll();
  },
};

function throughputTable(ctx: ScenarioContext, order: PeerName[], rows: Map<PeerName, Row>, live: Live[], sessions: number, windowMs: number, rounds: number): void {
  const raw = live.find((p) => p.name === 'raw-uws');
  for (const p of live) {
    rows.set(
      p.name,
      okRow(PEERS[p.name].label, {
        opsPerSec: median(p.ops),
        cpuUsPerOp: median(p.cpuUs),
        cpuVsRaw: raw ? formatSpread(spread(pairedRatios(p.cpuUs, raw.cpuUs))) : '—',
        opsVsRaw: raw ? formatSpread(spread(pairedRatios(p.ops, raw.ops))) : '—',
        serverCpuPct: median(p.serverPct),
        clientCpuPct: median(p.clientPct),
      }),
    );
  }
  const table = ctx.table(`Throughput: closed loop, ${sessions} sockets, ${rounds} interleaved rounds of ${windowMs / 1000} s (median; ratios per round: median (min–max))`, [
    { key: 'opsPerSec', label: 'events/s' },
    { key: 'cpuUsPerOp', label: 'server CPU µs/event', digits: 1 },
    { key: 'cpuVsRaw', label: 'CPU/event vs raw' },
    { key: 'opsVsRaw', label: 'events/s vs raw' },
    { key: 'serverCpuPct', label: 'server CPU %' },
    { key: 'clientCpuPct', label: 'client CPU %' },
  ]);
  for (const name of order) table.rows.push(rows.get(name)!);
  if (raw !== undefined && median(raw.clientPct) > 90) {
    ctx.note(`The load client ran at ${median(raw.clientPct).toFixed(0)}% of its core against raw uWS: raw's events/s is a floor, and "vs raw" throughput ratios are generous to the others.`);
  }
  ctx.chart({ kind: 'bars', file: 'event-roundtrip-throughput.svg', title: 'Event round trip: events per second (median)', unit: 'events/s', series: ['events/s'], groups: live.map((p) => ({ label: PEERS[p.name].label, values: [median(p.ops)] })) });
  ctx.chart({ kind: 'bars', file: 'event-roundtrip-cpu.svg', title: 'Event round trip: server CPU per event (median)', unit: 'µs', series: ['CPU µs/event'], groups: live.map((p) => ({ label: PEERS[p.name].label, values: [median(p.cpuUs)] })) });
}

async function latency(ctx: ScenarioContext, live: Live[], windowMs: number): Promise<Map<string, Row>> {
  const raw = live.find((p) => p.name === 'raw-uws');
  const at50 = new Map<string, Row>();
  const table = ctx.table('Latency at fixed offered load (percent of raw uWS capacity), from the intended send time, ms', [
    { key: 'load', label: 'load' },
    { key: 'rate', label: 'events/s' },
    { key: 'p50', label: 'p50', digits: 2 },
    { key: 'p99', label: 'p99', digits: 2 },
    { key: 'p999', label: 'p99.9', digits: 2 },
    { key: 'max', label: 'max', digits: 2 },
    { key: 'incomplete', label: 'unanswered' },
  ]);
  if (raw === undefined) {
    ctx.note('Latency at fixed load needs raw uWS as the capacity baseline; it was not run.');
    return at50;
  }
  const capacity = median(raw.ops);
  for (const level of LEVELS) {
    const rate = Math.max(1, Math.round(capacity * level));
    for (const p of live) {
      ctx.progress.step(`latency ${level * 100}%: ${p.name}`);
      const label = PEERS[p.name].label;
      if (rate > 0.9 * median(p.ops)) {
        table.rows.push({ peer: label, status: 'skipped', reason: `${level * 100}% load (${rate}/s) exceeds 90% of this peer's capacity`, values: { load: `${level * 100}%`, rate } });
        continue;
      }
      const w = await ctx.measure(p.server, () => ctx.load.call('openLoop', { group: p.group, event: 'inc', rate, durationMs: windowMs }));
      ctx.histogram(`${p.name}/latency@${level * 100}%`, w.result.hist);
      const s = summarizeEncoded(w.result.hist);
      const row = okRow(label, { load: `${level * 100}%`, rate, p50: s.p50, p99: s.p99, p999: s.p999, max: s.max, incomplete: w.result.incomplete });
      table.rows.push(row);
      if (level === 0.5) at50.set(p.name, row);
    }
  }
  ctx.chart({
    kind: 'bars',
    file: 'event-roundtrip-latency.svg',
    title: 'Event latency at 50% of raw uWS capacity (ms, log scale)',
    unit: 'ms',
    log: true,
    series: ['p50', 'p99', 'p99.9', 'max'],
    groups: [...at50.values()].map((r) => ({ label: r.peer, values: [r.values.p50, r.values.p99, r.values.p999, r.values.max].map(Number) })),
  });
  return at50;
}

function goals(ctx: ScenarioContext, rows: Map<PeerName, Row>, live: Live[], at50: Map<string, Row>): void {
  const find = (n: PeerName) => live.find((p) => p.name === n);
  const livery = rows.get('livery');
  const rawRow = rows.get('raw-uws');
  const lvjsRow = rows.get('liveviewjs');
  const ratio = (a: number[], b: number[]) => spread(pairedRatios(a, b));
  judgeGoal(ctx, 'Server CPU per event ≤ 1.5× raw uWS echo', livery, rawRow, () => {
    const s = ratio(find('livery')!.cpuUs, find('raw-uws')!.cpuUs);
    return { met: s.median <= 1.5, detail: formatSpread(s) };
  });
  judgeGoal(ctx, 'Throughput ≥ 0.65× raw uWS echo', livery, rawRow, () => {
    const s = ratio(find('livery')!.ops, find('raw-uws')!.ops);
    return { met: s.median >= 0.65, detail: formatSpread(s) };
  });
  judgeGoal(ctx, 'Throughput ≥ 3× LiveViewJS', livery, lvjsRow, () => {
    const s = ratio(find('livery')!.ops, find('liveviewjs')!.ops);
    return { met: s.median >= 3, detail: formatSpread(s) };
  });
  judgeGoal(ctx, 'p99 at 50% load ≤ 1.3× raw uWS p99', livery, rawRow, () => {
    const l = at50.get('livery');
    const r = at50.get('raw-uws');
    if (l === undefined || r === undefined) return { met: false, detail: 'no latency measurement at 50% load' };
    const x = Number(l.values.p99) / Number(r.values.p99);
    return { met: x <= 1.3, detail: `${Number(l.values.p99).toFixed(2)} ms vs ${Number(r.values.p99).toFixed(2)} ms (${x.toFixed(2)}×)` };
  });
}
