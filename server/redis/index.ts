/**
 * Redis connections for the shared backends (state, pub/sub, presence) and the startup check.
 *
 * A process opens two connections: one for commands (state reads and writes, PUBLISH, presence
 * scripts), shared by every backend, and one dedicated to SUBSCRIBE. On a Redis Cluster
 * (`redis+cluster://`) it opens one cluster client for both: ioredis keeps a subscriber
 * connection per master for sharded pub/sub. Backends never close a connection they were given;
 * whoever called {@link createRedis} closes it.
 *
 * Outage guarantee (see create-redis.ts): while Redis is unreachable, commands wait in order for
 * it to come back, each for at most `commandTimeoutMs` (5 s by default); then they fail with
 * {@link RedisUnavailableError} (`LV_REDIS_UNAVAILABLE`). A command that failed that way may
 * still run later, in its original order, if Redis returns before the queue is flushed: its
 * outcome is unknown, never reordered.
 */

export { createRedis, LiveryCluster, LiveryRedis, type Logger, type RedisClient, type RedisHealth, type CreateRedisOptions } from './create-redis.ts';
export { checkRedis } from './check-redis.ts';
export { LuaScript } from './lua-script.ts';
export { deploymentIdentity, NamespaceRegistry, type NamespaceRegistryOptions } from './namespace-registry.ts';
export { RedisUnavailableError, redisCall } from './redis-errors.ts';
export { clusterTarget, DEFAULT_REDIS_URL, invalidRedisUrl, isClusterUrl, redactUrl, redisUrl, withDb, type ClusterTarget } from './redis-url.ts';
