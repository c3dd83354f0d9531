/** One RedisPresence as a process would have it: its own connections and RedisPubSub. */
import type { Test } from 'tap';
import { RedisPresence } from '../../server/presence/index.ts';
import { redisProcess, type RedisProcess } from '../pubsub/redis-harness.ts';
import { SHARED_REDIS_URL } from '../redis/shared-redis.ts';

export interface PresenceProcess extends RedisProcess {
  readonly presence: RedisPresence;
}

export function presenceProcess(t: Test, heartbeatMs: number, url = SHARED_REDIS_URL): PresenceProcess {
  const process = redisProcess(t, {}, url);
  const presence = new RedisPresence({ redis: process.publisher, pubsub: process.pubsub, heartbeatMs, onError: (error) => t.error(error) });
  t.teardown(() => presence.close()); // runs before the connections close (teardowns run in reverse)
  return { ...process, presence };
}
