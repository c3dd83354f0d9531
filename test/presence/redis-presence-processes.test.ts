/** RedisPresence across processes (instances with their own connections), crashes and restarts. */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { PresenceDiff } from '../../server/presence/index.ts';
import { startOwnRedis, waitFor } from '../redis/own-redis.ts';
import { normalized, testTopic } from './presence.case.ts';
import { presenceProcess, type PresenceProcess } from './redis-harness.ts';

const HEARTBEAT_MS = 100;

const leavesOf = (diffs: PresenceDiff[], key: string) => diffs.flatMap((d) => d.leaves).filter((e) => e.key === key);
const joinsOf = (diffs: PresenceDiff[], key: string) => diffs.flatMap((d) => d.joins).filter((e) => e.key === key);

/** A crash as Redis sees it: the process's connections vanish without untracking anything. */
function crash(process: PresenceProcess): void {
  process.publisher.disconnect();
  process.subscriber.disconnect();
}

t.test("two processes list each other's entries and get each other's diffs", async (t) => {
  const a = presenceProcess(t, HEARTBEAT_MS);
  const b = presenceProcess(t, HEARTBEAT_MS);
  const topic = testTopic('acme');
  const bDiffs: PresenceDiff[] = [];
  await b.presence.subscribe(topic, (diff) => bDiffs.push(diff));
  const untrack = await a.presence.track(topic, 'alice', { on: 'a' });
  await b.presence.track(topic, 'bob', { on: 'b' });
  const expected = [{ key: 'alice', metas: [{ on: 'a' }] }, { key: 'bob', metas: [{ on: 'b' }] }];
  t.same(normalized(await a.presence.list(topic)), expected, 'A lists both');
  t.same(normalized(await b.presence.list(topic)), expected, 'B lists both');
  await untrack();
  await b.settle();
  t.same(joinsOf(bDiffs, 'alice'), [{ key: 'alice', metas: [{ on: 'a' }] }], "B got A's join once");
  t.same(leavesOf(bDiffs, 'alice'), [{ key: 'alice', metas: [{ on: 'a' }] }], "and A's leave once");
});

t.test("a crashed process's entries are swept and their leave reaches every process once", async (t) => {
  const a = presenceProcess(t, HEARTBEAT_MS);
  const b = presenceProcess(t, HEARTBEAT_MS);
  const c = presenceProcess(t, HEARTBEAT_MS);
  const topic = testTopic('acme');
  const aDiffs: PresenceDiff[] = [];
  const cDiffs: PresenceDiff[] = [];
  await a.presence.subscribe(topic, (diff) => aDiffs.push(diff));
  await c.presence.subscribe(topic, (diff) => cDiffs.push(diff));
  await a.presence.track(topic, 'alice', { on: 'a' });
  await b.presence.track(topic, 'carol', { on: 'b', tab: 1 });
  await b.presence.track(topic, 'carol', { on: 'b', tab: 2 });

  crash(b);
  const crashedAt = Date.now();
  await waitFor('the leave at A', () => leavesOf(aDiffs, 'carol').length > 0);
  t.comment(`leave reached A ${Date.now() - crashedAt} ms after the crash (bound: 4 × ${HEARTBEAT_MS} ms + a round trip)`);
  await waitFor('the leave at C', () => leavesOf(cDiffs, 'carol').length > 0);
  await sleep(5 * HEARTBEAT_MS); // A and C both keep sweeping: give a duplicate every chance to appear
  await Promise.all([a.settle(), c.settle()]);

  for (const [name, diffs] of [['A', aDiffs], ['C', cDiffs]] as const) {
    const metas = leavesOf(diffs, 'carol').flatMap((e) => e.metas);
    t.same(normalized([{ key: 'carol', metas }]), [{ key: 'carol', metas: [{ on: 'b', tab: 1 }, { on: 'b', tab: 2 }] }], `${name}: each of carol's tabs left exactly once`);
    t.same(leavesOf(diffs, 'alice'), [], `${name}: the live process's entry never left`);
  }
  t.same(await a.presence.list(topic), [{ key: 'alice', metas: [{ on: 'a' }] }], 'only the live entry is listed');
});

t.test('after a Redis restart (state lost) processes store their entries again', async (t) => {
  const server = await startOwnRedis(t);
  const a = presenceProcess(t, HEARTBEAT_MS, server.url);
  const b = presenceProcess(t, HEARTBEAT_MS, server.url);
  const topic = testTopic('acme');
  await a.presence.track(topic, 'alice', { on: 'a' });
  await server.kill();
  await server.start(); // empty: persistence is off
  await waitFor('A to store alice again', async () => (await b.presence.list(topic)).length === 1);
  t.same(await b.presence.list(topic), [{ key: 'alice', metas: [{ on: 'a' }] }]);
});
