/**
 * The tenant directory: who a tenant id is (name, branding, status) and who belongs to it,
 * cached in-process (LRU with TTL) so resolving a tenant costs a database round trip only on a
 * cache miss — at most once per socket join, never per event or tick.
 *
 * Unknown ids are cached too (briefly): a storm of requests for random subdomains must not turn
 * into a storm of queries.
 */
import { LRUCache } from 'lru-cache';
import type { ErrorCode } from '../errors.ts';

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

const MISSING = Symbol('missing');
/** Unknown ids are remembered for a shorter time, so a newly created tenant appears quickly. */
const NEGATIVE_TTL_MS = 5_000;

export class TenantDirectory {
  readonly #source: TenantSource;
  readonly #tenants: LRUCache<string, TenantInfo | typeof MISSING>;
  readonly #members: LRUCache<string, boolean>;
  /** Source lookups, for tests and health output (cache hits cost nothing). */
  lookups = 0;

  constructor(source: TenantSource, options: DirectoryOptions) {
    this.#source = source;
    this.#tenants = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
    this.#members = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
  }

  async lookup(id: string): Promise<TenantInfo | null> {
    const cached = this.#tenants.get(id);
    if (cached !== undefined) return cached === MISSING ? null : cached;
    this.lookups++;
    const row = await this.#source.tenant(id);
    if (row === null) {
      this.#tenants.set(id, MISSING, { ttl: NEGATIVE_TTL_MS });
      return null;
    }
    const info = toInfo(row);
    this.#tenants.set(id, info);
    return info;
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

  /** Forget a tenant (after an admin changes it), so the next lookup reads it afresh. */
  invalidate(id: string): void {
    this.#tenants.delete(id);
  }
}

/** Whether a tenant may be served: null, or the error that refuses it. */
export function admission(tenant: TenantInfo, today = new Date().toISOString().slice(0, 10)): ErrorCode | null {
  if (tenant.status !== 'active') return 'LV_TENANT_SUSPENDED';
  if (tenant.paidUntil !== null && tenant.paidUntil < today) return 'LV_TENANT_PAYMENT_REQUIRED';
  return null;
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
