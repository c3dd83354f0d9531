import { claimOf } from './slug.ts';
import type { TenantClaim, TenantResolver } from './types.ts';

export interface PathResolverOptions {
  /** Fixed segments before the tenant: `/t` for `/t/acme/todos`, `''` for `/acme/todos`. */
  readonly pathPrefix?: string;
  /** Segments never taken for a tenant (replaces the default list). */
  readonly pathExclude?: readonly string[];
}

/** Livery's own top-level routes: never a tenant when the tenant is the first segment. */
export const RESERVED_PATH_SEGMENTS: readonly string[] = ['_livery', 'live', 'healthz'];

/** The default exclusions when the tenant is the first segment (no prefix). */
export const DEFAULT_PATH_EXCLUDE: readonly string[] = ['static', 'api', 'admin', ...RESERVED_PATH_SEGMENTS];

/** The route parameter `tenantRoutePattern` names. */
export const TENANT_ROUTE_PARAM = 'tenant';

/**
 * The segment right after the prefix: with prefix `/t`, `/t/acme/todos` → `acme`; with no
 * prefix, `/acme/todos` → `acme`. Paths are case-sensitive, so `ACME` is not lower-cased
 * (and is not a slug). The socket path (`/live`) never resolves: a tenant named by a page's
 * path reaches its socket inside the signed join token.
 */
export function createPathResolver(options: PathResolverOptions = {}): TenantResolver {
  const split = pathSplitter(options);
  return (request) => split(request.path)?.claim ?? null;
}

/**
 * The path with the prefix and tenant removed (`/t/acme/todos` → `/todos`,
 * `/t/acme` → `/`); a path that names no tenant is returned as it is.
 */
export function tenantlessPath(path: string, options: PathResolverOptions = {}): string {
  return pathSplitter(options)(path)?.rest ?? path;
}

/**
 * The Fastify route pattern serving `routePath` under a tenant: `/todos` →
 * `/t/:tenant/todos`, `/` → `/t/:tenant`. The tenant comes back as `params.tenant`; it is
 * still only a claim (validate it with the resolver, not from the params).
 */
export function tenantRoutePattern(routePath: string, options: PathResolverOptions = {}): string {
  const prefix = options.pathPrefix ?? '';
  const tail = routePath === '/' || routePath === '' ? '' : routePath;
  return `${prefix}/:${TENANT_ROUTE_PARAM}${tail}`;
}

interface Split {
  readonly claim: TenantClaim;
  readonly rest: string;
}

function pathSplitter(options: PathResolverOptions): (path: string) => Split | null {
  const prefix = options.pathPrefix ?? '';
  const exclude = new Set(options.pathExclude ?? (prefix === '' ? DEFAULT_PATH_EXCLUDE : []));
  if (prefix === '') for (const segment of RESERVED_PATH_SEGMENTS) exclude.add(segment);
  return (path) => {
    if (path !== prefix && !path.startsWith(prefix + '/')) return null;
    const after = path.slice(prefix.length + 1);
    const end = after.indexOf('/');
    const segment = end < 0 ? after : after.slice(0, end);
    if (exclude.has(segment)) return null;
    const claim = claimOf(segment, 'path', true);
    return claim && { claim, rest: end < 0 ? '/' : after.slice(end) };
  };
}
