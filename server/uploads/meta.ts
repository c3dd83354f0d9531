/**
 * Upload records (UploadMeta): in this process's memory, or in Redis so that any process can
 * continue an upload another one started. Keys come from `server/keys.ts`, each inside the
 * tenant's `{tenant}` hash tag: a record is found only under the tenant that created it.
 *
 * Write locks are taken over, not waited out (D58): a request that finds an upload locked asks
 * the holder to let go — in memory by aborting its signal, in Redis through a release-request
 * key the holder's heartbeat reads — and waits a bounded time for the holder to stop writing,
 * record its offset and release. A dropped connection the server has not noticed yet therefore
 * never keeps its user from resuming.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, inNamespace, uploadKey, uploadLockKey, uploadReleaseKey, uploadUsageKey } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { UploadLock, UploadMeta, UploadRecord } from './types.ts';

export class MemoryUploadMeta implements UploadMeta {
  readonly #records = new Map<string, { record: UploadRecord; expires: number }>();
  readonly #usage = new Map<string, Map<string, number>>();
  /** Held locks: how to ask the holder to let go, and when it did. */
  readonly #locks = new Map<string, { asked: AbortController; released: Promise<void> }>();

  async create(record: UploadRecord, ttlSeconds: number): Promise<boolean> {
    const key = uploadKey(record.tenant, record.id);
    if (this.#live(key) !== undefined) return false;
    this.#records.set(key, { record, expires: Date.now() + ttlSeconds * 1000 });
    return true;
  }

  async get(tenant: string, id: string): Promise<UploadRecord | undefined> {
    return this.#live(uploadKey(tenant, id));
  }

  async update(tenant: string, id: string, change: { offset: number; detected?: string }, ttlSeconds: number): Promise<void> {
    const key = uploadKey(tenant, id);
    const record = this.#live(key);
    if (record === undefined) return;
    const updated = { ...record, offset: change.offset, detected: change.detected ?? record.detected, updated: Date.now() };
    this.#records.set(key, { record: updated, expires: Date.now() + ttlSeconds * 1000 });
  }

  async delete(tenant: string, id: string): Promise<void> {
    this.#records.delete(uploadKey(tenant, id));
    this.#usage.get(tenant)?.delete(id);
  }

  async reserve(tenant: string, id: string, size: number, quota: number): Promise<boolean> {
    const sizes = this.#usage.get(tenant) ?? new Map<string, number>();
    for (const held of sizes.keys()) if (this.#live(uploadKey(tenant, held)) === undefined && held !== id) sizes.delete(held);
    let used = 0;
    for (const [held, bytes] of sizes) if (held !== id) used += bytes;
    if (used + size > quota) return false;
    sizes.set(id, size);
    this.#usage.set(tenant, sizes);
    return true;
  }

  async usage(tenant: string): Promise<number> {
    let used = 0;
    for (const [held, bytes] of this.#usage.get(tenant) ?? []) if (this.#live(uploadKey(tenant, held)) !== undefined) used += bytes;
    return used;
  }

  async lock(tenant: string, id: string, _ms: number, waitMs: number): Promise<UploadLock | undefined> {
    const key = uploadLockKey(tenant, id);
    const deadline = Date.now() + waitMs;
    // Ask whoever holds it; when it lets go the first to see the lock free takes it.
    for (let held = this.#locks.get(key); held !== undefined; held = this.#locks.get(key)) {
      held.asked.abort();
      if (!(await settles(held.released, deadline - Date.now()))) return undefined;
    }
    let released!: () => void;
    const entry = { asked: new AbortController(), released: new Promise<void>((resolve) => (released = resolve)) };
    this.#locks.set(key, entry);
    return {
      signal: entry.asked.signal,
      release: async () => {
        if (this.#locks.get(key) === entry) this.#locks.delete(key);
        released();
      },
    };
  }

  async close(): Promise<void> {}

  #live(key: string): UploadRecord | undefined {
    const entry = this.#records.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires > Date.now()) return entry.record;
    this.#records.delete(key);
    return undefined;
  }
}

/**
 * Reserve quota atomically: drop sizes of uploads whose record expired, sum the rest, and add
 * this one if it fits. KEYS: usage hash, the upload's record key (its prefix names the others,
 * all in one hash slot). ARGV: id, size, quota, record-key prefix.
 */
const RESERVE = `
local usage = KEYS[1]
local held = redis.call('HGETALL', usage)
local used = 0
for i = 1, #held, 2 do
  local id = held[i]
  if id ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[4] .. id) == 0 then
      redis.call('HDEL', usage, id)
    else
      used = used + tonumber(held[i + 1])
    end
  end
end
if used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', usage, ARGV[1], ARGV[2])
return 1
`;

/**
 * Take a lock (and clear any request to release it), or else ask its holder to let go.
 * KEYS: lock, release request. ARGV: holder, lock ms, how long the request stands (ms).
 */
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 0
`;
/**
 * The holder's heartbeat: 1 renewed, 2 another request asked for the lock, 0 it is no longer
 * ours (it expired and may have been taken). KEYS: lock, release request. ARGV: holder, lock ms.
 */
const HEARTBEAT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;
/** Release a lock only if it is still ours. */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** How often a holder checks for release requests (and renews), and a waiter tries again. */
const HEARTBEAT_MS = 200;
const RETRY_MS = 50;
/** A release request stands this long unless its waiter repeats it (it does, every RETRY_MS). */
const ASK_MS = 1000;

export class RedisUploadMeta implements UploadMeta {
  readonly #redis: Redis | Cluster;
  readonly #prefix: string;

  /** `prefix`: the deployment's namespace (`redisPrefix`), default `lv`. */
  constructor(redis: Redis | Cluster, prefix = DEFAULT_REDIS_PREFIX) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The keys of server/keys.ts, in the deployment's namespace. */
  #key(tenant: string, id: string): string {
    return inNamespace(this.#prefix, uploadKey(tenant, id));
  }

  #usageKey(tenant: string): string {
    return inNamespace(this.#prefix, uploadUsageKey(tenant));
  }

  async create(record: UploadRecord, ttlSeconds: number): Promise<boolean> {
    const key = this.#key(record.tenant, record.id);
    const fields = {
      id: record.id, tenant: record.tenant, session: record.session, view: record.view, field: record.field, name: record.name,
      type: record.type, size: String(record.size), accept: JSON.stringify(record.accept), offset: String(record.offset),
      detected: record.detected, created: String(record.created), updated: String(record.updated),
    };
    // HSETNX on the id field makes creation exclusive; the rest follows in the same transaction.
    const [[, created]] = (await redisCall(this.#redis.multi().hsetnx(key, 'id', record.id).exec(), `HSETNX ${key}`)) as [[unknown, number]];
    if (created !== 1) return false;
    await redisCall(this.#redis.multi().hset(key, fields).expire(key, ttlSeconds).exec(), `HSET ${key}`);
    return true;
  }

  async get(tenant: string, id: string): Promise<UploadRecord | undefined> {
    const key = this.#key(tenant, id);
    const h = await redisCall(this.#redis.hgetall(key), `HGETALL ${key}`);
    // A record is whole once `size` is there (create writes it right after claiming the id).
    if (h.size === undefined || h.tenant !== tenant) return undefined;
    return {
      id: h.id, tenant: h.tenant, session: h.session, view: h.view, field: h.field, name: h.name, type: h.type,
      size: Number(h.size), accept: JSON.parse(h.accept) as string[], offset: Number(h.offset), detected: h.detected ?? '',
      created: Number(h.created), updated: Number(h.updated),
    };
  }

  async update(tenant: string, id: string, change: { offset: number; detected?: string }, ttlSeconds: number): Promise<void> {
    const key = this.#key(tenant, id);
    const fields: Record<string, string> = { offset: String(change.offset), updated: String(Date.now()) };
    if (change.detected !== undefined) fields.detected = change.detected;
    // Only an existing record is updated: a deleted (cancelled) upload must not come back.
    const exists = await redisCall(this.#redis.exists(key), `EXISTS ${key}`);
    if (exists === 0) return;
    await redisCall(this.#redis.multi().hset(key, fields).expire(key, ttlSeconds).exec(), `HSET ${key}`);
  }

  async delete(tenant: string, id: string): Promise<void> {
    await redisCall(this.#redis.multi().del(this.#key(tenant, id)).hdel(this.#usageKey(tenant), id).exec(), `DEL upload ${id}`);
  }

  async reserve(tenant: string, id: string, size: number, quota: number): Promise<boolean> {
    const recordPrefix = this.#key(tenant, '');
    const ok = await redisCall(this.#redis.eval(RESERVE, 2, this.#usageKey(tenant), this.#key(tenant, id), id, String(size), String(quota), recordPrefix), `EVAL reserve ${tenant}`);
    return ok === 1;
  }

  async usage(tenant: string): Promise<number> {
    const held = await redisCall(this.#redis.hvals(this.#usageKey(tenant)), `HVALS ${tenant}`);
    return held.reduce((sum, bytes) => sum + Number(bytes), 0);
  }

  async lock(tenant: string, id: string, ms: number, waitMs: number): Promise<UploadLock | undefined> {
    const key = inNamespace(this.#prefix, uploadLockKey(tenant, id));
    const request = inNamespace(this.#prefix, uploadReleaseKey(tenant, id));
    const holder = randomBytes(9).toString('base64url');
    const deadline = Date.now() + waitMs;
    while ((await redisCall(this.#redis.eval(ACQUIRE, 2, key, request, holder, String(ms), String(ASK_MS)), `EVAL lock ${key}`)) !== 1) {
      if (Date.now() >= deadline) return undefined;
      await sleep(RETRY_MS);
    }
    const asked = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The heartbeat renews the lock while this process lives (a crashed one's expires after
    // `ms`) and stops the write when asked, or when it cannot be sure the lock is still ours.
    const beat = async () => {
      const state = await redisCall(this.#redis.eval(HEARTBEAT, 2, key, request, holder, String(ms)), `EVAL heartbeat ${key}`).catch(() => 0);
      if (state !== 1) asked.abort();
      else if (timer !== undefined) timer = setTimeout(beat, HEARTBEAT_MS).unref();
    };
    timer = setTimeout(beat, HEARTBEAT_MS).unref();
    return {
      signal: asked.signal,
      release: async () => {
        clearTimeout(timer);
        timer = undefined;
        await redisCall(this.#redis.eval(UNLOCK, 1, key, holder), `EVAL unlock ${key}`);
      },
    };
  }

  /** The connection belongs to whoever created it. */
  async close(): Promise<void> {}
}

/** True if `promise` settles within `ms`. */
async function settles(promise: Promise<void>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  const timeout = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: timeout.signal })]);
  } finally {
    timeout.abort();
  }
}
