/**
 * Scenario 9 — cost against page size (issue 12, goal 1, the server's side). A keyed table of 100,
 * 1,000 and 10,000 rows; every event changes one cell of one row (a different row each time).
 * With item-wise re-renders (D61) the server renders the one changed row, so its CPU per event
 * and the reply's bytes must not grow with the table. The three sizes are measured in interleaved
 * rounds (100, 1,000, 10,000, 100, …) so a slow minute hits each alike; ratios are per round.
 */
import { probeWire } from '../load/wire-probe.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { formatSpread, median, pairedRatios, spread } from '../runner/stats.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';

export const SIZES = [100, 1_000, 10_000];
const view = (rows: number) => `page-size-${rows}`;
/** Replies probed for bytes per event (after one warm-up event). */
const PROBED = 5;

interface Size {
  rows: number;
  group: string;
  cpuUs: number[];
  ops: number[];
}

export const pageSize: Scenario = {
  name: 'page-size',
  title: '9. Cost against page size',
  what: 'One changed cell per event in a keyed table of 100, 1,000 and 10,000 rows: server CPU and bytes per event must stay flat as the page grows.',
  async run(ctx) {
    const sessions = ctx.sessions(20);
    const windowMs = ctx.duration(3000);
    const rounds = ctx.opts.rounds ?? 3;
    ctx.result.options = { sessions, windowMs, rounds, sizes: SIZES.join(' ') };
    const table = ctx.table(`Livery, ${sessions} sockets per size, closed loop, ${rounds} interleaved rounds of ${windowMs / 1000} s (median; ratio to 100 rows per round: median (min–max))`, [
      { key: 'rows', label: 'rows' },
      { key: 'page', label: 'page B' },
      { key: 'cpuUsPerOp', label: 'server CPU µs/event', digits: 1 },
      { key: 'cpuVs100', label: 'CPU/event vs 100 rows' },
      { key: 'opsPerSec', label: 'events/s' },
      { key: 'bytes', label: 'reply B/event' },
      { key: 'deflate', label: 'deflate B/event' },
    ]);
    if (!ctx.peers(['livery']).includes('livery')) {
      table.rows.push({ peer: PEERS.livery.label, status: 'skipped', reason: 'Livery was not part of this run (--peers)', values: {} });
      return goals(ctx, undefined, []);
    }
    ctx.progress.plan(1 + SIZES.length * (2 + rounds));
    ctx.progress.step('start livery');
    const started = await ctx.start('livery', SIZES.map(view));
    if (!started.ok) {
      const row = failedRow(PEERS.livery.label, started);
      table.rows.push(row);
      return goals(ctx, row, []);
    }
    const server = started.server;
    const sizes: Size[] = [];
    const rows = new Map<number, Row>();
    try {
      for (const n of SIZES) {
        ctx.progress.step(`open ${n} rows`);
        const group = `livery/page-size-${n}`;
        const opened = await ctx.load.call('open', { group, target: targetOf(server), view: view(n), count: sessions, concurrency: 10, spreadSources: false });
        if (opened.opened < sessions) {
          rows.set(n, errorRow(PEERS.livery.label, `${n} rows: ${opened.failed} of ${sessions} sessions failed to join: ${opened.errors[0] ?? '?'}`));
          await closeGroup(ctx, group);
          continue;
        }
        await ctx.load.call('closedLoop', { group, event: 'bump', durationMs: Math.min(1000, windowMs / 2) }); // warm-up, discarded
        sizes.push({ rows: n, group, cpuUs: [], ops: [] });
      }
      for (let r = 0; r < rounds; r++) {
        for (const s of sizes) {
          ctx.progress.step(`round ${r + 1}/${rounds}: ${s.rows} rows`);
          const w = await ctx.measure(server, () => ctx.load.call('closedLoop', { group: s.group, event: 'bump', durationMs: windowMs }));
          s.ops.push((1000 * w.result.ops) / w.result.windowMs);
          s.cpuUs.push((1000 * w.serverCpuMs) / Math.max(1, w.result.ops));
          ctx.histogram(`livery/page-size-${s.rows}/round-${r + 1}`, w.result.hist);
        }
      }
      for (const s of sizes) await closeGroup(ctx, s.group);
      const base = sizes.find((s) => s.rows === SIZES[0]);
      for (const s of sizes) {
        ctx.progress.step(`bytes: ${s.rows} rows`);
        rows.set(s.rows, await measureRow(ctx, server, s, base));
      }
    } finally {
      await ctx.stopAll();
    }
    for (const n of SIZES) table.rows.push(rows.get(n) ?? errorRow(PEERS.livery.label, `${n} rows: not measured`));
    ctx.chart({
      kind: 'lines',
      file: 'page-size-cpu.svg',
      title: 'Server CPU per event against table size (median)',
      xLabel: 'rows',
      yLabel: 'µs/event',
      series: [{ label: 'Livery', points: sizes.map((s) => [s.rows, median(s.cpuUs)] as [number, number]) }],
    });
    goals(ctx, rows.get(SIZES[SIZES.length - 1]), sizes, rows);
  },
};

async function measureRow(ctx: ScenarioContext, server: ServerHandle, s: Size, base: Size | undefined): Promise<Row> {
  const steps = Array.from({ length: PROBED + 1 }, () => ({ event: 'bump', payload: {} }));
  try {
    const plain = await probeWire(targetOf(server), view(s.rows), steps, false);
    const deflated = await probeWire(targetOf(server), view(s.rows), steps, true);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return okRow(PEERS.livery.label, {
      rows: s.rows,
      page: plain.pageBytes,
      cpuUsPerOp: median(s.cpuUs),
      cpuVs100: base === undefined ? '—' : formatSpread(spread(pairedRatios(s.cpuUs, base.cpuUs))),
      opsPerSec: median(s.ops),
      bytes: avg(plain.samples.slice(1).map((x) => x.payload)),
      deflate: deflated.negotiated ? avg(deflated.samples.slice(1).map((x) => x.wire)) : 'not offered',
    });
  } catch (err) {
    return errorRow(PEERS.livery.label, `${s.rows} rows: ${(err as Error).message}`);
  }
}

function goals(ctx: ScenarioContext, largest: Row | undefined, sizes: Size[], rows?: Map<number, Row>): void {
  const small = sizes.find((s) => s.rows === SIZES[0]);
  const large = sizes.find((s) => s.rows === SIZES[SIZES.length - 1]);
  const smallRow = rows?.get(SIZES[0]);
  judgeGoal(ctx, `Server CPU per event at ${SIZES[SIZES.length - 1].toLocaleString('en')} rows ≤ 1.5× the ${SIZES[0]}-row figure`, largest, smallRow, () => {
    const ratio = spread(pairedRatios(large!.cpuUs, small!.cpuUs));
    return { met: ratio.median <= 1.5, detail: `${median(large!.cpuUs).toFixed(1)} µs vs ${median(small!.cpuUs).toFixed(1)} µs: ${formatSpread(ratio)}` };
  });
  judgeGoal(ctx, 'Bytes per event constant across 100, 1,000 and 10,000 rows', largest, smallRow, () => {
    const bytes = SIZES.map((n) => rows?.get(n)?.values.bytes);
    const known = bytes.filter((b): b is number => typeof b === 'number');
    const met = known.length === SIZES.length && known.every((b) => b === known[0]);
    return { met, detail: SIZES.map((n, i) => `${n.toLocaleString('en')}: ${typeof bytes[i] === 'number' ? `${bytes[i]} B` : 'not measured'}`).join(', ') };
  });
}
