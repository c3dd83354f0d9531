import { createCustomResolver } from './custom-resolver.ts';
import { createHeaderResolver } from './header-resolver.ts';
import { createJwtResolver, type JwtRejectReason } from './jwt-resolver.ts';
import type { TenancyConfig } from './options.ts';
import { createPathResolver } from './path-resolver.ts';
import { createSessionResolver } from './session-resolver.ts';
import { createSubdomainResolver } from './subdomain-resolver.ts';
import type { MemberTenants, ResolverName, TenantClaim, TenantResolver } from './types.ts';

/** What the runtime lends the resolvers; nothing here is configuration. */
export interface ResolverDependencies {
  /** session fallback: the tenants a user belongs to. */
  readonly memberTenants?: MemberTenants;
  /** jwt: why a token that was present was refused (for logging). */
  readonly onJwtReject?: (reason: JwtRejectReason) => void;
}

/**
 * The configured resolvers as one: each is tried in order and the first claim wins; when none
 * matches, the default tenant (if configured) with source `default`. Call it once per socket
 * and once per page request — never per event.
 *
 * With `checkMembership: false` every claim comes out with `needsMembership: false`, so the
 * runtime checks exactly when `claim.needsMembership && <a user is authenticated>`.
 *
 * @throws when a resolver cannot be built: a config with problems (`resolveTenancy`), or a
 * custom module not loaded yet (`loadTenancy` loads it).
 */
export function createResolverChain(config: TenancyConfig, deps: ResolverDependencies = {}): TenantResolver {
  const resolvers = config.resolvers.map((name) => createResolver(name, config, deps));
  const fallback: TenantClaim | null = config.default === undefined ? null : { tenantId: config.default, source: 'default', needsMembership: false };
  return async (request) => {
    for (const resolve of resolvers) {
      const claim = await resolve(request);
      if (claim) return config.checkMembership || !claim.needsMembership ? claim : { ...claim, needsMembership: false };
    }
    return fallback;
  };
}

export function createResolver(name: ResolverName, config: TenancyConfig, deps: ResolverDependencies = {}): TenantResolver {
  switch (name) {
    case 'subdomain':
      if (config.mainDomain === undefined) throw new Error('the subdomain resolver needs mainDomain (livery.C010)');
      return createSubdomainResolver({ mainDomain: config.mainDomain, subdomainExclude: config.subdomainExclude });
    case 'path':
      return createPathResolver(config);
    case 'header':
      return createHeaderResolver(config);
    case 'session':
      return createSessionResolver({ sessionKey: config.sessionKey, memberTenants: deps.memberTenants });
    case 'jwt':
      return createJwtResolver({ ...config, onReject: deps.onJwtReject });
    case 'custom':
      if (typeof config.custom !== 'function') throw new Error('the custom resolver is not loaded: build the config with loadTenancy (livery.C014)');
      return createCustomResolver(config.custom);
    default:
      throw new Error(`unknown tenant resolver ${JSON.stringify(name)} (livery.C012)`);
  }
}
