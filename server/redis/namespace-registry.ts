/**
 * Which deployments use a Redis namespace, so a collision is reported (livery.C047) instead of
 * silently mixing two apps' messages.
 *
 * Redis db numbers separate keys, not pub/sub: two deployments on db 7 and db 8 with the same
 * prefix receive each other's broadcasts, presence diffs and save notifications. So every process
 * registers its deployment in one hash per namespace, kept in db 0 whatever db the backends use —
 * `<prefix>:deployments`, field `<deployment>:<db>`, value the Redis server time of its last
 * heartbeat — and every other field heard from within three heartbeats is a collision: another
 * deployment, or this one from another db number (its channels cross just the same).
 *
 * A deployment is named by a keyed hash of its app secret ({@link deploymentIdentity}): every
 * process of a deployment shares LIVERY_SECRET, two deployments do not, and the hash reveals
 * nothing of the secret.
 */
import { createHmac } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { deploymentsKey, inNamespace } from '../keys.ts';
import { LuaScript } from './lua-script.ts';
import { redisCall } from './redis-errors.ts';

/** KEYS registry. ARGV field, staleMs. Stamps the field, drops stale ones, returns the others. */
const BEAT = new LuaScript(`local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('HSET', KEYS[1], ARGV[1], now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local others = {}
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    if tonumber(all[i + 1]) < now - tonumber(ARGV[2]) then
      redis.call('HDEL', KEYS[1], all[i])
    else
      others[#others + 1] = all[i]
    end
  end
end
return others`);

/** The name a deployment registers under: 16 hex digits of HMAC-SHA256(secret, fixed label). */
export function deploymentIdentity(secret: string | Uint8Array): string {
  return createHmac('sha256', secret).update('livery redis namespace registry').digest('hex').slice(0, 16);
}

/** Another user of the namespace. */
export interface Deployment {
  readonly deployment: string;
  readonly db: number;
}

export interface NamespaceRegistryOptions {
  /** A connection to db 0 (a cluster has only db 0); never closed here. */
  redis: Redis | Cluster;
  /** The namespace (`redisPrefix`). */
  prefix: string;
  /** This deployment ({@link deploymentIdentity}). */
  deployment: string;
  /** The db number this deployment's backends use. */
  db: number;
  /** Called once for each other user of the namespace, when first heard of. */
  onCollision(other: Deployment): void;
  /** A heartbeat that failed (Redis down, or db 0 or EVAL refused by an ACL). */
  onError(error: unknown): void;
  /** Default 10 s; another user counts as gone after three heartbeats without news. */
  heartbeatMs?: number;
}

export class NamespaceRegistry {
  readonly #options: NamespaceRegistryOptions;
  readonly #key: string;
  readonly #field: string;
  readonly #heartbeatMs: number;
  readonly #reported = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: NamespaceRegistryOptions) {
    this.#options = options;
    this.#key = inNamespace(options.prefix, deploymentsKey());
    this.#field = `${options.deployment}:${options.db}`;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** Registers (reporting the users already there, before it resolves) and starts the heartbeat. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #beat(): Promise<void> {
    let others: string[];
    try {
      others = (await redisCall(BEAT.run(this.#options.redis, [this.#key], [this.#field, 3 * this.#heartbeatMs]), `register in ${this.#key}`)) as string[];
    } catch (error) {
      this.#options.onError(error);
      return;
    }
    for (const field of others) {
      if (this.#reported.has(field)) continue;
      this.#reported.add(field);
      const colon = field.lastIndexOf(':');
      this.#options.onCollision({ deployment: field.slice(0, colon), db: Number(field.slice(colon + 1)) });
    }
  }
}
