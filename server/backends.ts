/**
 * The shared-state engine of one process, from configuration: the state backend, pub/sub and
 * presence — in memory for one process, or on Redis for many. A named backend that cannot be
 * reached is a startup problem (livery.C019), never a silent fallback to memory.
 */
import type { FastifyBaseLogger } from 'fastify';
import { formatProblem, type Problem } from './config/checks.ts';
import type { LiveryConfig, LiveryOptions } from './options/index.ts';
import { SaveNotifier, type Database } from './data/index.ts';
import { saveTopic } from './live/view-subscriptions.ts';
import { MemoryPresence, RedisPresence, type Presence } from './presence/index.ts';
import { MemoryPubSub, RedisPubSub, topicChannel, type PubSub } from './pubsub/index.ts';
import { checkRedis, createRedis, deploymentIdentity, NamespaceRegistry, withDb, type RedisClient, type RedisHealth } from './redis/index.ts';
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

/** `secret`: the app secret, which names this deployment in the Redis namespace registry. */
export async function createBackends(config: LiveryConfig, options: LiveryOptions, log: FastifyBaseLogger, problems: Problem[], secret: Uint8Array, quota?: StateQuota): Promise<Backends | undefined> {
  const usesRedis = (options.stateBackend === undefined && config.state.backend === 'redis') || config.pubsub === 'redis';
  if (usesRedis) {
    const unreachable = await checkRedis(config.redisUrl, 2000);
    if (unreachable !== null) {
      problems.push({ id: 'livery.C019', detail: unreachable });
      return undefined;
    }
  }
  const connections: RedisClient[] = [];
  const connect = (name: string, db?: number) => {
    const redis = createRedis(db === undefined ? config.redisUrl : withDb(config.redisUrl, db), { name, logger: log });
    connections.push(redis);
    return redis;
  };
  const commands = usesRedis ? connect('commands') : undefined;
  const prefix = config.redisPrefix;
  const registry = commands === undefined ? undefined : await registerNamespace(commands, commands.db === 0 ? commands : connect('registry', 0), prefix, secret, log);
  const state = options.stateBackend
    ?? (config.state.backend === 'redis' ? new RedisStateBackend({ redis: commands!, ttlSeconds: config.state.ttlSeconds, prefix }) : new MemoryStateBackend({ ...config.state, tenantMaxBytes: quota?.stateBytes, onTenantOverBudget: quota === undefined ? undefined : (tenant) => quota.stateRefused(tenant) }));
  const sessions = options.sessionStore
    ?? (config.state.backend === 'redis'
      ? new RedisSessionStore({ redis: commands!, ttlSeconds: config.sessionTtlSeconds, prefix })
      : new MemorySessionStore({ ttlSeconds: config.sessionTtlSeconds, maxEntries: config.state.maxEntries }));
  const onListenerError = (error: unknown, channel: string) => log.error({ err: error, channel }, 'pub/sub listener failed');
  // A cluster client subscribes through its own per-shard connections: no second client.
  const subscriber = () => (commands!.isCluster ? commands! : connect('subscriber'));
  const pubsub = config.pubsub === 'redis'
    ? new RedisPubSub({ publisher: commands!, subscriber: subscriber(), onListenerError, prefix })
    : new MemoryPubSub({ onListenerError });
  const presence = config.pubsub === 'redis'
    ? new RedisPresence({ redis: commands!, pubsub, heartbeatMs: config.presenceHeartbeatMs, onError: (error) => log.error({ err: error }, 'presence failed'), prefix })
    : new MemoryPresence();
  const uploads = config.state.backend === 'redis' ? new RedisUploadMeta(commands!, prefix) : new MemoryUploadMeta();
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
      registry?.close();
      await presence.close();
      await pubsub.close();
      if (options.stateBackend === undefined) await state.close();
      if (options.sessionStore === undefined) await sessions.close();
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

/**
 * Registers this deployment in its Redis namespace and warns (livery.C047) about every other user
 * of it — now, before the server listens, and whenever a new one appears (D37).
 */
async function registerNamespace(commands: RedisClient, db0: RedisClient, prefix: string, secret: Uint8Array, log: FastifyBaseLogger): Promise<NamespaceRegistry> {
  const self = deploymentIdentity(secret);
  const registry = new NamespaceRegistry({
    redis: db0,
    prefix,
    deployment: self,
    db: commands.db,
    onCollision: (other) => {
      const who = other.deployment === self ? 'this deployment (the same LIVERY_SECRET)' : `another deployment (${other.deployment})`;
      const detail = `${who} uses the Redis namespace "${prefix}" from db ${other.db}; this one (${self}) uses it from db ${commands.db}`;
      log.warn({ check: 'livery.C047', prefix, other }, formatProblem({ id: 'livery.C047', detail }));
    },
    onError: (error) => log.warn({ err: error }, `could not register in the Redis namespace "${prefix}" to detect collisions (livery.C047)`),
  });
  await registry.start();
  return registry;
}

/** Announces committed saves of tenant-owned entities on their tenant's save topic. */
export function notifySaves(database: Database, pubsub: PubSub, log: FastifyBaseLogger): void {
  database.orm.em.getEventManager().registerSubscriber(
    new SaveNotifier((tenant, event) => {
      pubsub.publish(topicChannel(tenant, saveTopic(event.entity)), event).catch((error) => log.error({ err: error, tenant }, 'save notification failed'));
    }),
  );
}
