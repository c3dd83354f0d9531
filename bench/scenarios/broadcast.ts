/**
 * Scenario 7 — broadcast. One update to N subscribers of a topic: a sender fires `pub` at a fixed
 * rate and every subscriber's view must receive the change. In one process the peer is uWS's
 * `app.publish` of the same bytes; Livery should render once per distinct result (D65: one for the
 * bench view, whose subscribers all show the same) and cost at most 1.1× publish per recipient.
 * Across two Livery processes through Redis pub/sub (subscribers on one, the sender on the other),
 * the latency added over one process must stay ≤ 1 ms at p99 at 1,000 broadcasts/s. Each row also
 * shows the event-loop delay p99 of the process(es) involved, to tell a stalled server from a
 * slow path. The subscribers' process is pinned where the one-process server is, the sender's
 * beside the load generator (D70): on a 2-core machine no process gets a core of its own, and this
 * puts the extra process where it can only make the cross-process row look worse.
 */
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ScenarioContext, Started } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { PeerName } from '../runner/peers.ts';
import { LOAD_CPU, SERVER_CPU, type ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';

const RATE = 20;
const CROSS_RATE = 1000;
const CROSS_SUBSCRIBERS = 10;

interface FanOut {
  row: Row;
  p99: number;
}

export const broadcast: Scenario = {
  name: 'broadcast',
  title: '7. Broadcast',
  what: 'One update fanned out to N subscribers of a topic: renders per broadcast, server CPU per recipient and delivery latency, in one process and across two through Redis.',
  async run(ctx) {
    const subscribers = ctx.sessions(1000);
    const windowMs = ctx.duration(4000);
    const order = ctx.peers(['raw-uws', 'livery']);
    ctx.result.options = { subscribers, broadcastsPerSec: RATE, windowMs, crossProcessRate: CROSS_RATE, crossProcessSubscribers: CROSS_SUBSCRIBERS };
    ctx.progress.plan(order.length * 2 + 2);
    const table = ctx.table(`In one process: ${subscribers} subscribers, ${RATE} broadcasts/s for ${windowMs / 1000} s; latency from the intended send, ms`, [
      { key: 'delivered', label: 'delivered' },
      { key: 'p50', label: 'p50', digits: 2 },
      { key: 'p99', label: 'p99', digits: 2 },
      { key: 'max', label: 'max', digits: 2 },
      { key: 'cpuUsPerRecipient', label: 'server CPU µs/recipient', digits: 2 },
      { key: 'rendersPerBroadcast', label: 'renders/broadcast', digits: 2 },
      { key: 'publishedPct', label: 'frames by publish %', digits: 1 },
      { key: 'eldP99', label: 'event-loop delay p99 ms', digits: 2 },
    ]);
    const rows = new Map<PeerName, Row>();
    const starting = ctx.startAll(order, () => ['broadcast']);
    // The two Livery processes sharing Redis start meanwhile: the sender's beside the load
    // generator, the subscribers' alone on the servers' core as the one-process server is (D70).
    // Both on one core, the row measured two processes taking turns on it, not the Redis hop.
    const redis = order.includes('livery') ? [LOAD_CPU, SERVER_CPU].map((cpu) => ctx.start('livery', ['broadcast'], { LIVERY_PUBSUB: 'redis' }, cpu)) : [];
    let baseline: FanOut | undefined;
    for (const name of order) {
      ctx.progress.step(`start ${name}`);
      const started = await starting.get(name)!;
      const row = started.ok ? (await fanOut(ctx, started.server, started.server, subscribers, RATE, windowMs, 'in-process')).row : failedRow(PEERS[name].label, started);
      rows.set(name, row);
      table.rows.push(row);
      if (name === 'livery' && started.ok) baseline = await fanOut(ctx, started.server, started.server, CROSS_SUBSCRIBERS, CROSS_RATE, windowMs, 'memory');
      if (started.ok) await ctx.stop(started.server);
    }
    const livery = rows.get('livery');
    const raw = rows.get('raw-uws');
    const renders = livery?.values.rendersPerBroadcast;
    const rendersGoal = 'Renders per broadcast ≤ distinct results (1 for the bench view)';
    if (livery?.status === 'ok' && typeof renders !== 'number') ctx.goal(rendersGoal, 'not-yet-available', 'the server reports no `renders` count in `stats` yet');
    else judgeGoal(ctx, rendersGoal, livery, undefined, () => ({ met: Number(renders) <= 1, detail: `${Number(renders).toFixed(2)} renders per broadcast for ${subscribers} subscribers` }));
    if (raw === undefined) ctx.goal('Server CPU per recipient ≤ 1.1× uWS publish', 'not-measured', 'raw uWS was not part of this run (--peers)');
    else judgeGoal(ctx, 'Server CPU per recipient ≤ 1.1× uWS publish', livery, raw, () => {
      const x = Number(livery!.values.cpuUsPerRecipient) / Number(raw!.values.cpuUsPerRecipient);
      return { met: x <= 1.1, detail: `${x.toFixed(2)}×` };
    });
    if (order.includes('livery')) await acrossProcesses(ctx, windowMs, rows.get('livery')!, baseline, redis);
  },
};

async function fanOut(ctx: ScenarioContext, senderSide: ServerHandle, subscriberSide: ServerHandle, subscribers: number, rate: number, windowMs: number, label: string): Promise<FanOut> {
  const name = subscriberSide.peer.name;
  const group = `${name}/${label}/subscribers`;
  const sender = `${name}/${label}/sender`;
  try {
    ctx.progress.step(`${name}: ${subscribers} subscribers, ${label}`);
    const subs = await ctx.load.call('open', { group, target: targetOf(subscriberSide), view: 'broadcast', count: subscribers, concurrency: 200, spreadSources: true });
    const send = await ctx.load.call('open', { group: sender, target: targetOf(senderSide), view: 'broadcast', count: 1, concurrency: 1, spreadSources: false });
    if (subs.failed > 0 || send.failed > 0) return { row: errorRow(subscriberSide.peer.label, `joins failed: ${[...subs.errors, ...send.errors][0]}`), p99: Number.NaN };
    await ctx.load.call('broadcast', { group, sender, event: 'pub', rate, durationMs: 500 }); // warm-up
    await subscriberSide.control('reset');
    if (senderSide !== subscriberSide) await senderSide.control('reset');
    // Counters are read around the window that counts (a disturbed window is run again), as
    // differences: a server need not reset them.
    let before: Record<string, number> = {};
    const w = await ctx.measure(subscriberSide, async () => {
      before = await subscriberSide.control('stats');
      return ctx.load.call('broadcast', { group, sender, event: 'pub', rate, durationMs: windowMs });
    });
    const stats = await subscriberSide.control('stats');
    const senderStats = senderSide === subscriberSide ? stats : await senderSide.control('stats');
    ctx.histogram(`${name}/broadcast-${label}`, w.result.hist);
    const s = summarizeEncoded(w.result.hist);
    // The sender's view is subscribed too, and busy with its `pub` when its copy arrives: it
    // renders that copy on its own (D65), one render per sender event. The rest serve the others.
    const delta = (key: string) => (stats[key] ?? 0) - (before[key] ?? 0);
    const renders = 'renders' in stats ? (delta('renders') - delta('events')) / w.result.broadcasts : null;
    const row = okRow(subscriberSide.peer.label, {
      delivered: `${w.result.delivered}/${w.result.expected}`,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      cpuUsPerRecipient: senderSide === subscriberSide ? (1000 * w.serverCpuMs) / Math.max(1, w.result.delivered) : null,
      rendersPerBroadcast: renders,
      // Of the frames the server sent in the window, those one native publish delivered (D70).
      publishedPct: 'framesPublished' in stats ? (100 * delta('framesPublished')) / Math.max(1, delta('framesSent')) : null,
      eldP99: Math.max(stats.eldP99Ms ?? Number.NaN, senderStats.eldP99Ms ?? Number.NaN),
    });
    return { row, p99: s.p99 };
  } finally {
    await closeGroup(ctx, group);
    await closeGroup(ctx, sender);
  }
}

/** Livery in one process (memory pub/sub) against two processes sharing Redis pub/sub. */
async function acrossProcesses(ctx: ScenarioContext, windowMs: number, livery: Row, baseline: FanOut | undefined, redis: Promise<Started>[]): Promise<void> {
  const text = `Across processes (Redis): added p99 ≤ 1 ms at ${CROSS_RATE.toLocaleString('en-US')} broadcasts/s`;
  const table = ctx.table(`Livery, ${CROSS_SUBSCRIBERS} subscribers, ${CROSS_RATE} broadcasts/s: one process (memory pub/sub) vs two processes through Redis`, [
    { key: 'setup', label: 'setup' },
    { key: 'delivered', label: 'delivered' },
    { key: 'p50', label: 'p50 ms', digits: 2 },
    { key: 'p99', label: 'p99 ms', digits: 2 },
    { key: 'max', label: 'max ms', digits: 2 },
    { key: 'eldP99', label: 'event-loop delay p99 ms (worse process)', digits: 2 },
  ]);
  const [a, b] = await Promise.all(redis);
  const inProcess = baseline?.row ?? livery;
  table.rows.push({ ...inProcess, values: { setup: '1 process', ...inProcess.values } });
  if (!a.ok || !b.ok) {
    for (const s of [a, b]) if (s.ok) await ctx.stop(s.server);
    return unavailable(ctx, table, text, (a.ok ? b : a) as Extract<Started, { ok: false }>);
  }
  ctx.progress.step('livery: across processes');
  const across = await fanOut(ctx, a.server, b.server, CROSS_SUBSCRIBERS, CROSS_RATE, windowMs, 'redis');
  await ctx.stop(a.server);
  await ctx.stop(b.server);
  table.rows.push({ ...across.row, values: { setup: '2 processes, Redis', ...across.row.values } });
  if (baseline === undefined || inProcess.status !== 'ok' || across.row.status !== 'ok') {
    const reason = across.row.reason ?? inProcess.reason ?? 'no measurement';
    return ctx.goal(text, inProcess.status === 'not-yet-available' ? 'not-yet-available' : 'missed', reason);
  }
  const added = across.p99 - baseline.p99;
  ctx.goal(text, added <= 1 ? 'met' : 'missed', `p99 ${across.p99.toFixed(2)} ms vs ${baseline.p99.toFixed(2)} ms: +${added.toFixed(2)} ms`);
}

function unavailable(ctx: ScenarioContext, table: { rows: Row[] }, text: string, started: Extract<Started, { ok: false }>): void {
  table.rows.push(failedRow(PEERS.livery.label, started));
  ctx.goal(text, started.status === 'error' ? 'missed' : 'not-yet-available', started.reason);
}
