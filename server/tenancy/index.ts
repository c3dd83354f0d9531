/**
 * Tenancy: which tenant a request is for. Resolvers turn a request into a *claim* (a slug and
 * where it came from); the runtime then looks the tenant up and, where the claim needs it,
 * checks the user's membership — once per socket and once per page request, never per event.
 * This module does no I/O besides importing a custom resolver module at startup.
 * See docs/tenancy-resolvers.md.
 *
 * Startup, in order:
 *   loadTenancy(options, env)            config + problems (ids in TENANCY_CHECKS)
 *   createResolverChain(config, deps)    one TenantResolver for HTTP and the socket alike
 */
export type { ClaimSource, CustomTenantResolver, MemberTenants, RequestInfo, ResolverName, TenantClaim, TenantResolver } from './types.ts';
export { RESOLVER_NAMES } from './types.ts';
export { isTenantSlug, TENANT_SLUG } from './slug.ts';
export { TENANCY_ENVIRONMENT, type TenancyConfig, type TenancyOptions } from './options.ts';
export { TENANCY_CHECKS, type TenancyCheckId, type TenancyProblem } from './checks.ts';
export { loadTenancy, resolveTenancy, type TenancyResolution } from './resolve.ts';
export { createResolver, createResolverChain, type ResolverDependencies } from './chain.ts';
export { createSubdomainResolver, DEFAULT_SUBDOMAIN_EXCLUDE, type SubdomainResolverOptions } from './subdomain-resolver.ts';
export {
  createPathResolver, DEFAULT_PATH_EXCLUDE, RESERVED_PATH_SEGMENTS, TENANT_ROUTE_PARAM, tenantlessPath, tenantRoutePattern, type PathResolverOptions,
} from './path-resolver.ts';
export { createHeaderResolver, DEFAULT_TENANT_HEADER, type HeaderResolverOptions } from './header-resolver.ts';
export { createSessionResolver, DEFAULT_SESSION_KEY, SESSION_USER_KEY, type SessionResolverOptions } from './session-resolver.ts';
export { createJwtResolver, DEFAULT_JWT_CLAIM, DEFAULT_JWT_COOKIE, type JwtRejectReason, type JwtResolverOptions } from './jwt-resolver.ts';
export { MIN_JWT_SECRET_LENGTH } from './jwt-key.ts';
export { createCustomResolver, loadCustomResolver } from './custom-resolver.ts';
