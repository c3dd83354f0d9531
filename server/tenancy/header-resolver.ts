import { claimOf } from './slug.ts';
import type { TenantResolver } from './types.ts';

export interface HeaderResolverOptions {
  /** Header name, any case (default `X-Tenant-ID`). */
  readonly header?: string;
  /**
   * The header is set by a proxy you control (and stripped from client requests): the claim
   * then needs no membership check. Otherwise any client can send any value.
   */
  readonly trustedHeader?: boolean;
}

export const DEFAULT_TENANT_HEADER = 'X-Tenant-ID';

/**
 * `X-Tenant-ID: acme` → `acme`. The value is taken as sent: not trimmed, not lower-cased, so
 * `ACME` or `acme ` is not a tenant.
 */
export function createHeaderResolver(options: HeaderResolverOptions = {}): TenantResolver {
  const name = (options.header ?? DEFAULT_TENANT_HEADER).toLowerCase();
  const needsMembership = options.trustedHeader !== true;
  return (request) => claimOf(request.header(name), 'header', needsMembership);
}
