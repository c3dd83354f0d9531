/**
 * Scenario 3 — bytes on the wire. What one user action costs on the network: a counter increment,
 * one keystroke in a search box (and its backspace), one changed cell in a 100-row table, one row
 * inserted into a 1,000-row keyed list. Measured per reply frame, without and with
 * permessage-deflate, against the naive full-HTML re-send (also as a ratio: Livery's bytes ÷ the
 * peer's) and LiveViewJS (counter only: it has no such pages), with raw uWS as the floor for the
 * counter.
 */
import { probeWire } from '../load/wire-probe.ts';
import type { WireStep } from '../load/wire-probe.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';

interface Case {
  name: string;
  view: string;
  /** Steps to send; `measured` are the indexes averaged (the first ones warm deflate's window). */
  steps: WireStep[];
  measured: number[];
  /** Only Livery has it (live patches). */
  liveryOnly?: boolean;
}

const CASES: Case[] = [
  { name: 'counter +1', view: 'counter', steps: Array.from({ length: 6 }, () => ({ event: 'inc', payload: {} })), measured: [1, 2, 3, 4, 5] },
  { name: 'search keystroke', view: 'search', steps: [{ event: 'search', payload: { q: 'r' } }, { event: 'search', payload: { q: 'ra' } }], measured: [1] },
  // The way back ("ra" → "r"): 328 rows return. Livery sends them in full; the peer's deflate window
  // still holds them from two messages ago (D63, D72).
  {
    name: 'search backspace',
    view: 'search',
    steps: [{ event: 'search', payload: { q: 'r' } }, { event: 'search', payload: { q: 'ra' } }, { event: 'search', payload: { q: 'r' } }],
    measured: [2],
  },
  { name: 'table: one cell', view: 'table', steps: [{ event: 'touch', payload: { row: 42 } }, { event: 'touch', payload: { row: 42 } }], measured: [1] },
  { name: 'list: insert one row', view: 'list', steps: [{ event: 'insert', payload: { at: 500 } }], measured: [0] },
  { name: 'lv-patch ?q=r → ?q=ra', view: 'search', steps: [{ patch: '/search?q=r' }, { patch: '/search?q=ra' }], measured: [1], liveryOnly: true },
];

export const wireBytes: Scenario = {
  name: 'wire-bytes',
  title: '3. Bytes on the wire',
  what: 'Reply size for one user action (counter, keystroke, one table cell, one list insert, an lv-patch), without and with permessage-deflate, against re-sending the full HTML.',
  async run(ctx) {
    const order = ctx.peers(['livery', 'ws-full-html', 'liveviewjs', 'raw-uws']);
    ctx.progress.plan(order.length);
    const table = ctx.table('Per reply frame, bytes (payload = JSON frame; on the wire = what the socket read, frame header included)', [
      { key: 'case', label: 'action' },
      { key: 'payload', label: 'payload B' },
      { key: 'wire', label: 'on wire B' },
      { key: 'deflate', label: 'deflate B' },
      { key: 'page', label: 'full page B' },
      { key: 'pct', label: '% of page', digits: 2 },
      { key: 'vsHtml', label: '× full HTML', digits: 2 },
      { key: 'vsHtmlDeflate', label: '× full HTML, deflate', digits: 2 },
    ]);
    const livery = new Map<string, Row>();
    const reference = new Map<string, Row>();
    let liveryStart: Row | undefined;
    const starting = ctx.startAll(order, () => []);
    for (const name of order) {
      ctx.progress.step(name);
      const cases = name === 'raw-uws' || name === 'liveviewjs' ? CASES.slice(0, 1) : CASES.filter((c) => name === 'livery' || !c.liveryOnly);
      const started = await starting.get(name)!;
      if (!started.ok) {
        const row = failedRow(PEERS[name].label, started);
        table.rows.push(row);
        if (name === 'livery') liveryStart = row;
        continue;
      }
      for (const c of cases) {
        const row = await measureCase(ctx, started.server, c);
        table.rows.push(row);
        if (name === 'livery') livery.set(c.name, row);
        if (name === 'ws-full-html') reference.set(c.name, row);
      }
      await ctx.stop(started.server);
    }
    // Livery's bytes beside the full-HTML peer's for the same action: the ratio columns.
    for (const [c, row] of livery) {
      const ref = reference.get(c);
      if (row.status !== 'ok' || ref?.status !== 'ok') continue;
      row.values.vsHtml = ratio(row.values.wire, ref.values.wire);
      row.values.vsHtmlDeflate = ratio(row.values.deflate, ref.values.deflate);
    }
    const liveryRow = (c: string): Row | undefined => (order.includes('livery') ? (liveryStart ?? livery.get(c)) : undefined);
    judgeGoal(ctx, 'Counter increment ≤ 48 B per frame', liveryRow('counter +1'), undefined, () => {
      const b = Number(liveryRow('counter +1')!.values.payload);
      return { met: b <= 48, detail: `${b} B` };
    });
    judgeGoal(ctx, 'One changed cell ≤ 2% of the full HTML', liveryRow('table: one cell'), undefined, () => {
      const v = liveryRow('table: one cell')!.values;
      return { met: Number(v.pct) <= 2, detail: `${v.payload} B of ${v.page} B (${Number(v.pct).toFixed(2)}%)` };
    });
    judgeGoal(ctx, 'An lv-patch is one frame each way: the changed slots, no statics re-sent', liveryRow('lv-patch ?q=r → ?q=ra'), undefined, () => {
      const v = liveryRow('lv-patch ?q=r → ?q=ra')!.values;
      return { met: v.statics === 0 && v.patched === 1, detail: `${v.payload} B, ${v.statics} statics re-sent${v.patched === 1 ? '' : ', no patch location in the reply'}` };
    });
    // Issue 12, goal 7: narrowing a search, and the way back (D63, D72), against the full-HTML peer.
    const searchGoal = (c: string, goal: string) => {
      if (!order.includes('ws-full-html')) return ctx.goal(goal, 'not-measured', 'the full-HTML peer was not part of this run (--peers)');
      const peer = reference.get(c) ?? table.rows.find((r) => r.peer === PEERS['ws-full-html'].label);
      judgeGoal(ctx, goal, liveryRow(c), peer, () => {
        const v = liveryRow(c)!.values;
        const ref = peer!.values;
        const met = Number(v.wire) <= Number(ref.wire) && Number(v.deflate) <= Number(ref.deflate);
        return { met, detail: `${v.wire} B against ${ref.wire} B; deflated ${v.deflate} B against ${ref.deflate} B (on the wire, frame header included)` };
      });
    };
    searchGoal('search keystroke', 'Search keystroke ≤ the full-HTML peer\'s bytes, without and with deflate');
    searchGoal('search backspace', 'Search backspace ("ra" → "r") ≤ the full-HTML peer\'s bytes, without and with deflate');
    judgeGoal(ctx, 'Inserting one row sends one row', liveryRow('list: insert one row'), undefined, () => {
      const rows = Number(liveryRow('list: insert one row')!.values.rowsSent);
      return { met: rows === 1, detail: `${rows} row(s) in the diff` };
    });
    ctx.chart({
      kind: 'bars',
      file: 'wire-bytes.svg',
      title: 'Bytes per reply frame, no deflate (log scale)',
      unit: 'bytes',
      log: true,
      series: [...new Set(table.rows.filter((r) => r.status === 'ok').map((r) => r.peer))],
      groups: CASES.map((c) => ({
        label: c.name,
        values: [...new Set(table.rows.filter((r) => r.status === 'ok').map((r) => r.peer))].map((peer) => {
          const row = table.rows.find((r) => r.peer === peer && r.values.case === c.name && r.status === 'ok');
          return row ? Number(row.values.payload) : Number.NaN;
        }),
      })),
    });
    if (reference.size === 0 && order.includes('ws-full-html')) ctx.note('The full-HTML peer produced no rows: percentages have no reference.');
  },
};

