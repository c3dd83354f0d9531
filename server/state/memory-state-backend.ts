import { LRUCache } from 'lru-cache';
import type { StateBackend, StateClaim } from './index.ts';
import { stateKeyTenant } from '../keys.ts';
import { LiveryError } from '../errors.ts';

export interface MemoryStateOptions {
  /** Seconds an entry lives after its last read or write (unless its `set` names a shorter TTL). */
  ttlSeconds: number;
  /** Upper bound on entries, across all tenants. */
  maxEntries: number;
  /** Upper bound on the memory the entries take, across all tenants (counted by {@link memoryStateSize}). */
  maxMemoryBytes?: number;
  /**
   * A tenant's own byte budget (its `stateBytes` quota, D41); 0 or absent: none, only the shared
   * bound. Over it the tenant's own least recently used states are evicted; a single state larger
   * than the whole budget is refused with LV_TENANT_QUOTA_EXCEEDED.
   */
  tenantMaxBytes?: (tenant: string) => number;
  /** Told when a tenant's budget evicted or refused a state (for the log). */
  onTenantOverBudget?: (tenant: string) => void;
}

/** What the entries may take when no bound is given (the `state.maxMemoryBytes` default). */
export const DEFAULT_STATE_MAX_MEMORY = 256 * 1024 * 1024;

/**
 * The bytes one entry is counted as: its key and value at two bytes per character (V8 keeps a
 * string in one or two bytes per character; counting two never undercounts), plus the cache's
 * own bookkeeping for the entry. An estimate that errs high, so the bound is a real one.
 */
export function memoryStateSize(key: string, value: string): number {
  return 2 * (key.length + value.length) + ENTRY_OVERHEAD;
}

const ENTRY_OVERHEAD = 128;
/** How often expired entries are swept (they are invisible at once, but take memory until then). */
const PURGE_INTERVAL_MS = 30_000;

/**
 * The default backend: process-local, bounded by entry count, by bytes and by TTL, so neither a
 * long-running process nor a flood of page loads grows it without limit. Hence not write-through.
 *
 * Tenants do not compete on equal terms with one LRU list: each tenant has its own, and when the
 * process's bound is reached the entry evicted is the least recently used one **of the tenant
 * holding the most** (bytes, or entries when the entry count is what overflows). One tenant's
 * traffic therefore evicts its own state first; a tenant holding no more than its fair share
 * (the bound ÷ the tenants with state) is never evicted by anyone else's traffic (D30).
 */
export class MemoryStateBackend implements StateBackend {
  readonly name = 'memory';
  readonly writeThrough = false;
  readonly #tenants = new Map<string, LRUCache<string, string>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  /** The sum of every tenant's `calculatedSize` and `size`, kept by {@link #within}. */
  #bytes = 0;
  #entries = 0;
  readonly #purge: NodeJS.Timeout;
  readonly #tenantMaxBytes: ((tenant: string) => number) | undefined;
  readonly #onTenantOverBudget: ((tenant: string) => void) | undefined;

  constructor(options: MemoryStateOptions) {
    this.#tenantMaxBytes = options.tenantMaxBytes;
    this.#onTenantOverBudget = options.onTenantOverBudget;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxMemoryBytes ?? DEFAULT_STATE_MAX_MEMORY;
    this.#purge = setInterval(() => this.purgeStale(), PURGE_INTERVAL_MS).unref();
  }

  async get(key: string): Promise<string | null> {
    const tenant = stateKeyTenant(key);
    const cache = this.#tenants.get(tenant);
    if (cache === undefined) return null;
    // A read may drop the entry it finds expired: count that too.
    return this.#within(tenant, cache, () => cache.get(key)) ?? null;
  }

  /**
   * Stores a value; `ttlSeconds` shortens its life (a first paint's state until its join). A
   * tenant's `budget` is not enforced here: this backend is bounded by `state.maxMemoryBytes`,
   * shared fairly between tenants (D30).
   */
  async set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void> {
    this.#store(key, value, options?.ttlSeconds);
  }

  /**
   * A join takes the state: the copy here is dropped while the view is live (it is written back
   * when the socket closes), so an idle session holds its state once, not twice. One process,
   * and its runtime keeps one live copy per instance: no owner token to check (D35).
   */
  async claim(key: string): Promise<StateClaim> {
    const value = await this.get(key);
    if (value !== null) await this.delete(key);
    return { value, owner: '', previous: null };
  }

  async save(key: string, value: string): Promise<boolean> {
    this.#store(key, value, undefined);
    return true;
  }

  /** Live states are not held here (see `claim`), and one process owns them all. */
  async keep(): Promise<'kept'> {
    return 'kept';
  }

