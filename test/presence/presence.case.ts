/**
 * The contract every Presence passes (memory and Redis). `settle()` returns once every diff
 * already published has reached this process's listeners (see test/pubsub/pubsub.case.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { presenceTopic, type Presence, type PresenceDiff, type PresenceEntry } from '../../server/presence/index.ts';

export interface PresenceHarness {
  readonly presence: Presence;
  settle(): Promise<void>;
}

export type PresenceFactory = (t: Test) => Promise<PresenceHarness>;

export function testTopic(tenant: string, topic = 'board'): string {
  return presenceTopic(`lvtest-${tenant}-${randomBytes(6).toString('hex')}`, topic);
}

/** Metas in a stable order: join order is only defined up to clock resolution across processes. */
export function normalized(entries: readonly PresenceEntry[]): PresenceEntry[] {
  return [...entries]
    .map((e) => ({ key: e.key, metas: [...e.metas].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function presenceContract(t: Test, create: PresenceFactory): void {
  t.test('presence topics carry the tenant as a hash tag', async (t) => {
    t.equal(presenceTopic('acme', 'board'), 'lv:{acme}:presence:board');
  });

  t.test('track, list, untrack', async (t) => {
    const { presence } = await create(t);
    const topic = testTopic('acme');
    t.same(await presence.list(topic), [], 'nobody yet');
    const untrack = await presence.track(topic, 'alice', { name: 'Alice', tab: 1 });
    t.same(await presence.list(topic), [{ key: 'alice', metas: [{ name: 'Alice', tab: 1 }] }]);
    await untrack();
    t.same(await presence.list(topic), [], 'gone after untrack');
    await untrack();
    t.same(await presence.list(topic), [], 'untracking twice is harmless');
  });

  t.test('entries are grouped by key: one user, several tabs', async (t) => {
    const { presence } = await create(t);
    const topic = testTopic('acme');
    const untrackTab1 = await presence.track(topic, 'alice', { tab: 1 });
    await presence.track(topic, 'alice', { tab: 2 });
    await presence.track(topic, 'bob', { tab: 1 });
    t.same(normalized(await presence.list(topic)), [
      { key: 'alice', metas: [{ tab: 1 }, { tab: 2 }] },
      { key: 'bob', metas: [{ tab: 1 }] },
    ]);
    await untrackTab1();
    t.same(normalized(await presence.list(topic)), [
      { key: 'alice', metas: [{ tab: 2 }] },
      { key: 'bob', metas: [{ tab: 1 }] },
    ], 'closing one tab leaves the other');
  });

  t.test('subscribers get each join and leave exactly once', async (t) => {
    const { presence, settle } = await create(t);
    const topic = testTopic('acme');
    const diffs: PresenceDiff[] = [];
    const unsubscribe = await presence.subscribe(topic, (diff) => diffs.push(diff));
    const untrack = await presence.track(topic, 'alice', { tab: 1 });
    t.same(diffs, [{ joins: [{ key: 'alice', metas: [{ tab: 1 }] }], leaves: [] }], 'the join is delivered when track resolves');
    await untrack();
    await settle();
    t.same(diffs, [
      { joins: [{ key: 'alice', metas: [{ tab: 1 }] }], leaves: [] },
      { joins: [], leaves: [{ key: 'alice', metas: [{ tab: 1 }] }] },
    ]);
    unsubscribe();
    await presence.track(topic, 'bob', {});
    await settle();
    t.equal(diffs.length, 2, 'nothing after unsubscribe');
  });

  t.test("one tenant's presence never shows in another's", async (t) => {
    const { presence, settle } = await create(t);
    const acme = testTopic('acme');
    const globex = testTopic('globex');
    const globexDiffs: PresenceDiff[] = [];
    await presence.subscribe(globex, (diff) => globexDiffs.push(diff));
    await presence.track(acme, 'alice', { secret: 'acme' });
    await settle();
    t.same(await presence.list(globex), []);
    t.same(globexDiffs, []);
    t.equal((await presence.list(acme)).length, 1);
  });

  t.test('close untracks the instance\'s entries', async (t) => {
    const { presence } = await create(t);
    const topic = testTopic('acme');
    await presence.track(topic, 'alice', {});
    await presence.track(topic, 'bob', {});
    await presence.close();
    t.same(await presence.list(topic), []);
  });

  t.test('metas are JSON objects, copied on track', async (t) => {
    const { presence } = await create(t);
    const topic = testTopic('acme');
    const meta = { name: 'Alice', at: new Date(0) };
    await presence.track(topic, 'alice', meta);
    meta.name = 'changed later';
    t.same(await presence.list(topic), [{ key: 'alice', metas: [{ name: 'Alice', at: '1970-01-01T00:00:00.000Z' }] }]);
    await t.rejects(presence.track(topic, 'bob', [] as never), TypeError, 'an array is not a meta');
  });
}