async function measureCase(ctx: ScenarioContext, server: ServerHandle, c: Case): Promise<Row> {
  const label = server.peer.label;
  if (!server.has(c.view)) {
    const pending = server.peer.inProgress || server.meta.pending?.includes(c.view);
    return { peer: label, status: pending ? 'not-yet-available' : 'error', reason: `${c.name}: no ${c.view} view`, values: { case: c.name } };
  }
  try {
    const plain = await probeWire(targetOf(server), c.view, c.steps, false);
    const deflated = await probeWire(targetOf(server), c.view, c.steps, true);
    const avg = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const payload = avg(c.measured.map((i) => plain.samples[i].payload));
    const last = plain.samples[c.measured[c.measured.length - 1]];
    return okRow(label, {
      case: c.name,
      payload,
      wire: avg(c.measured.map((i) => plain.samples[i].wire)),
      deflate: deflated.negotiated ? avg(c.measured.map((i) => deflated.samples[i].wire)) : 'not offered',
      page: plain.pageBytes,
      pct: plain.pageBytes === null ? null : (100 * payload) / plain.pageBytes,
      rowsSent: server.peer.driver === 'livery' ? insertedRows(last.frame) : null,
      statics: server.peer.driver === 'livery' ? staticsSent(last.frame) : null,
      patched: server.peer.driver === 'livery' ? Number(liveryRoot(last.frame)?.u !== undefined) : null,
    });
  } catch (err) {
    return errorRow(label, `${c.name}: ${(err as Error).message}`);
  }
}

/** Livery: a reply's root diff (`[2,"r",ref,vid,diff]`), if it has one. */
function liveryRoot(frame: string): Record<string, unknown> | undefined {
  const diff = (JSON.parse(frame) as unknown[])[4];
  return diff !== null && typeof diff === 'object' ? (diff as Record<string, unknown>) : undefined;
}

/** Livery: how many templates' statics a reply carries (`p` at the root: fingerprint → statics). */
export function staticsSent(frame: string): number {
  const statics = liveryRoot(frame)?.p;
  return statics !== null && typeof statics === 'object' ? Object.keys(statics).length : 0;
}

function ratio(a: unknown, b: unknown): number | null {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

/**
 * Livery: how many list entries a reply's diff carries (keys in `e` of list nodes that also
 * change the order: `m` places keys, `k` gives the whole order — docs/protocol.md, "Diffs").
 */
export function insertedRows(frame: string): number {
  let count = 0;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const reorders = Array.isArray(obj.m) || (Array.isArray(obj.k) && obj.s === undefined);
    if (reorders && obj.e !== null && typeof obj.e === 'object') count += Object.keys(obj.e).length;
    for (const value of Object.values(obj)) visit(value);
  };
  visit((JSON.parse(frame) as unknown[])[4]);
  return count;
}
