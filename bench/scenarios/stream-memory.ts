/**
 * Scenario 11 — memory of a view that streamed 10,000 items (issue 13, D82). Livery only (the
 * peers have no streams). The server's heap used and RSS after a forced full GC, measured as
 * scenario 4 measures an idle session: the slope between N/2 and N sessions, so fixed costs drop
 * out. A few sessions of each view are opened first (code, caches, and the heap and malloc arenas
 * a 10,000-item join needs); then N `stream-none` sessions (a view with ~1 KB of state and a
 * stream it never fills) and N `stream-10k` sessions (the same view, whose `onJoin` streams
 * 10,000 items, rendered into its join reply). The goal, on the heap (what the views hold): a
 * view that streamed 10,000 items holds what a view with none holds, within 1 KB — kept items
 * would cost a megabyte each. RSS is reported beside it.
 */
import { sleep } from '../shared/async.ts';
import type { ScenarioContext } from '../runner/context.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';

const ITEMS = 10_000;

export const streamMemory: Scenario = {
  name: 'stream-memory',
  title: '11. Memory of a view that streamed 10,000 items',
  what: 'Server RSS per session after a forced GC: views whose join streamed 10,000 items (D82) against the same view with an empty stream, each as the RSS its sessions added.',
  async run(ctx) {
    const count = Math.max(2, ctx.sessions(300));
    // A process's first few dozen 10,000-item joins grow its heap and malloc arenas to what such
    // joins need at once; after that RSS stays (measured: +95 MB over 40 joins, +0.1 MB over 40 more).
    const warm = Math.max(1, Math.min(50, Math.floor(count / 6)));
    ctx.result.options = { sessions: count, warmup: warm, itemsPerView: ITEMS };
    const peers = ctx.peers(['livery']);
    ctx.progress.plan(4);
    const table = ctx.table(`Server memory after GC per session, the slope between ${Math.max(1, Math.floor(count / 2))} and ${count} sessions of each view`, [
      { key: 'items', label: 'items streamed per view' },
      { key: 'heapKbPerSession', label: 'heap KB / session', digits: 2 },
      { key: 'rssBefore', label: 'RSS at half, MB', digits: 1 },
      { key: 'rssAfter', label: 'RSS at all, MB', digits: 1 },
      { key: 'kbPerSession', label: 'RSS KB / session', digits: 2 },
    ]);
    let none: Row | undefined;
    let streamed: Row | undefined;
    if (peers.includes('livery')) {
      ctx.progress.step('start livery');
      const started = await ctx.start('livery', ['stream-none', 'stream-10k']);
      if (!started.ok) {
        none = failedRow('Livery, empty stream', started);
        streamed = failedRow(`Livery, ${ITEMS.toLocaleString('en')} items streamed`, started);
      } else {
        try {
          [none, streamed] = await measure(ctx, started.server, count, warm);
        } finally {
          await ctx.stop(started.server);
        }
      }
      table.rows.push(none, streamed);
    }
    ctx.note('Memory is not CPU-timed: the noise guard does not apply. The goal is judged on the heap the views hold after a full GC. RSS is reported beside it and grows with `stream-10k` sessions where the heap does not: each such join sends a ~0.3 MB reply, and the memory that costs outside the heap stays with the socket (in-process probes: it is reused once those sockets close) — a join reply of that size costs it whether or not it is a stream.');
    judgeGoal(ctx, 'a view that streamed 10,000 items holds ≤ a view with none + 1 KB (heap after GC)', streamed, none, () => {
      const kb = (row: Row) => Number(row.values.heapKbPerSession);
      const extra = kb(streamed!) - kb(none!);
      return { met: extra <= 1, detail: `${extra >= 0 ? '+' : ''}${extra.toFixed(2)} KB per session (${kb(streamed!).toFixed(2)} against ${kb(none!).toFixed(2)} KB; RSS ${Number(streamed!.values.kbPerSession).toFixed(2)} against ${Number(none!.values.kbPerSession).toFixed(2)} KB)` };
    });
  },
};

/** RSS (MB) and heap used (bytes) after a full GC. */
async function afterGc(server: ServerHandle, settleMs: number): Promise<{ rss: number; heap: number }> {
  await sleep(settleMs);
  const { heapUsed } = await server.control('gc');
  return { rss: server.rssBytes() / (1024 * 1024), heap: heapUsed };
}

async function measure(ctx: ScenarioContext, server: ServerHandle, count: number, warm: number): Promise<[Row, Row]> {
  const settleMs = Math.min(1000, ctx.duration(2000) / 2);
  const target = targetOf(server);
  const groups: string[] = [];
  const half = Math.max(1, Math.floor(count / 2));
  // Joins of `stream-10k` each render 10,000 items into a ~0.3 MB reply: fewer at once.
  const open = async (view: string, n: number): Promise<string | undefined> => {
    const group = `livery/${view}/${groups.length}`;
    groups.push(group);
    const result = await ctx.load.call('open', { group, target, view, count: n, concurrency: view === 'stream-10k' ? 8 : 100, spreadSources: true });
    return result.failed > 0 ? `${result.failed} of ${n} joins of ${view} failed: ${result.errors[0]}` : undefined;
  };
  /** The memory `count` sessions of `view` add: the slope between `half` and `count` of them (scenario 4's method). */
  const slope = async (view: string, label: string, items: number): Promise<Row> => {
    ctx.progress.step(`${view}: ${half} then ${count} sessions`);
    const failedHalf = await open(view, half);
    if (failedHalf !== undefined) return errorRow(label, failedHalf);
    const a = await afterGc(server, settleMs);
    const failedAll = await open(view, count - half);
    if (failedAll !== undefined) return errorRow(label, failedAll);
    const b = await afterGc(server, settleMs);
    const n = count - half;
    return okRow(label, { items, heapKbPerSession: (b.heap - a.heap) / 1024 / n, rssBefore: a.rss, rssAfter: b.rss, kbPerSession: ((b.rss - a.rss) * 1024) / n });
  };
  try {
    ctx.progress.step('warm-up');
    const warmFailed = (await open('stream-none', warm)) ?? (await open('stream-10k', warm));
    const labelNone = 'Livery, empty stream';
    const labelStreamed = `Livery, ${ITEMS.toLocaleString('en')} items streamed`;
    if (warmFailed !== undefined) return [errorRow(labelNone, warmFailed), errorRow(labelStreamed, warmFailed)];
    const none = await slope('stream-none', labelNone, 0);
    return [none, await slope('stream-10k', labelStreamed, ITEMS)];
  } finally {
    for (const group of groups) await closeGroup(ctx, group);
  }
}
