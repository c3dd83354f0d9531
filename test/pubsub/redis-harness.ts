/** One RedisPubSub as a process would have it: a command connection and a subscriber connection. */
import type { Test } from 'tap';
import { RedisPubSub, type RedisPubSubOptions } from '../../server/pubsub/index.ts';
import { createRedis, type LiveryRedis } from '../../server/redis/index.ts';
import { SHARED_REDIS_URL } from '../redis/shared-redis.ts';

export interface RedisProcess {
  readonly pubsub: RedisPubSub;
  readonly publisher: LiveryRedis;
  readonly subscriber: LiveryRedis;
  /** Every message Redis already sent this process has been delivered (see pubsub.case.ts). */
  settle(): Promise<void>;
}

export function redisProcess(t: Test, options: Partial<RedisPubSubOptions> = {}, url = SHARED_REDIS_URL): RedisProcess {
  const publisher = createRedis(url, { name: 'test-publisher' });
  const subscriber = createRedis(url, { name: 'test-subscriber' });
  const pubsub = new RedisPubSub({ publisher, subscriber, ...options });
  t.teardown(async () => {
    await pubsub.close();
    await Promise.all([publisher.close(), subscriber.close()]);
  });
  return { pubsub, publisher, subscriber, settle: async () => void (await subscriber.ping()) };
}
