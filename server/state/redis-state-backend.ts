import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { LiveryError } from '../errors.ts';
import { DEFAULT_REDIS_PREFIX, inNamespace, stateKeyTenant, stateUsageKeys } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { SaveOptions, StateBackend, StateClaim } from './index.ts';
import { REDIS_ENTRY_OVERHEAD, stateScripts, USAGE_TOTAL } from './redis-state-scripts.ts';

export { REDIS_ENTRY_OVERHEAD };

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

/** A save or first paint that would grow its tenant's stored state past the tenant's budget (D36). */
export class StateQuotaError extends LiveryError {
  declare readonly code: 'LV_STATE_QUOTA_EXCEEDED';

  constructor(tenant: string, stored: number, budget: number) {
    super('LV_STATE_QUOTA_EXCEEDED', `tenant ${tenant} stores ${stored} bytes of view state; its budget is ${budget}`);
    this.name = 'StateQuotaError';
  }
}

/**
 * State shared by every process through Redis, hence write-through: the runtime stores each
 * change before the event's reply, so a client reconnecting to any process resumes its view.
 *
 * Each call is one Lua script (see redis-state-scripts.ts) that refreshes the TTL (a save: once a
 * third of it has passed, or when asked), so entries of abandoned views expire by themselves. A
 * join `claim`s the instance — a fresh random owner token replaces the stored one — and a `save`
 * is a compare-and-set on that token, so a copy of the view left live on another process can
 * never overwrite what the new owner stored (D34). The same scripts count each tenant's stored
 * bytes and refuse growth past its budget (D36). A first paint's state is stored with the short
 * pre-join TTL; the join's claim gives it the full one. With auto-pipelining, scripts issued in
 * the same tick share one round trip; saves go further, gathered per tenant into one script per
 * loop turn, or per 32 saves when a turn has more (D64, D71). During a Redis outage calls wait up to the connection's command timeout, then
 * reject with `RedisUnavailableError`; values are JSON strings (docs/state-codec.md).
 */
export class RedisStateBackend implements StateBackend {
  readonly name = 'redis';
  readonly writeThrough = true;
  readonly #redis: Redis | Cluster;
  readonly #ttlMs: number;
  readonly #prefix: string;
  /** This loop turn's saves, per tenant, sent together at its end (see `save`). */
  readonly #queued = new Map<string, QueuedSave[]>();
  #scheduled = false;
  readonly #usage = new Map<string, readonly [string, string]>();

