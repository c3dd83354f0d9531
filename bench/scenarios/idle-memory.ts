/**
 * Scenario 4 — memory per idle session. Server RSS after a forced full GC, at 0, S/2 and S idle
 * sessions (S = 10,000 by default); the cost of a session is the slope between S/2 and S, so
 * fixed costs (code, caches, the first pages of each heap space) drop out. Livery's sessions are
 * mounted views holding ~1 KB of state; raw uWS and ws hold plain connections; LiveViewJS a joined
 * view with the same ~1 KB.
 *
 * Memory must not be bought with latency: after the last RSS reading, every Livery session sends
 * one event (its first after the idle period) and, once answered, a second one (warm); one
 * session at a time, so queueing is in neither. The goal is the first's p99 within 1 ms of the warm's.
 */
import { sleep } from '../shared/async.ts';
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { PeerName } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';


export const idleMemory: Scenario = {
  name: 'idle-memory',
  title: '4. Memory per idle session',
  what: 'Server RSS per idle session (a mounted view with ~1 KB of state), as the slope between two session counts after a forced GC; and the first event after idle against a warm one.',
  async run(ctx) {
    const upper = ctx.sessions(10_000);
    const lower = Math.max(1, Math.floor(upper / 2));
    const order = ctx.peers(['raw-uws', 'livery', 'ws-full-html', 'liveviewjs']);
    ctx.result.options = { lower, upper };
    ctx.progress.plan(order.length * 3 + (order.includes('livery') ? 1 : 0));
    if (upper * 1.05 > ctx.opts.fileLimit) ctx.note(`The open-file limit (${ctx.opts.fileLimit}) is close to ${upper} sessions: raise it with \`ulimit -n\` if joins fail.`);
    const table = ctx.table(`Server RSS after GC, MB, and the slope between ${lower} and ${upper} sessions`, [
      { key: 'rss0', label: 'RSS at 0', digits: 1 },
      { key: 'rssLower', label: `RSS at ${lower}`, digits: 1 },
      { key: 'rssUpper', label: `RSS at ${upper}`, digits: 1 },
      { key: 'kbPerSession', label: 'KB / session', digits: 2 },
    ]);
    let afterIdle: Row | undefined;
    const rows = new Map<PeerName, Row>();
    const series: { label: string; points: [number, number][] }[] = [];
    const starting = ctx.startAll(order, () => ['idle']);
    for (const name of order) {
      ctx.progress.step(`start ${name}`);
      const started = await starting.get(name)!;
      let row: Row;
      if (started.ok) {
        const measured = await measurePeer(ctx, started.server, lower, upper);
        row = measured.memory;
        afterIdle ??= measured.afterIdle;
      } else {
        row = failedRow(PEERS[name].label, started);
      }
      rows.set(name, row);
      table.rows.push(row);
      if (row.status === 'ok') {
        const mb = (k: string) => Number(row.values[k]);
        series.push({ label: row.peer, points: [[0, mb('rss0')], [lower, mb('rssLower')], [upper, mb('rssUpper')]] });
      }
      if (started.ok) await ctx.stop(started.server);
    }
    const livery = rows.get('livery');
    if (livery !== undefined) {
      const latency = ctx.table('First event after idle against a warm one (Livery; one session at a time), ms', [
        { key: 'firstP50', label: 'first p50', digits: 2 },
        { key: 'firstP99', label: 'first p99', digits: 2 },
        { key: 'warmP50', label: 'warm p50', digits: 2 },
        { key: 'warmP99', label: 'warm p99', digits: 2 },
        { key: 'addedP99', label: 'added p99', digits: 2 },
      ]);
      // No memory result, no idle period to time: the row says why, as the memory row does.
      latency.rows.push(afterIdle ?? { ...livery, values: {} });
    }
    ctx.chart({ kind: 'lines', file: 'idle-memory.svg', title: 'Server RSS after GC by idle sessions', xLabel: 'idle sessions', yLabel: 'RSS, MB', series });
    ctx.note('Memory is not CPU-timed: the noise guard does not apply to the RSS figures. The first event after idle is timed against a warm one right after it, so load on the machine shows in both.');
    judgeGoal(ctx, '≤ 2.5 KB per idle session', rows.get('livery'), undefined, () => {
      const kb = Number(rows.get('livery')!.values.kbPerSession);
      return { met: kb <= 2.5, detail: `${kb.toFixed(2)} KB (Phoenix LiveView is quoted at ~40 KB per view)` };
    });
    judgeGoal(ctx, 'first event after idle ≤ warm + 1 ms p99', afterIdle ?? livery, undefined, () => {
      const added = Number(afterIdle!.values.addedP99);
      return { met: added <= 1, detail: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms (first ${Number(afterIdle!.values.firstP99).toFixed(2)} ms, warm ${Number(afterIdle!.values.warmP99).toFixed(2)} ms)` };
    });
  },
};

/** Lets the last joins finish their work before the GC; --duration shortens it for smoke runs. */
async function rssAfterGc(server: ServerHandle, settleMs: number): Promise<number> {
  await sleep(settleMs);
  await server.control('gc');
  return server.rssBytes() / (1024 * 1024);
}

async function measurePeer(ctx: ScenarioContext, server: ServerHandle, lower: number, upper: number): Promise<{ memory: Row; afterIdle?: Row }> {
  const name = server.peer.name;
  const settleMs = Math.min(1000, ctx.duration(2000) / 2);
  const group = `${name}/idle`;
  const target = targetOf(server);
  const open = async (count: number) => ctx.load.call('open', { group, target, view: 'idle', count, concurrency: 100, spreadSources: true });
  try {
    const rss0 = await rssAfterGc(server, settleMs);
    ctx.progress.step(`${name}: ${lower} sessions`);
    const first = await open(lower);
    if (first.failed > 0) return { memory: errorRow(server.peer.label, `${first.failed} of ${lower} joins failed: ${first.errors[0]}`) };
    const rssLower = await rssAfterGc(server, settleMs);
    ctx.progress.step(`${name}: ${upper} sessions`);
    const second = await open(upper - lower);
    if (second.failed > 0) return { memory: errorRow(server.peer.label, `${second.failed} of ${upper - lower} joins failed: ${second.errors[0]}`) };
    const rssUpper = await rssAfterGc(server, settleMs);
    const memory = okRow(server.peer.label, { rss0, rssLower, rssUpper, kbPerSession: ((rssUpper - rssLower) * 1024) / (upper - lower) });
    // Only Livery's idle view has an event (the peers' idle sessions are plain connections).
    if (name !== 'livery') return { memory };
    ctx.progress.step(`${name}: first event after idle`);
    return { memory, afterIdle: await timeAfterIdle(ctx, server.peer.label, group) };
  } finally {
    await closeGroup(ctx, group);
  }
}

/** Every session's first event after the idle period against its next (warm) one. */
async function timeAfterIdle(ctx: ScenarioContext, peer: string, group: string): Promise<Row> {
  const result = await ctx.load.call('afterIdle', { group, event: 'touch' });
  if (result.failed > 0) return errorRow(peer, `${result.failed} sessions got no reply: ${result.errors[0]}`);
  const first = summarizeEncoded(result.firstHist);
  const warm = summarizeEncoded(result.warmHist);
  return okRow(peer, { firstP50: first.p50, firstP99: first.p99, warmP50: warm.p50, warmP99: warm.p99, addedP99: first.p99 - warm.p99 });
}
