/**
 * The tenant directory: who a tenant id is (name, branding, status) and who belongs to it,
 * cached in-process (LRU with TTL) so resolving a tenant costs a database round trip only on a
 * cache miss — at most once per socket join, never per event or tick.
 *
 * Unknown ids cost more care: a storm of requests for random subdomains names a new id each
 * time, so caching misses alone does not stop it turning into a storm of queries. Three things do
 * (issue 10, finding 12): misses are remembered in a cache of their own (bounded, short TTL) so
 * they never evict known tenants; concurrent lookups of one id share one query; and each client
 * address may cause only a few lookups that find nothing — a token bucket per address, spent when
 * a lookup comes back empty. A client past its budget gets LV_TENANT_LOOKUPS_LIMITED (429) for
 * ids not already cached; known tenants in the cache are served to it as always.
 */
import { LRUCache } from 'lru-cache';
import { LiveryError, type ErrorCode } from '../errors.ts';

/** What views (`this.tenant`) and templates (`{{ tenant.name }}`) see of the tenant. */
export interface TenantInfo {
  readonly id: string;
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly status: 'active' | 'suspended';
  readonly onTrial: boolean;
  /** ISO date (YYYY-MM-DD) the tenant has paid until, or null (no end). */
  readonly paidUntil: string | null;
}

/** Where the directory reads from (the data layer's `systemData(db)` fits). */
export interface TenantSource {
  tenant(id: string): Promise<TenantRow | null>;
  isMember(userId: string, tenantId: string): Promise<boolean>;
}

export interface TenantRow {
  id: string;
  name: string;
  settings?: Record<string, unknown> | null;
  status: string;
  onTrial: boolean;
  paidUntil?: Date | string | null;
}

export interface DirectoryOptions {
  ttlSeconds: number;
  maxEntries: number;
}

/** Unknown ids are remembered for a shorter time, so a newly created tenant appears quickly. */
const NEGATIVE_TTL_MS = 5_000;
const NEGATIVE_MAX_ENTRIES = 10_000;
/** Lookups finding nothing that one client address may cause at once, and refilled per second. */
export const UNKNOWN_LOOKUP_BURST = 20;
export const UNKNOWN_LOOKUPS_PER_SECOND = 1;
/** Client addresses whose budget is tracked; the least recently seen is forgotten (a full budget). */
const CLIENTS_TRACKED = 10_000;

interface Budget {
  tokens: number;
  refilledAt: number;
}

export class TenantDirectory {
  readonly #source: TenantSource;
  readonly #tenants: LRUCache<string, TenantInfo>;
  readonly #unknown = new LRUCache<string, true>({ max: NEGATIVE_MAX_ENTRIES, ttl: NEGATIVE_TTL_MS });
  readonly #pending = new Map<string, Promise<TenantInfo | null>>();
  readonly #budgets = new LRUCache<string, Budget>({ max: CLIENTS_TRACKED });
  readonly #members: LRUCache<string, boolean>;
  /** Source lookups, for tests and health output (cache hits cost nothing). */
  lookups = 0;

  constructor(source: TenantSource, options: DirectoryOptions) {
    this.#source = source;
    this.#tenants = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
    this.#members = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
  }