  constructor(options: RedisStateOptions) {
    this.#redis = options.redis;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  }

  async get(key: string): Promise<string | null> {
    return (await this.#run('get', key, [this.#ttlMs, this.#ttlMs])) as string | null;
  }

  async set(key: string, value: string, options?: { ttlSeconds?: number; budget?: number }): Promise<void> {
    guardSize(key, value);
    const ttlMs = options?.ttlSeconds === undefined ? this.#ttlMs : options.ttlSeconds * 1000;
    const result = (await this.#run('put', key, [value, ttlMs, this.#ttlMs, budgetArg(options?.budget)])) as number[];
    if (result[0] === -1) throw new StateQuotaError(stateKeyTenant(key), result[1], options!.budget!);
  }

  async claim(key: string): Promise<StateClaim> {
    // 128 random bits: owners never repeat, so a refused owner knows it is stale for good.
    const owner = randomBytes(16).toString('base64url');
    const [value, previous] = (await this.#run('claim', key, [owner, this.#ttlMs, this.#ttlMs])) as [string | null, string | null];
    return { value, owner, previous };
  }

  /**
   * Queued, and sent with the other saves of this loop turn (D64): one SAVE script per tenant
   * carries them, each still a compare-and-set on its own owner. So a turn in which many views
   * handle an event costs one round trip, and one command per tenant instead of one per view. A
   * tenant's batch leaves as soon as it holds {@link SAVES_PER_SCRIPT} saves, without waiting for
   * the turn's end, so Redis runs it while this process handles the turn's remaining events (D71).
   * Any other call first sends the saves queued before it, so commands on a key keep their order.
   */
  save(key: string, value: string, owner: string, budget?: number, options?: SaveOptions): Promise<boolean> {
    guardSize(key, value);
    const tenant = stateKeyTenant(key);
    return new Promise<boolean>((resolve, reject) => {
      let saves = this.#queued.get(tenant);
      if (saves === undefined) this.#queued.set(tenant, (saves = []));
      saves.push({ key, value, owner, budget: budgetArg(budget), refresh: options?.refresh === true ? 1 : 0, resolve, reject });
      if (saves.length >= SAVES_PER_SCRIPT) {
        this.#queued.delete(tenant);
        this.#send(tenant, saves);
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  /** Sends the queued saves: per tenant, one SAVE script (at most {@link SAVES_PER_SCRIPT} saves: see `save`). */
  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#queued.size === 0) return;
    const queued = [...this.#queued];
    this.#queued.clear();
    for (const [tenant, saves] of queued) this.#send(tenant, saves);
  };

  #send(tenant: string, saves: QueuedSave[]): void {
    const [bytes, expiries] = this.#usageKeys(tenant);
    const keys = [bytes, expiries];
    const entries: Array<[string, string, string, number, number]> = [];
    for (const save of saves) {
      keys.push(inNamespace(this.#prefix, save.key));
      entries.push([save.key, save.value, save.owner, save.budget, save.refresh]);
    }
    // Sent at once, outside auto-pipelining: this already is the batch, and waiting for the
    // auto-pipeline's own turn would add a loop iteration to every acknowledged event.
    const sent = stateScripts.save.send(this.#redis, keys, [this.#ttlMs, this.#ttlMs, JSON.stringify(entries)]);
    redisCall(sent, `state save ×${saves.length} {${tenant}}`).then(
      (results) => {
        for (let i = 0; i < saves.length; i++) {
          const result = (results as number[])[i];
          if (result >= 0) saves[i].resolve(result === 1);
          else saves[i].reject(new StateQuotaError(tenant, -1 - result, saves[i].budget));
        }
      },
      (error: unknown) => {
        for (const save of saves) save.reject(error);
      },
    );
  }

  async keep(key: string, owner: string): Promise<'kept' | 'taken' | 'absent'> {
    const result = (await this.#run('keep', key, [owner, this.#ttlMs, this.#ttlMs])) as number;
    return result === 1 ? 'kept' : result === 0 ? 'absent' : 'taken';
  }

  async delete(key: string): Promise<void> {
    await this.#run('delete', key, []);
  }

  /** The bytes counted for a tenant's stored states (see redis-state-scripts.ts). */
  async usage(tenant: string): Promise<number> {
    const bytes = inNamespace(this.#prefix, stateUsageKeys(tenant)[0]);
    return Number(await redisCall(this.#redis.hget(bytes, USAGE_TOTAL), `HGET ${bytes}`) ?? 0);
  }

  /**
   * Runs a state script on the state key and its tenant's accounting keys (one hash tag), in the
   * deployment's namespace; the state key is passed as it was built too, naming it in the accounting.
   */
  #run(script: Exclude<keyof typeof stateScripts, 'save'>, key: string, args: Array<string | number>): Promise<unknown> {
    this.#flush(); // saves queued before this call go first
    const [bytes, expiries] = this.#usageKeys(stateKeyTenant(key));
    return redisCall(stateScripts[script].run(this.#redis, [inNamespace(this.#prefix, key), bytes, expiries], [key, ...args]), `state ${script} ${key}`);
  }

  /** A tenant's accounting keys in the namespace, built once per tenant (a bounded memo). */
  #usageKeys(tenant: string): readonly [string, string] {
    let keys = this.#usage.get(tenant);
    if (keys === undefined) {
      if (this.#usage.size >= USAGE_KEYS_KEPT) this.#usage.clear();
      const [bytes, expiries] = stateUsageKeys(tenant);
      keys = [inNamespace(this.#prefix, bytes), inNamespace(this.#prefix, expiries)];
      this.#usage.set(tenant, keys);
    }
    return keys;
  }

  /** Sends the saves still queued; the connection belongs to whoever created it. */
  async close(): Promise<void> {
    this.#flush();
  }
}

/**
 * Saves one SAVE script carries at most. A script runs alone in Redis, so its length is bounded;
 * and a full batch is sent at once rather than at the turn's end (D71): with 32, a turn of a
 * hundred events keeps Redis busy on its first batches while this process handles the rest,
 * where one batch at the turn's end had each side wait for the other.
 */
export const SAVES_PER_SCRIPT = 32;
/** Tenants whose accounting key names are kept built; past this the memo starts over. */
const USAGE_KEYS_KEPT = 1024;

interface QueuedSave {
  key: string;
  value: string;
  owner: string;
  budget: number;
  refresh: 0 | 1;
  /** Stored (true) or taken over (false); over budget rejects with StateQuotaError (see SAVE). */
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

/** No budget: a number Lua compares like any other. */
function budgetArg(budget: number | undefined): number {
  return budget === undefined || !Number.isFinite(budget) ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.floor(budget));
}

/** UTF-8 needs at most 3 bytes per UTF-16 unit: count exactly only when it could matter. */
function guardSize(key: string, value: string): void {
  if (value.length * 3 > REDIS_STATE_HARD_LIMIT) {
    const bytes = Buffer.byteLength(value);
    if (bytes > REDIS_STATE_HARD_LIMIT) throw new StateTooLargeError(key, bytes);
  }
}
