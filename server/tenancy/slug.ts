/**
 * Tenant ids are slugs, whatever the source: the same rule as the `tenants_id_slug` check in
 * the database, so a claim like `../etc`, `ACME ` or a 1 kB header never reaches a lookup, a
 * cache key or a state key as-is.
 */
import type { ClaimSource, TenantClaim } from './types.ts';

export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isTenantSlug(value: unknown): value is string {
  return typeof value === 'string' && TENANT_SLUG.test(value);
}

/** A claim for `value` if it is a valid slug, else null. */
export function claimOf(value: unknown, source: ClaimSource, needsMembership: boolean, userId?: string): TenantClaim | null {
  if (!isTenantSlug(value)) return null;
  return userId === undefined ? { tenantId: value, source, needsMembership } : { tenantId: value, source, needsMembership, userId };
}
