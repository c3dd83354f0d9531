/**
 * Three processes on a private Redis Cluster — three masters, three replicas, started by
 * scripts/redis-cluster.sh on free ports — with the shared scenarios (three-processes.case.ts),
 * then acme's master handed over under load twice: a coordinated CLUSTER FAILOVER, and a crash
 * (SIGKILL) after which its replica takes over and the node, restarted, rejoins as a replica.
 * No acknowledged event is lost, and broadcasts subscribed before the failover still cross
 * processes after it (sharded pub/sub moves to the new master).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { LiveClient, type Frame } from '../live/harness.ts';
import { startOwnCluster } from '../redis/own-cluster.ts';
import { waitFor } from '../redis/own-redis.ts';
import { crossProcessScenarios, sets, slotAfter, startProcesses, until } from './three-processes.case.ts';

const cluster = await startOwnCluster(t);
const ps = await startProcesses(t, cluster.url);
await crossProcessScenarios(t, ps);

/** acme's keys and channels all hash by `{acme}`: one shard. */
const ACME = '{acme}';

/**
 * Sends `inc` events one after another, each after the previous reply and 50 ms apart (within the
 * socket's rate limit: this is load, not a flood), until `stop` resolves; returns every reply.
 */
async function load(client: LiveClient, stop: Promise<unknown>): Promise<Frame[]> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const replies: Frame[] = [];
  while (!stopped) {
    const ref = client.nextRef();
    client.send([2, 'e', ref, 1, 'inc', {}]);
    replies.push(await until(client, (f) => f[2] === ref, `the reply to event ${ref}`));
    await sleep(50);
  }
  return replies;
}

const count = (reply: Frame) => Number((reply[4] as Record<string, string>)['0']);

/**
 * Two counters, on B and on C, send events while `handover` moves acme's slot to a new master.
 * Every reply is an acknowledgement carrying the next count, or LV_STATE_UNAVAILABLE (not
 * acknowledged: the change is applied, and stored with the next one). After the handover one
 * more event is acknowledged; each view closes (saving) and rejoins on the other process with
 * exactly that count: no acknowledged event was lost.
 */
async function underLoad(t: Test, handover: () => Promise<void>): Promise<void> {
  const counters = await Promise.all([ps.B, ps.C].map(async (p) => ({ p, ...(await ps.openView(p, 'acme', '/counter')) })));
  const before = await Promise.all(counters.map(async (c) => count(await c.client.event(1, 'inc'))));
  const done = handover();
  const replies = await Promise.all(counters.map((c) => load(c.client, done)));
  await done;
  for (const [i, { p, client, page, token }] of counters.entries()) {
    let expected = before[i]!;
    let acknowledged = 0;
    for (const reply of replies[i]!) {
      expected += 1;
      if (reply[1] === 'r' && count(reply) === expected) acknowledged++;
      else t.match(reply, [2, 'x', Number, 1, 'LV_STATE_UNAVAILABLE'], `event ${expected}: acknowledged with the next count, or not acknowledged with its code`);
    }
    t.ok(replies[i]!.length > 0, `events sent during the handover: ${replies[i]!.length}, acknowledged: ${acknowledged}`);
    t.equal(count(await client.event(1, 'inc')), expected + 1, 'the view went on from its state');
    await client.close();
    const other = p === ps.B ? ps.C : ps.B;
    const again = await LiveClient.open(ps.base(other), { cookie: page.cookie, host: ps.host('acme', other) });
    t.teardown(() => again.close());
    const rejoin = await again.join(1, page.view, token);
    t.equal((rejoin[4] as Record<string, string>)['0'], String(expected + 1), 'the other process resumes with every acknowledged event');
  }
}

/** Waits until both processes' sharded subscriptions to acme's board are on acme's current master. */
async function boardSubscribed(): Promise<void> {
  await waitFor('2 subscribers of acme\'s board on its master', async () => {
    const { master } = await cluster.shardOf(ACME);
    const [, n] = (await cluster.command(master, 'PUBSUB', 'SHARDNUMSUB', 'lv:{acme}:topic:board').catch(() => [0, 0])) as [string, number];
    return n >= 2;
  }, 30_000);
}

/** Tabs on B and C watching acme's board, subscribed before a handover. */
async function boardTabs() {
  const onB = await ps.openView(ps.B, 'acme', '/projects');
  const onC = await ps.openView(ps.C, 'acme', '/projects');
  return { onB, onC, waves: slotAfter(onC.joined, '<span id="waves">') };
}

async function waveCrosses(t: Test, board: Awaited<ReturnType<typeof boardTabs>>): Promise<void> {
  await boardSubscribed();
  board.onB.client.send([2, 'e', board.onB.client.nextRef(), 1, 'wave', {}]);
  await until(board.onC.client, sets(board.waves, '1'), 'the wave on C');
  t.pass('a broadcast subscribed before the handover crosses processes after it');
}

/**
 * Acme's shard once the node asked knows a replica of it. Roles travel by gossip: right after a
 * failover or a restart, the node asked may not list the demoted or restarted node as a replica yet
 * (the cluster script waits for replication, not for every node's view of it).
 */
async function acmeShard(): Promise<{ master: number; replicas: number[] }> {
  let shard = await cluster.shardOf(ACME);
  await waitFor('a node to list a replica of acme\'s slot', async () => (shard = await cluster.shardOf(ACME)).replicas.length > 0, 30_000);
  return shard;
}

const promotion = (replica: number) => waitFor(`the replica on ${replica} to take over acme's slot`, async () => (await cluster.shardOf(ACME)).master === replica, 30_000);

t.test('a coordinated failover (CLUSTER FAILOVER on the replica) under load', async (t) => {
  await cluster.start(); // healthy, with every replica in sync (a no-op when it already is)
  const board = await boardTabs();
  const { master, replicas } = await acmeShard();
  await underLoad(t, async () => {
    await cluster.command(replicas[0]!, 'CLUSTER', 'FAILOVER');
    await promotion(replicas[0]!);
  });
  t.not((await cluster.shardOf(ACME)).master, master, 'acme\'s slot has a new master');
  await waveCrosses(t, board);
});

t.test('a master killed under load: its replica takes over, nothing acknowledged is lost, the node rejoins as a replica', async (t) => {
  await cluster.start(); // the master demoted by the failover above has resynced as a replica
  const board = await boardTabs();
  const { master, replicas } = await acmeShard();
  await underLoad(t, async () => {
    cluster.kill(master);
    await promotion(replicas[0]!);
  });
  await waveCrosses(t, board);
  await cluster.start(); // the script restarts the missing node and waits for three synced replicas
  // Every node learns the new roles by gossip: wait (bounded) until the one asked has.
  await waitFor('the crashed node to show as acme\'s replica', async () => (await cluster.shardOf(ACME)).replicas.includes(master), 30_000);
  t.pass('the crashed node rejoined as acme\'s replica');
  const after = await ps.openView(ps.C, 'acme', '/counter');
  t.same((await after.client.event(1, 'inc')).slice(0, 2), [2, 'r'], 'the processes serve on');
});
