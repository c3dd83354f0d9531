import type { Cluster, Redis } from 'ioredis';
import { LiveryError } from '../errors.ts';
import { DEFAULT_REDIS_PREFIX, inNamespace } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { StateBackend } from './index.ts';

export interface RedisStateOptions {
  /** The command connection (see `createRedis`), a server or a cluster; the backend never closes it. */
  redis: Redis | Cluster;
  /** Seconds an entry lives after its last read or write. */
  ttlSeconds: number;
  /** The deployment's namespace (`redisPrefix`); default `lv`. */
  prefix?: string;
}

/** Far above any sane `state.maxBytes`: this guards Redis, the runtime enforces the real limit. */
export const REDIS_STATE_HARD_LIMIT = 16 * 1024 * 1024;

export class StateTooLargeError extends LiveryError {
  declare readonly code: 'LV_STATE_TOO_LARGE';

  constructor(key: string, bytes: number) {
    super('LV_STATE_TOO_LARGE', undefined, {
      message: `State for ${key} is ${bytes} bytes, over the Redis backend's hard limit of ${REDIS_STATE_HARD_LIMIT} bytes; keep view state small (state.maxBytes).`,
    });
    this.name = 'StateTooLargeError';
  }
}

/**
 * State shared by every process through Redis, hence write-through: the runtime stores each
 * change before the event's reply, so a client reconnecting to any process resumes its view.
 *
 * Each call is one command (`GETEX … EX`, `SET … EX`, `DEL`) that refreshes the TTL, so entries
 * of abandoned views expire by themselves. A first paint's state is set with the short pre-join
 * TTL; the join's `GETEX` gives it the full one. With auto-pipelining, writes issued in the same tick
 * (a broadcast re-rendering many views) share one round trip. During a Redis outage calls wait
 * up to the connection's command timeout, then reject with `RedisUnavailableError`; values are
 * JSON strings (docs/state-codec.md has the measurements behind that choice).
 */
export class RedisStateBackend implements StateBackend {
  readonly name = 'redis';
  readonly writeThrough = true;
  readonly #redis: Redis | Cluster;
  readonly #ttl: number;
  readonly #prefix: string;

  constructor(options: RedisStateOptions) {
    this.#redis = options.redis;
    this.#ttl = options.ttlSeconds;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  }

  get(key: string): Promise<string | null> {
    return redisCall(this.#redis.getex(inNamespace(this.#prefix, key), 'EX', this.#ttl), `GETEX ${key}`);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: count exactly only when it could matter.
    if (value.length * 3 > REDIS_STATE_HARD_LIMIT) {
      const bytes = Buffer.byteLength(value);
      if (bytes > REDIS_STATE_HARD_LIMIT) throw new StateTooLargeError(key, bytes);
    }
    await redisCall(this.#redis.set(inNamespace(this.#prefix, key), value, 'EX', ttlSeconds ?? this.#ttl), `SET ${key}`);
  }

  async delete(key: string): Promise<void> {
    await redisCall(this.#redis.del(inNamespace(this.#prefix, key)), `DEL ${key}`);
  }

  /** The connection belongs to whoever created it; nothing to release here. */
  async close(): Promise<void> {}
}
