/**
 * Tests on the shared Redis (127.0.0.1:6379, also on CI) stay inside a key space of their own:
 * a tenant or prefix unique to the run, removed in teardown.
 */
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { LiveryRedis, redisUrl } from '../../server/redis/index.ts';

export const SHARED_REDIS_URL = redisUrl();

/** A tenant id no other run uses, e.g. `acme-3f9a…`. */
export function uniqueTenant(name: string): string {
  return `${name}-${randomBytes(6).toString('hex')}`;
}

/** A connection to the shared Redis, closed in teardown. */
export function sharedConnection(t: Test, name: string, extra: ConstructorParameters<typeof LiveryRedis>[1]['redis'] = {}): LiveryRedis {
  const redis = new LiveryRedis(SHARED_REDIS_URL, { name: `test-${name}`, redis: extra });
  t.teardown(() => redis.close());
  return redis;
}

/** Deletes every key matching `pattern`; use a connection without `keyPrefix` (ioredis would prefix the DEL). */
export async function deleteKeys(redis: LiveryRedis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.call('DEL', ...keys);
  } while (cursor !== '0');
}
