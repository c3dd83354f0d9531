/**
 * One RedisPubSub as a process would have it: a command connection and a subscriber connection,
 * or on a Redis Cluster one cluster client (which keeps a sharded subscriber per master).
 */
import type { Test } from 'tap';
import { RedisPubSub, type RedisPubSubOptions } from '../../server/pubsub/index.ts';
import { createRedis, type RedisClient } from '../../server/redis/index.ts';
import { SHARED_REDIS_URL } from '../redis/shared-redis.ts';

export interface RedisProcess {
  readonly pubsub: RedisPubSub;
  readonly publisher: RedisClient;
  readonly subscriber: RedisClient;
  /** Every message Redis already sent this process has been delivered (see pubsub.case.ts). */
  settle(): Promise<void>;
}

export function redisProcess(t: Test, options: Partial<RedisPubSubOptions> = {}, url = SHARED_REDIS_URL): RedisProcess {
  const publisher = createRedis(url, { name: 'test-publisher' });
  const subscriber = publisher.isCluster ? publisher : createRedis(url, { name: 'test-subscriber' });
  const pubsub = new RedisPubSub({ publisher, subscriber, ...options });
  t.teardown(async () => {
    await pubsub.close();
    await Promise.all([...new Set([publisher, subscriber])].map((c) => c.close()));
  });
  return { pubsub, publisher, subscriber, settle: () => settle(subscriber) };
}

/**
 * A PING answered on a subscriber connection comes after every message Redis wrote to it before.
 * On a cluster that means every sharded subscriber (ioredis keeps them internal, hence the cast).
 */
async function settle(subscriber: RedisClient): Promise<void> {
  if (!subscriber.isCluster) {
    await subscriber.ping();
    return;
  }
  const group = (subscriber as unknown as { shardedSubscribers: { shardedSubscribers: Map<string, { getInstance(): RedisClient | null }> } }).shardedSubscribers;
  await Promise.all([...group.shardedSubscribers.values()].map((s) => s.getInstance()?.ping()));
}
