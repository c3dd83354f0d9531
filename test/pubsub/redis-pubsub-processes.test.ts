/** RedisPubSub between processes (two instances = two processes), and what it sends to Redis. */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { topicChannel } from '../../server/pubsub/index.ts';
import { createRedis, LiveryRedis } from '../../server/redis/index.ts';
import { startOwnRedis, waitFor } from '../redis/own-redis.ts';
import { redisProcess } from './redis-harness.ts';

const channelFor = (topic: string) => topicChannel(`acme-${randomBytes(6).toString('hex')}`, topic);

t.test("two processes get each other's messages, each exactly once per listener", async (t) => {
  const a = redisProcess(t);
  const b = redisProcess(t);
  const channel = channelFor('board');
  const got = { a1: [] as unknown[], a2: [] as unknown[], b1: [] as unknown[] };
  await a.pubsub.subscribe(channel, (m) => got.a1.push(m));
  await a.pubsub.subscribe(channel, (m) => got.a2.push(m));
  await b.pubsub.subscribe(channel, (m) => got.b1.push(m));
  await a.pubsub.publish(channel, 'from a');
  // Order is per publisher only: without this, b's local delivery of its own message could
  // overtake a's message still in flight to b.
  await b.settle();
  await b.pubsub.publish(channel, 'from b');
  await Promise.all([a.settle(), b.settle()]);
  t.same(got.a1, ['from a', 'from b']);
  t.same(got.a2, ['from a', 'from b']);
  t.same(got.b1, ['from a', 'from b']);
});

t.test('one PUBLISH per broadcast and one SUBSCRIBE per channel per process, whatever the listeners', async (t) => {
  const server = await startOwnRedis(t);
  const monitorConnection = new LiveryRedis(server.url, { name: 'monitor' });
  t.teardown(() => monitorConnection.close());
  const monitor = await monitorConnection.monitor();
  t.teardown(() => monitor.disconnect());
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.map(String)));

  const a = redisProcess(t, {}, server.url);
  const b = redisProcess(t, {}, server.url);
  const channel = channelFor('board');
  let deliveries = 0;
  for (let i = 0; i < 5; i++) await a.pubsub.subscribe(channel, () => deliveries++);
  for (let i = 0; i < 3; i++) await b.pubsub.subscribe(channel, () => deliveries++);
  await a.pubsub.publish(channel, { broadcast: 1 });
  await Promise.all([a.settle(), b.settle()]);
  t.equal(deliveries, 8, 'all eight listeners in two processes got it');

  await a.publisher.echo('end-of-test'); // MONITOR shows commands in execution order
  await waitFor('MONITOR to show the marker', () => seen.some((args) => args[1] === 'end-of-test'));
  const count = (command: string) => seen.filter((args) => args[0].toLowerCase() === command && args[1] === channel).length;
  t.equal(count('publish'), 1, 'one PUBLISH for a broadcast to 8 subscribers');
  t.equal(count('subscribe'), 2, 'one SUBSCRIBE per process, not per listener');
});

t.test('subscriptions come back after Redis restarts', async (t) => {
  const server = await startOwnRedis(t);
  const a = redisProcess(t, {}, server.url);
  const b = redisProcess(t, {}, server.url);
  const channel = channelFor('board');
  const got: unknown[] = [];
  await a.pubsub.subscribe(channel, (m) => got.push(m));
  await a.pubsub.subscribe(channel, (m) => got.push(`second:${m}`));

  await server.kill();
  await waitFor('the subscriber to notice', () => a.subscriber.health().status === 'down');
  await server.start();
  await waitFor('the subscription to be back', async () => {
    const [, subscribers] = (await b.publisher.pubsub('NUMSUB', channel)) as [string, number];
    return subscribers === 1;
  });
  await b.pubsub.publish(channel, 'after restart');
  await a.settle();
  t.same(got, ['after restart', 'second:after restart'], 'delivered once to each listener');
});

t.test('a subscribe while Redis is down fails after the bounded wait and leaves nothing behind', async (t) => {
  const server = await startOwnRedis(t);
  const publisher = createRedis(server.url, { name: 'p', commandTimeoutMs: 300 });
  const subscriber = createRedis(server.url, { name: 's', commandTimeoutMs: 300 });
  t.teardown(() => Promise.all([publisher.close(), subscriber.close()]));
  const { RedisPubSub } = await import('../../server/pubsub/index.ts');
  const pubsub = new RedisPubSub({ publisher, subscriber });
  t.teardown(() => pubsub.close());
  await server.kill();
  const channel = channelFor('board');
  await t.rejects(pubsub.subscribe(channel, () => {}), { code: 'LV_REDIS_UNAVAILABLE' });
  await t.rejects(pubsub.publish(channel, 1), { code: 'LV_REDIS_UNAVAILABLE' });
  await server.start();
  await waitFor('both connections to be back', () => subscriber.health().status === 'up' && publisher.health().status === 'up');
  const got: unknown[] = [];
  await pubsub.subscribe(channel, (m) => got.push(m));
  await pubsub.publish(channel, 'works again');
  t.same(got, ['works again']);
  const [, subscribers] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
  t.equal(subscribers, 1, 'one subscription: the failed attempt left no extra one');
});
