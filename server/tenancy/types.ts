/**
 * What a resolver sees and what it returns. A resolver only names a tenant (a claim); it never
 * touches the database. The runtime looks the tenant up and checks membership afterwards, once
 * per socket and once per page request — never per event.
 */

/** One request, as the runtime sees it: built from a Fastify request or a uWS upgrade request. */
export interface RequestInfo {
  /** Host header as sent (may include `:port`). */
  readonly host: string;
  /** URL path without the query (`/live` for the socket). */
  readonly path: string;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
  /** The client's address (Fastify's `request.ip`, uWS's remote address): lookups of unknown tenants are limited per address. */
  readonly client?: string;
  /** Server-side session data (may hold `userId`, `tenant_id`…). */
  readonly session: Readonly<Record<string, unknown>> | undefined;
}

export type ResolverName = 'subdomain' | 'path' | 'header' | 'session' | 'jwt' | 'custom';

export const RESOLVER_NAMES: readonly ResolverName[] = ['subdomain', 'path', 'header', 'session', 'jwt', 'custom'];

/** Where a claim came from: a resolver, or the configured default tenant when none matched. */
export type ClaimSource = ResolverName | 'default';

export interface TenantClaim {
  /** A validated slug (see `isTenantSlug`). */
  readonly tenantId: string;
  readonly source: ClaimSource;
  /**
   * True when the client picked the tenant (subdomain, path, header, jwt, custom by default):
   * where a user is authenticated, the tenant must be one of their memberships.
   */
  readonly needsMembership: boolean;
  /** The authenticated user the source vouches for (the JWT `sub`), if any. */
  readonly userId?: string;
}

export type TenantResolver = (request: RequestInfo) => TenantClaim | null | Promise<TenantClaim | null>;

/** A user-supplied resolver: a tenant id, a full claim, or null. */
export type CustomTenantResolver = (
  request: RequestInfo,
) => string | TenantClaim | null | undefined | Promise<string | TenantClaim | null | undefined>;

/** The tenants a user belongs to; injected by the runtime (the resolver never imports the database). */
export type MemberTenants = (userId: string) => Promise<ReadonlyArray<string | { readonly tenantId: string }>>;
