/**
 * Scenario 5 — join storm. S clients (5,000 by default) connect and join as fast as the server
 * allows, with at most 200 handshakes in flight, spread over 127.0.0.2–51 source addresses. For
 * Livery a join is the full path: upgrade, token check, tenant, adopting the saved state, first
 * reply (pages are fetched beforehand, untimed). The peer is a raw uWS upgrade-only storm. Then every
 * socket drops at once and reconnects with its latest token: all sessions must come back with
 * their state (each counter was incremented once before the drop).
 */
import { summarizeEncoded } from '../shared/histogram.ts';
import type { ScenarioContext } from '../runner/context.ts';
import { PEERS } from '../runner/peers.ts';
import type { PeerName } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { closeGroup, errorRow, failedRow, judgeGoal, okRow, targetOf } from './common.ts';
import type { Row, Scenario } from './types.ts';

const IN_FLIGHT = 200;

interface Storm {
  join: Row;
  reconnect: Row;
}

export const joinStorm: Scenario = {
  name: 'join-storm',
  title: '5. Join storm',
  what: 'Many clients joining at once with bounded in-flight handshakes, then all dropping and reconnecting: join rate, failures, and every session back with its state.',
  async run(ctx) {
    const count = ctx.sessions(5000);
    const order = ctx.peers(['raw-uws', 'livery']);
    ctx.result.options = { sessions: count, inFlight: IN_FLIGHT, sourceAddresses: '127.0.0.2–51' };
    ctx.progress.plan(order.length * 3);
    const columns = [
      { key: 'perSec', label: 'joins/s' },
      { key: 'failed', label: 'failed' },
      { key: 'p50', label: 'join p50 ms', digits: 1 },
      { key: 'p99', label: 'join p99 ms', digits: 1 },
      { key: 'cpuUsPerJoin', label: 'server CPU µs/join' },
      { key: 'state', label: 'state kept' },
    ];
    const joins = ctx.table(`Join storm: ${count} clients, ≤ ${IN_FLIGHT} in flight`, columns);
    const reconnects = ctx.table('Reconnect storm: every socket dropped, then rejoined with its latest token', columns);
    const storms = new Map<PeerName, Storm>();
    const starting = ctx.startAll(order, (name) => (name === 'livery' ? ['counter'] : []));
    for (const name of order) {
      ctx.progress.step(`start ${name}`);
      const view = name === 'livery' ? 'counter' : 'upgrade';
      const started = await starting.get(name)!;
      const storm = started.ok ? await stormPeer(ctx, started.server, view, count) : { join: failedRow(PEERS[name].label, started), reconnect: failedRow(PEERS[name].label, started) };
      storms.set(name, storm);
      joins.rows.push(storm.join);
      reconnects.rows.push(storm.reconnect);
      if (started.ok) await ctx.stop(started.server);
    }
    const livery = storms.get('livery');
    const raw = storms.get('raw-uws');
    judgeGoal(ctx, 'Join rate ≥ 0.7× the raw upgrade-only rate', livery?.join, raw?.join, () => {
      const x = Number(livery!.join.values.perSec) / Number(raw!.join.values.perSec);
      return { met: x >= 0.7, detail: `${x.toFixed(2)}×` };
    });
    judgeGoal(ctx, 'Zero failed joins', livery?.join, undefined, () => ({ met: livery!.join.values.failed === 0, detail: `${livery!.join.values.failed} failed` }));
    judgeGoal(ctx, 'Reconnect storm: every session back with its state', livery?.reconnect, undefined, () => ({
      met: livery!.reconnect.values.failed === 0 && livery!.reconnect.values.state === `${count}/${count}`,
      detail: `${livery!.reconnect.values.failed} failed, state kept ${livery!.reconnect.values.state}`,
    }));
    ctx.chart({
      kind: 'bars',
      file: 'join-storm.svg',
      title: 'Join and reconnect storms: joins per second',
      unit: 'joins/s',
      series: ['join storm', 'reconnect storm'],
      groups: [...storms.values()].filter((s) => s.join.status === 'ok').map((s) => ({ label: s.join.peer, values: [Number(s.join.values.perSec), Number(s.reconnect.values.perSec)] })),
    });
  },
};

async function stormPeer(ctx: ScenarioContext, server: ServerHandle, view: string, count: number): Promise<Storm> {
  const label = server.peer.label;
  const group = `${server.peer.name}/storm`;
  ctx.progress.step(`${server.peer.name}: join storm`);
  const w = await ctx.measure(server, () => ctx.load.call('open', { group, target: targetOf(server), view, count, concurrency: IN_FLIGHT, spreadSources: true }), false);
  const j = w.result;
  ctx.histogram(`${server.peer.name}/join`, j.joinHist);
  const js = summarizeEncoded(j.joinHist);
  const join = okRow(label, { perSec: (1000 * j.opened) / j.joinMs, failed: j.failed, p50: js.p50, p99: js.p99, cpuUsPerJoin: (1000 * w.serverCpuMs) / Math.max(1, j.opened), state: '—' });
  if (j.failed > 0) ctx.note(`${label}: ${j.failed} of ${count} joins failed: ${j.errors.join('; ')}`);
  if (j.opened === 0) return { join: errorRow(label, j.errors[0] ?? 'no session joined'), reconnect: errorRow(label, 'nothing to reconnect') };

  ctx.progress.step(`${server.peer.name}: reconnect storm`);
  if (view !== 'upgrade') await ctx.load.call('prime', { group });
  const r = await ctx.measure(server, () => ctx.load.call('reconnect', { group, concurrency: IN_FLIGHT, spreadSources: true }), false);
  ctx.histogram(`${server.peer.name}/rejoin`, r.result.joinHist);
  const rs = summarizeEncoded(r.result.joinHist);
  const reconnect = okRow(label, {
    perSec: (1000 * r.result.rejoined) / r.result.joinMs,
    failed: r.result.failed,
    p50: rs.p50,
    p99: rs.p99,
    cpuUsPerJoin: (1000 * r.serverCpuMs) / Math.max(1, r.result.rejoined),
    state: r.result.stateChecked > 0 ? `${r.result.stateKept}/${r.result.stateChecked}` : 'n/a (stateless)',
  });
  await closeGroup(ctx, group);
  return { join, reconnect };
}
