import type { Redis } from 'ioredis';
import { sessionKey } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { SessionData, SessionStore } from './index.ts';

/**
 * Sessions in Redis, shared by every process, so a reconnect to any process keeps its sign-in.
 * Keyed by the unguessable session id alone (the session resolver reads it before any tenant is
 * known); a session's tenant binding travels inside it. Every read and write refreshes the TTL.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #ttlSeconds: number;

  constructor(options: { redis: Redis; ttlSeconds: number }) {
    this.#redis = options.redis;
    this.#ttlSeconds = options.ttlSeconds;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const json = await redisCall(this.#redis.getex(key(id), 'EX', this.#ttlSeconds), 'GETEX session');
    return json === null ? undefined : (JSON.parse(json) as SessionData);
  }

  async set(id: string, data: SessionData): Promise<void> {
    await redisCall(this.#redis.set(key(id), JSON.stringify(data), 'EX', this.#ttlSeconds), 'SET session');
  }

  async delete(id: string): Promise<void> {
    await redisCall(this.#redis.del(key(id)), 'DEL session');
  }

  async close(): Promise<void> {}
}

const key = sessionKey;
