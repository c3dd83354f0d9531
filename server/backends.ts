/**
 * The shared-state engine of one process, from configuration: the state backend, pub/sub and
 * presence — in memory for one process, or on Redis for many. A named backend that cannot be
 * reached is a startup problem (livery.C019), never a silent fallback to memory.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Problem } from './config/checks.ts';
import type { LiveryConfig, LiveryOptions } from './options/index.ts';
import { SaveNotifier, type Database } from './data/index.ts';
import { saveTopic } from './live/view-subscriptions.ts';
import { MemoryPresence, RedisPresence, type Presence } from './presence/index.ts';
import { MemoryPubSub, RedisPubSub, topicChannel, type PubSub } from './pubsub/index.ts';
import { checkRedis, createRedis, type LiveryRedis, type RedisHealth } from './redis/index.ts';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './session/index.ts';
import { MemoryStateBackend, RedisStateBackend, type StateBackend } from './state/index.ts';
import { MemoryUploadMeta, RedisUploadMeta, type UploadMeta } from './uploads/index.ts';

export interface Backends {
  readonly state: StateBackend;
  readonly sessions: SessionStore;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  /** Upload records: shared through Redis with the Redis state backend, so any process resumes an upload. */
  readonly uploads: UploadMeta;
  /** Redis connection health, when Redis is used (for /healthz). */
  readonly redis: (() => RedisHealth) | undefined;
  /** Redis commands sent so far by this process (accounting). */
  readonly redisCommands: () => number;
  /** Per Redis connection: commands sent and round trips (metrics). */
  readonly redisCounts: () => Array<{ connection: string; commands: number; roundTrips: number }>;
  close(): Promise<void>;
}

/** What the backends ask of the per-tenant quotas (D41): a tenant's state budget, and to log one spent. */
export interface StateQuota {
  /** Bytes of state the tenant may hold (0: no quota of its own). */
  stateBytes(tenant: string): number;
  stateRefused(tenant: string): void;
}

export async function createBackends(config: LiveryConfig, options: LiveryOptions, log: FastifyBaseLogger, problems: Problem[], quota?: StateQuota): Promise<Backends | undefined> {
  const usesRedis = (options.stateBackend === undefined && config.state.backend === 'redis') || config.pubsub === 'redis';
  if (usesRedis) {
    const unreachable = await checkRedis(config.redisUrl, 2000);
    if (unreachable !== null) {
      problems.push({ id: 'livery.C019', detail: unreachable });
      return undefined;
    }
  }
  const connections: LiveryRedis[] = [];
  const connect = (name: string) => {
    const redis = createRedis(config.redisUrl, { name, logger: log });
    connections.push(redis);
    return redis;
  };
  const commands = usesRedis ? connect('commands') : undefined;
  const state = options.stateBackend
    ?? (config.state.backend === 'redis' ? new RedisStateBackend({ redis: commands!, ttlSeconds: config.state.ttlSeconds }) : new MemoryStateBackend({ ...config.state, tenantMaxBytes: quota?.stateBytes, onTenantOverBudget: quota === undefined ? undefined : (tenant) => quota.stateRefused(tenant) }));
  const sessions = options.sessionStore
    ?? (config.state.backend === 'redis'
      ? new RedisSessionStore({ redis: commands!, ttlSeconds: config.sessionTtlSeconds })
      : new MemorySessionStore({ ttlSeconds: config.sessionTtlSeconds, maxEntries: config.state.maxEntries }));
  const onListenerError = (error: unknown, channel: string) => log.error({ err: error, channel }, 'pub/sub listener failed');
  const pubsub = config.pubsub === 'redis'
    ? new RedisPubSub({ publisher: commands!, subscriber: connect('subscriber'), onListenerError })
    : new MemoryPubSub({ onListenerError });
  const presence = config.pubsub === 'redis'
    ? new RedisPresence({ redis: commands!, pubsub, heartbeatMs: config.presenceHeartbeatMs, onError: (error) => log.error({ err: error }, 'presence failed') })
    : new MemoryPresence();
  const uploads = config.state.backend === 'redis' ? new RedisUploadMeta(commands!) : new MemoryUploadMeta();
  return {
    state,
    sessions,
    pubsub,
    presence,
    uploads,
    redis: commands === undefined ? undefined : () => commands.health(),
    redisCommands: () => connections.reduce((sum, c) => sum + c.commandsSent, 0),
    redisCounts: () => connections.map((c) => ({ connection: c.livery.name, commands: c.commandsSent, roundTrips: c.roundTrips })),
    async close() {
      await presence.close();
      await pubsub.close();
      if (options.stateBackend === undefined) await state.close();
      if (options.sessionStore === undefined) await sessions.close();
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

/** Announces committed saves of tenant-owned entities on their tenant's save topic. */
export function notifySaves(database: Database, pubsub: PubSub, log: FastifyBaseLogger): void {
  database.orm.em.getEventManager().registerSubscriber(
    new SaveNotifier((tenant, event) => {
      pubsub.publish(topicChannel(tenant, saveTopic(event.entity)), event).catch((error) => log.error({ err: error, tenant }, 'save notification failed'));
    }),
  );
}
