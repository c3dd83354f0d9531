/**
 * Scenario 6 — tenant and data accounting. Counts the SQL statements and Redis commands the server
 * sends per socket join, per event and per tick (the server wraps its clients' query paths and
 * reports the counts through `stats`), and the event-loop delay p99 under tick fan-out load. Goals:
 * resolving the tenant costs nothing per event and at most one lookup per join.
 */
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { sleep } from '../shared/async.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario, Table } from './types.ts';

export const dataAccounting: Scenario = {
  name: 'data-accounting',
  title: '6. Tenant and data accounting',
  what: 'SQL statements and Redis commands per join, per event and per tick, and event-loop delay under tick load: tenant resolution must cost nothing per event.',
  async run(ctx) {
    const sockets = Math.min(100, ctx.sessions(100));
    const views = ctx.sessions(5000);
    const windowMs = ctx.duration(3000);
    const order = ctx.peers(['livery', 'raw-uws']);
    ctx.result.options = { sockets, tickingViews: views, windowMs };
    ctx.progress.plan(order.length * 3);
    const table = ctx.table('Per operation (counts from the server\'s own accounting); event-loop delay p99 in ms', [
      { key: 'phase', label: 'phase' },
      { key: 'ops', label: 'operations' },
      { key: 'sql', label: 'SQL / op', digits: 2 },
      { key: 'redis', label: 'Redis / op', digits: 2 },
      { key: 'tenant', label: 'tenant lookups / op', digits: 2 },
      { key: 'eldP99', label: 'loop delay p99', digits: 2 },
    ]);
    const found = new Map<string, Row>();
    const starting = ctx.startAll(order, () => ['counter', 'clock']);
    for (const name of order) {
      ctx.progress.step(`start ${name}`);
      const started = await starting.get(name)!;
      if (!started.ok) {
        table.rows.push(failedRow(PEERS[name].label, started));
        continue;
      }
      await phases(ctx, started.server, table, found, sockets, views, windowMs);
      await ctx.stop(started.server);
    }
    const liveryStart = table.rows.find((r) => r.peer === PEERS.livery.label && r.status !== 'ok');
    const pick = (phase: string) => (order.includes('livery') ? (liveryStart ?? found.get(`livery/${phase}`)) : undefined);
    const counted = (row: Row | undefined) => (row?.status === 'ok' && typeof row.values.tenant !== 'number' ? { ...row, status: 'not-yet-available' as const, reason: 'the server reports no SQL/Redis/tenant counters in `stats` yet' } : row);
    judgeGoal(ctx, 'Tenant resolution: 0 lookups per event', counted(pick('event')), undefined, () => ({ met: pick('event')!.values.tenant === 0, detail: `${pick('event')!.values.tenant} per event` }));
    judgeGoal(ctx, 'Tenant resolution: ≤ 1 lookup per socket join', counted(pick('join')), undefined, () => ({ met: Number(pick('join')!.values.tenant) <= 1, detail: `${Number(pick('join')!.values.tenant).toFixed(2)} per join` }));
    judgeGoal(ctx, 'Event-loop delay p99 ≤ 10 ms under tick fan-out load', pick('tick'), undefined, () => ({ met: Number(pick('tick')!.values.eldP99) <= 10, detail: `${Number(pick('tick')!.values.eldP99).toFixed(2)} ms with ${views} views ticking` }));
  },
};

async function phases(ctx: ScenarioContext, server: ServerHandle, table: Table, found: Map<string, Row>, sockets: number, views: number, windowMs: number): Promise<void> {
  const name = server.peer.name;
  const target = targetOf(server);
  const record = (phase: string, ops: number, stats: Record<string, number>) => {
    const per = (key: string) => (key in stats ? stats[key] / Math.max(1, ops) : null);
    const tenant = 'tenantSql' in stats || 'tenantRedis' in stats ? ((stats.tenantSql ?? 0) + (stats.tenantRedis ?? 0)) / Math.max(1, ops) : null;
    const row = okRow(server.peer.label, { phase, ops, sql: per('sql'), redis: per('redis'), tenant, eldP99: stats.eldP99Ms });
    table.rows.push(row);
    found.set(`${name}/${phase}`, row);
  };
  ctx.progress.step(`${name}: joins and events`);
  await server.control('reset');
  const counter = `${name}/accounting-counter`;
  const opened = await ctx.load.call('open', { group: counter, target, view: 'counter', count: sockets, concurrency: 50, spreadSources: false });
  if (opened.opened === 0) {
    table.rows.push(errorRow(server.peer.label, `no session joined: ${opened.errors[0] ?? '?'}`));
    return;
  }
  record('join', opened.opened, await server.control('stats'));
  await server.control('reset');
  const events = await ctx.measure(server, () => ctx.load.call('closedLoop', { group: counter, event: 'inc', durationMs: windowMs }));
  record('event', events.result.ops, await server.control('stats'));
  await closeGroup(ctx, counter);

  ctx.progress.step(`${name}: ${views} views ticking`);
  const clock = `${name}/accounting-clock`;
  const clocks = await ctx.load.call('open', { group: clock, target, view: 'clock', count: views, concurrency: 200, spreadSources: true });
  if (clocks.opened === 0) {
    table.rows.push(errorRow(server.peer.label, `no clock view joined: ${clocks.errors[0] ?? '?'}`));
    return;
  }
  await sleep(1200);
  await server.control('reset');
  const ticks = await ctx.measure(server, () => ctx.load.call('ticks', { group: clock, durationMs: windowMs, periodMs: 1000 }));
  record('tick', ticks.result.frames, await server.control('stats'));
  await closeGroup(ctx, clock);
}
