import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, inNamespace, sessionKey } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { SessionData, SessionStore } from './index.ts';

/**
 * Sessions in Redis, shared by every process, so a reconnect to any process keeps its sign-in.
 * Keyed by the unguessable session id alone (the session resolver reads it before any tenant is
 * known); a session's tenant binding travels inside it. Every read and write refreshes the TTL.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis | Cluster;
  readonly #ttlSeconds: number;
  readonly #prefix: string;

  /** `prefix`: the deployment's namespace (`redisPrefix`), default `lv`. */
  constructor(options: { redis: Redis | Cluster; ttlSeconds: number; prefix?: string }) {
    this.#redis = options.redis;
    this.#ttlSeconds = options.ttlSeconds;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  }

  #key(id: string): string {
    return inNamespace(this.#prefix, sessionKey(id));
  }

  async get(id: string): Promise<SessionData | undefined> {
    const json = await redisCall(this.#redis.getex(this.#key(id), 'EX', this.#ttlSeconds), 'GETEX session');
    return json === null ? undefined : (JSON.parse(json) as SessionData);
  }

  async set(id: string, data: SessionData): Promise<void> {
    await redisCall(this.#redis.set(this.#key(id), JSON.stringify(data), 'EX', this.#ttlSeconds), 'SET session');
  }

  async delete(id: string): Promise<void> {
    await redisCall(this.#redis.del(this.#key(id)), 'DEL session');
  }

  async close(): Promise<void> {}
}
