/**
 * Per-tenant quotas (D41): live sockets, events per second and bytes of view state, each with a
 * default (`tenancy.quotas`) that a tenant's own `settings.quotas` overrides — so an operator
 * raises one customer's limits with `updateTenantSettings(db, 'acme', { quotas: { sockets: 50_000 } })`,
 * which every process hears at once (tenancy/watch.ts).
 *
 * Counted per process, like the other admission caps (D32): a tenant served by N processes may
 * reach N× its quota in all. Checking a shared counter in Redis would put a round trip on every
 * event; the per-process count costs a map lookup. Over a quota the client gets
 * LV_TENANT_QUOTA_EXCEEDED naming which quota — an error frame for an event, close 4429 for a
 * socket — and the operator a log line (at most one per tenant and quota a minute, with the
 * count of refusals since: a tenant far over its event rate must not flood the log).
 *
 * Uploads will be the fourth quota when Livery handles uploads; nothing else is planned here.
 */
import { LRUCache } from 'lru-cache';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { TenantQuotaOptions } from '../tenancy/options.ts';
import { SocketCounts } from './socket-counts.ts';

export type QuotaName = keyof TenantQuotaOptions;

/** How each quota is named to clients and in logs. */
export const QUOTA_LABELS: Readonly<Record<QuotaName, string>> = {
  sockets: 'live sockets',
  eventsPerSecond: 'events per second',
  stateBytes: 'state bytes',
};

/** Tenants whose limits are remembered (those seen lately); a forgotten one is re-read from its info. */
const TENANTS_TRACKED = 10_000;
const LOG_EVERY_MS = 60_000;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

interface Logger {
  warn(object: object, message: string): void;
}

export class TenantQuotas {
  readonly #defaults: Readonly<TenantQuotaOptions> | undefined;
  readonly #log: Logger;
  readonly #limits = new LRUCache<string, TenantQuotaOptions>({ max: TENANTS_TRACKED });
  readonly #parsed = new WeakMap<TenantInfo, TenantQuotaOptions>();
  readonly #sockets = new SocketCounts();
  /** Event buckets of tenants with live sockets here (dropped with their last socket). */
  readonly #buckets = new Map<string, Bucket>();
  readonly #logged = new LRUCache<string, { at: number; refused: number }>({ max: TENANTS_TRACKED });

  /** `defaults` undefined: tenancy is off, the one implicit tenant is the whole app, no quotas. */
  constructor(defaults: Readonly<TenantQuotaOptions> | undefined, log: Logger) {
    this.#defaults = defaults;
    this.#log = log;
  }

  /**
   * The tenant's limits from its info (its settings over the defaults), remembered for the
   * lookups that have only its id (`stateBytes`). Called whenever a tenant's info passes by: a
   * page render, a socket's tenant, a change heard from the database.
   */
  note(tenant: TenantInfo): TenantQuotaOptions | undefined {
    if (this.#defaults === undefined) return undefined;
    // A tenant's info is replaced, never changed, when its row changes: parse (and warn) once per info.
    let limits = this.#parsed.get(tenant);
    if (limits === undefined) this.#parsed.set(tenant, (limits = this.#parse(tenant, this.#defaults)));
    this.#limits.set(tenant.id, limits);
    return limits;
  }

  #parse(tenant: TenantInfo, defaults: Readonly<TenantQuotaOptions>): TenantQuotaOptions {
    const limits = { ...defaults };
    const own = tenant.settings.quotas;
    if (own === undefined || own === null || typeof own !== 'object') return limits;
    for (const name of Object.keys(QUOTA_LABELS) as QuotaName[]) {
      const value = (own as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= (name === 'stateBytes' ? 0 : 1)) limits[name] = value;
      else this.#log.warn({ tenant: tenant.id, quota: name }, `settings.quotas.${name} of this tenant is not a whole number in range; the default applies`);
    }
    return limits;
  }

  /** The tenant is gone: forget its limits (its sockets are being closed). */
  forget(id: string): void {
    this.#limits.delete(id);
  }

  /** Counts one more live socket for the tenant, unless it has its quota already. */
  tryAddSocket(tenant: TenantInfo): boolean {
    const limits = this.#limitsOf(tenant);
    if (limits === undefined) return true;
    if (this.#sockets.tryAdd(tenant.id, limits.sockets)) return true;
    this.#refused(tenant.id, 'sockets');
    return false;
  }

  /** One of the tenant's sockets (counted by `tryAddSocket`) closed. */
  removeSocket(id: string): void {
    if (this.#defaults === undefined) return;
    this.#sockets.remove(id);
    if (this.#sockets.count(id) === 0) this.#buckets.delete(id);
  }

  /**
   * One event of the tenant's: a token bucket holding one second's worth, refilled at the rate.
   * False (and counted for the log) when the tenant is over it.
   */
  allowEvent(tenant: TenantInfo): boolean {
    const limits = this.#limitsOf(tenant);
    if (limits === undefined) return true;
    const rate = limits.eventsPerSecond;
    const now = performance.now();
    let bucket = this.#buckets.get(tenant.id);
    if (bucket === undefined) this.#buckets.set(tenant.id, (bucket = { tokens: rate, refilledAt: now }));
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.refilledAt) * rate) / 1000);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    this.#refused(tenant.id, 'eventsPerSecond');
    return false;
  }

  /**
   * The tenant's state quota in bytes, for the state backend (0: none of its own). A tenant not
   * seen lately has the default: its next page render or socket notes its own.
   */
  stateBytes = (tenantId: string): number => {
    if (this.#defaults === undefined) return 0;
    return (this.#limits.get(tenantId) ?? this.#defaults).stateBytes;
  };

  /** Live sockets counted for the tenant on this process. */
  sockets(id: string): number {
    return this.#sockets.count(id);
  }

  #limitsOf(tenant: TenantInfo): TenantQuotaOptions | undefined {
    return this.#limits.get(tenant.id) ?? this.note(tenant);
  }

  /** A refusal for the log: one line per tenant and quota a minute, with how many since the last. */
  #refused(tenant: string, quota: QuotaName): void {
    const key = `${tenant}\u0000${quota}`;
    const now = performance.now();
    const entry = this.#logged.get(key);
    if (entry !== undefined && now - entry.at < LOG_EVERY_MS) {
      entry.refused++;
      return;
    }
    const limit = this.#limits.get(tenant)?.[quota];
    this.#log.warn({ tenant, quota, limit, refusedSinceLastLine: (entry?.refused ?? 0) + 1, code: 'LV_TENANT_QUOTA_EXCEEDED' }, `tenant over its ${QUOTA_LABELS[quota]} quota`);
    this.#logged.set(key, { at: now, refused: 0 });
  }

  /** A state refused or evicted by the state backend for this tenant's quota: for the log. */
  stateRefused(tenant: string): void {
    this.#refused(tenant, 'stateBytes');
  }
}
