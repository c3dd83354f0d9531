/**
 * The contract every PubSub passes (memory and Redis); each implementation's test file calls
 * this with a factory. `settle()` returns once every message already published has reached
 * this process's listeners (Redis: a PING answered on the subscriber connection comes after
 * them), so "exactly once" is checked after any echo would have arrived.
 */
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { topicChannel, type ListenerErrorHandler, type PubSub } from '../../server/pubsub/index.ts';

export interface PubSubHarness {
  readonly pubsub: PubSub;
  settle(): Promise<void>;
}

export type PubSubFactory = (t: Test, options?: { onListenerError?: ListenerErrorHandler }) => Promise<PubSubHarness>;

function tenant(name: string): string {
  return `${name}-${randomBytes(6).toString('hex')}`;
}

function collector(): { listener: (message: unknown) => void; got: unknown[] } {
  const got: unknown[] = [];
  return { listener: (message) => got.push(message), got };
}

export function pubsubContract(t: Test, create: PubSubFactory): void {
  t.test('topic channels carry the tenant as a hash tag', async (t) => {
    t.equal(topicChannel('acme', 'projects'), 'lv:{acme}:topic:projects');
  });

  t.test('every local subscriber gets each message exactly once', async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const subscribers = [collector(), collector(), collector()];
    for (const s of subscribers) await pubsub.subscribe(channel, s.listener);
    await pubsub.publish(channel, { n: 1 });
    await pubsub.publish(channel, { n: 2 });
    await settle();
    for (const s of subscribers) t.same(s.got, [{ n: 1 }, { n: 2 }]);
  });

  t.test('unsubscribe stops delivery to that listener only, and can be called twice', async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const a = collector();
    const b = collector();
    const offA = await pubsub.subscribe(channel, a.listener);
    await pubsub.subscribe(channel, b.listener);
    await pubsub.publish(channel, 1);
    offA();
    offA();
    await pubsub.publish(channel, 2);
    await settle();
    t.same(a.got, [1]);
    t.same(b.got, [1, 2]);
  });

  t.test('a channel whose last listener left can be subscribed again', async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const first = collector();
    (await pubsub.subscribe(channel, first.listener))();
    await pubsub.publish(channel, 'nobody');
    const second = collector();
    await pubsub.subscribe(channel, second.listener);
    await pubsub.publish(channel, 'again');
    await settle();
    t.same(first.got, []);
    t.same(second.got, ['again']);
  });

  t.test('the same function subscribed twice is two subscriptions', async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const c = collector();
    const off = await pubsub.subscribe(channel, c.listener);
    await pubsub.subscribe(channel, c.listener);
    await pubsub.publish(channel, 'x');
    off();
    await pubsub.publish(channel, 'y');
    await settle();
    t.same(c.got, ['x', 'x', 'y']);
  });

  t.test("one tenant's channel never reaches another tenant's listener", async (t) => {
    const { pubsub, settle } = await create(t);
    const acme = topicChannel(tenant('acme'), 'board');
    const globex = topicChannel(tenant('globex'), 'board');
    const a = collector();
    const g = collector();
    await pubsub.subscribe(acme, a.listener);
    await pubsub.subscribe(globex, g.listener);
    await pubsub.publish(acme, { secret: 'acme only' });
    await settle();
    t.same(a.got, [{ secret: 'acme only' }]);
    t.same(g.got, [], 'same topic name, other tenant: nothing');
  });

  t.test('messages arrive as their JSON round trip', async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const c = collector();
    await pubsub.subscribe(channel, c.listener);
    const message = { text: 'ü ✓ "quoted" \n', n: -1.5, big: 2 ** 53 - 1, nested: [{ a: null, b: true }, []], when: new Date(0) };
    await pubsub.publish(channel, message);
    await pubsub.publish(channel, 'plain string');
    await pubsub.publish(channel, null);
    await settle();
    t.same(c.got, [JSON.parse(JSON.stringify(message)), 'plain string', null]);
    t.equal((c.got[0] as { when: unknown }).when, '1970-01-01T00:00:00.000Z', 'a Date arrives as its JSON string');
    t.not(c.got[0], message, 'listeners get a copy, not the publisher object');
    await t.rejects(pubsub.publish(channel, undefined), TypeError, 'undefined is not JSON');
    await t.rejects(pubsub.publish(channel, () => 1), TypeError, 'nor is a function');
  });

  t.test("one publisher's messages arrive in order", async (t) => {
    const { pubsub, settle } = await create(t);
    const channel = topicChannel(tenant('acme'), 'board');
    const c = collector();
    await pubsub.subscribe(channel, c.listener);
    const sent = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(sent.map((i) => pubsub.publish(channel, i)));
    await settle();
    t.same(c.got, sent);
  });

  t.test('a listener that throws is reported and does not stop the others', async (t) => {
    const errors: Array<[unknown, string]> = [];
    const { pubsub, settle } = await create(t, { onListenerError: (error, channel) => errors.push([error, channel]) });
    const channel = topicChannel(tenant('acme'), 'board');
    const before = collector();
    const after = collector();
    await pubsub.subscribe(channel, before.listener);
    await pubsub.subscribe(channel, () => {
      throw new Error('boom');
    });
    await pubsub.subscribe(channel, after.listener);
    await pubsub.publish(channel, 'm');
    await settle();
    t.same(before.got, ['m']);
    t.same(after.got, ['m']);
    t.equal(errors.length, 1);
    t.match(errors[0], [{ message: 'boom' }, channel]);
  });
}
