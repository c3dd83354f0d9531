/**
 * How a test's request reaches a tenant: the way a browser would under the app's own tenancy
 * configuration — the first resolver in its chain that a plain request can satisfy.
 */
import { LiveryError } from '../errors.ts';
import type { TenancyConfig } from '../tenancy/options.ts';

export interface TenantRoute {
  /** The URL path to request (a path resolver puts the tenant in it). */
  readonly path: string;
  /** Extra request headers (Host for a subdomain, the tenant header). */
  readonly headers: Record<string, string>;
  /** Session data to add (the session resolver's key). */
  readonly session: Record<string, string>;
}

export function routeToTenant(tenancy: TenancyConfig | undefined, tenant: string | undefined, path: string, port: number): TenantRoute {
  const none: TenantRoute = { path, headers: {}, session: {} };
  if (tenant === undefined) return none;
  if (tenancy === undefined) {
    throw new LiveryError('LV_TEST_SETUP_INVALID', `tenant "${tenant}" asked for, but the app has no tenancy (set a resolver, e.g. LIVERY_TENANT_RESOLVER)`);
  }
  for (const resolver of tenancy.resolvers) {
    switch (resolver) {
      case 'subdomain':
        if (tenancy.mainDomain) return { ...none, headers: { host: `${tenant}.${tenancy.mainDomain}:${port}` } };
        break;
      case 'path':
        return { ...none, path: `${tenancy.pathPrefix.replace(/\/$/, '')}/${encodeURIComponent(tenant)}${path}` };
      case 'header':
        return { ...none, headers: { [tenancy.header.toLowerCase()]: tenant } };
      case 'session':
        return { ...none, session: { [tenancy.sessionKey]: tenant } };
      default:
        break; // jwt, custom: the app decides; the test passes `headers` itself
    }
  }
  throw new LiveryError(
    'LV_TEST_SETUP_INVALID',
    `none of the app's tenant resolvers (${tenancy.resolvers.join(', ')}) can be reached by the test client; pass \`headers\` (e.g. an Authorization bearer token) and no \`tenant\``,
  );
}