  /**
   * The tenant, or null when no tenant has that id. `client` (the request's address) is charged
   * when a lookup finds nothing; without one (a signed join token's tenant, startup checks) the
   * lookup is not limited.
   */
  async lookup(id: string, client?: string): Promise<TenantInfo | null> {
    const cached = this.#tenants.get(id);
    if (cached !== undefined) return cached;
    if (this.#unknown.has(id)) return null;
    const budget = client === undefined ? undefined : this.#budgetOf(client);
    if (budget !== undefined && budget.tokens < 1) throw new LiveryError('LV_TENANT_LOOKUPS_LIMITED');
    // Reserve before the query (concurrent requests from one address cannot overdraw), refund on a hit.
    if (budget !== undefined) budget.tokens -= 1;
    const found = await this.#query(id);
    if (budget !== undefined && found !== null) budget.tokens = Math.min(UNKNOWN_LOOKUP_BURST, budget.tokens + 1);
    return found;
  }

  #query(id: string): Promise<TenantInfo | null> {
    let pending = this.#pending.get(id);
    if (pending === undefined) {
      this.lookups++;
      const query: Promise<TenantInfo | null> = this.#source.tenant(id).then((row) => {
        // A change heard while this query ran (invalidate/store) supersedes what it read.
        const current = this.#pending.get(id) === query;
        if (row === null) {
          if (current) this.#unknown.set(id, true);
          return null;
        }
        const info = toInfo(row);
        if (current) this.#tenants.set(id, info);
        return info;
      }).finally(() => {
        if (this.#pending.get(id) === query) this.#pending.delete(id);
      });
      this.#pending.set(id, (pending = query));
    }
    return pending;
  }

  #budgetOf(client: string): Budget {
    const now = performance.now();
    let budget = this.#budgets.get(client);
    if (budget === undefined) {
      budget = { tokens: UNKNOWN_LOOKUP_BURST, refilledAt: now };
      this.#budgets.set(client, budget);
    }
    budget.tokens = Math.min(UNKNOWN_LOOKUP_BURST, budget.tokens + ((now - budget.refilledAt) * UNKNOWN_LOOKUPS_PER_SECOND) / 1000);
    budget.refilledAt = now;
    return budget;
  }

  async isMember(userId: string, tenantId: string): Promise<boolean> {
    const key = `${tenantId}\u0000${userId}`;
    const cached = this.#members.get(key);
    if (cached !== undefined) return cached;
    this.lookups++;
    const member = await this.#source.isMember(userId, tenantId);
    this.#members.set(key, member);
    return member;
  }

  /** Forget a tenant (after an admin creates or changes it), so the next lookup reads it afresh. */
  invalidate(id: string): void {
    this.#tenants.delete(id);
    this.#unknown.delete(id);
    this.#pending.delete(id);
  }

  /**
   * A row just read by the tenant watch (tenancy/watch.ts): cached as the tenant's current
   * info (null: the tenant is gone), so the next page or socket is admitted by it at once.
   * Returns the info.
   */
  store(id: string, row: TenantRow | null): TenantInfo | null {
    this.#pending.delete(id);
    if (row === null) {
      this.#tenants.delete(id);
      this.#unknown.set(id, true);
      return null;
    }
    const info = toInfo(row);
    // Unchanged: keep the entry as it is, so a recheck does not keep it cached forever.
    const cached = this.#tenants.peek(id);
    if (cached !== undefined && sameInfo(cached, info)) return cached;
    this.#tenants.set(id, info);
    this.#unknown.delete(id);
    return info;
  }

  /** The ids of the tenants cached now (what the recheck re-reads). */
  cachedIds(): string[] {
    return [...this.#tenants.keys()];
  }
}

/** Whether a tenant may be served: null, or the error that refuses it. */
export function admission(tenant: TenantInfo, today = new Date().toISOString().slice(0, 10)): ErrorCode | null {
  if (tenant.status !== 'active') return 'LV_TENANT_SUSPENDED';
  if (tenant.paidUntil !== null && tenant.paidUntil < today) return 'LV_TENANT_PAYMENT_REQUIRED';
  return null;
}

function sameInfo(a: TenantInfo, b: TenantInfo): boolean {
  return a.name === b.name && a.status === b.status && a.onTrial === b.onTrial && a.paidUntil === b.paidUntil
    && JSON.stringify(a.settings) === JSON.stringify(b.settings);
}

function toInfo(row: TenantRow): TenantInfo {
  const paid = row.paidUntil instanceof Date ? row.paidUntil.toISOString().slice(0, 10) : row.paidUntil ?? null;
  return Object.freeze({
    id: row.id,
    name: row.name,
    settings: Object.freeze({ ...(row.settings ?? {}) }),
    status: row.status === 'active' ? 'active' : 'suspended',
    onTrial: row.onTrial,
    paidUntil: paid,
  });
}

/** The tenant of an app that does not use tenancy: one implicit tenant, no database. */
export const SINGLE_TENANT: TenantInfo = Object.freeze({
  id: 'public',
  name: 'public',
  settings: Object.freeze({}),
  status: 'active',
  onTrial: false,
  paidUntil: null,
});
