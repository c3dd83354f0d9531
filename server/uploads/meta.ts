/**
 * Upload records (UploadMeta): in this process's memory, or in Redis so that any process can
 * continue an upload another one started. Keys come from `server/keys.ts`, each inside the
 * tenant's `{tenant}` hash tag: a record is found only under the tenant that created it.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, inNamespace, uploadKey, uploadLockKey, uploadUsageKey } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { UploadLock, UploadMeta, UploadRecord } from './types.ts';

export class MemoryUploadMeta implements UploadMeta {
  readonly #records = new Map<string, { record: UploadRecord; expires: number }>();
  readonly #usage = new Map<string, Map<string, number>>();
  readonly #locks = new Set<string>();

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

  async lock(tenant: string, id: string): Promise<UploadLock | undefined> {
    const key = uploadLockKey(tenant, id);
    if (this.#locks.has(key)) return undefined;
    this.#locks.add(key);
    return { renew: async () => {}, release: async () => void this.#locks.delete(key) };
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

/** Release or renew a lock only if it is still ours (it may have expired and been taken). */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

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

  async lock(tenant: string, id: string, ms: number): Promise<UploadLock | undefined> {
    const key = inNamespace(this.#prefix, uploadLockKey(tenant, id));
    const holder = randomBytes(9).toString('base64url');
    const ok = await redisCall(this.#redis.set(key, holder, 'PX', ms, 'NX'), `SET ${key} NX`);
    if (ok !== 'OK') return undefined;
    return {
      renew: async () => void (await redisCall(this.#redis.eval(RENEW, 1, key, holder, String(ms)), `EVAL renew ${key}`)),
      release: async () => void (await redisCall(this.#redis.eval(UNLOCK, 1, key, holder), `EVAL unlock ${key}`)),
    };
  }

  /** The connection belongs to whoever created it. */
  async close(): Promise<void> {}
}