  #store(key: string, value: string, ttlSeconds: number | undefined): void {
    const tenant = stateKeyTenant(key);
    const budget = this.#tenantMaxBytes?.(tenant) ?? 0;
    if (budget > 0 && memoryStateSize(key, value) > budget) {
      this.#onTenantOverBudget?.(tenant);
      throw new LiveryError('LV_TENANT_QUOTA_EXCEEDED', 'state bytes');
    }
    const cache = this.#cacheOf(tenant);
    this.#within(tenant, cache, () => cache.set(key, value, ttlSeconds === undefined ? undefined : { ttl: ttlSeconds * 1000 }));
    if (budget > 0 && cache.calculatedSize > budget) {
      // Over its own budget, a tenant loses its own least recently used states — nobody else's.
      this.#onTenantOverBudget?.(tenant);
      while (cache.calculatedSize > budget) this.#within(tenant, cache, () => cache.pop());
    }
    this.#evict();
  }

  async delete(key: string): Promise<void> {
    const tenant = stateKeyTenant(key);
    const cache = this.#tenants.get(tenant);
    if (cache !== undefined) this.#within(tenant, cache, () => cache.delete(key));
  }

  #cacheOf(tenant: string): LRUCache<string, string> {
    let cache = this.#tenants.get(tenant);
    if (cache === undefined) {
      cache = new LRUCache<string, string>({
        // No `max`: lru-cache would preallocate arrays of that length for every tenant.
        maxSize: this.#maxBytes,
        sizeCalculation: (value, key) => memoryStateSize(key, value),
        ttl: this.#ttlMs,
        updateAgeOnGet: true,
        ttlAutopurge: false,
      });
      this.#tenants.set(tenant, cache);
    }
    return cache;
  }

  /** Entries held, across tenants (expired ones not yet swept included). */
  get size(): number {
    return this.#entries;
  }

  /** The bytes the entries are counted as (see {@link memoryStateSize}). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries and bytes one tenant holds. */
  usage(tenant: string): { entries: number; bytes: number } {
    const cache = this.#tenants.get(tenant);
    return { entries: cache?.size ?? 0, bytes: cache?.calculatedSize ?? 0 };
  }

  /** Drops expired entries now (also done every 30 s). */
  purgeStale(): void {
    for (const [tenant, cache] of [...this.#tenants]) this.#within(tenant, cache, () => cache.purgeStale());
  }

  /**
   * Runs one operation on a tenant's cache and keeps the process-wide totals in step with it;
   * a tenant left without entries is forgotten, so the map holds only tenants with state.
   */
  #within<T>(tenant: string, cache: LRUCache<string, string>, operation: () => T): T {
    const bytes = cache.calculatedSize;
    const entries = cache.size;
    try {
      return operation();
    } finally {
      this.#bytes += cache.calculatedSize - bytes;
      this.#entries += cache.size - entries;
      if (cache.size === 0) this.#tenants.delete(tenant);
    }
  }

  /** Over a bound: evict least recently used entries of the tenant holding the most, until within. */
  #evict(): void {
    while (this.#bytes > this.#maxBytes || this.#entries > this.#maxEntries) {
      const byBytes = this.#bytes > this.#maxBytes;
      let largest: [string, LRUCache<string, string>] | undefined;
      for (const entry of this.#tenants) {
        const [, cache] = entry;
        if (largest === undefined || (byBytes ? cache.calculatedSize > largest[1].calculatedSize : cache.size > largest[1].size)) largest = entry;
      }
      if (largest === undefined) return;
      const [tenant, victim] = largest;
      this.#within(tenant, victim, () => victim.pop());
    }
  }

  /**
   * Every entry with its remaining lifetime, for the dev loop's hand-over to the next process
   * (`server/dev/snapshot.ts`); `load` takes it back.
   */
  dump(): Array<[string, LRUCache.Entry<string>]> {
    return [...this.#tenants.values()].flatMap((cache) => cache.dump());
  }

  load(entries: Array<[string, LRUCache.Entry<string>]>): void {
    const byTenant = new Map<string, Array<[string, LRUCache.Entry<string>]>>();
    for (const item of entries) {
      const tenant = stateKeyTenant(item[0]);
      let list = byTenant.get(tenant);
      if (list === undefined) byTenant.set(tenant, (list = []));
      list.push(item);
    }
    for (const [tenant, list] of byTenant) {
      const cache = this.#cacheOf(tenant);
      // lru-cache's own load keeps each entry's remaining lifetime.
      this.#within(tenant, cache, () => cache.load(list));
    }
    this.#evict();
  }

  async close(): Promise<void> {
    clearInterval(this.#purge);
    for (const cache of this.#tenants.values()) cache.clear();
    this.#tenants.clear();
    this.#bytes = 0;
    this.#entries = 0;
  }
}
