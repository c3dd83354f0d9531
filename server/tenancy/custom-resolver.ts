import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { claimOf } from './slug.ts';
import type { CustomTenantResolver, TenantClaim, TenantResolver } from './types.ts';

/**
 * Your own function: it returns a tenant id (a claim needing membership, like a path or a
 * header), a full claim (to say otherwise, e.g. a tenant derived from the user's own record),
 * or null. Whatever it returns is validated: an id that is not a slug resolves to nothing. An
 * exception it throws propagates: the request fails rather than falling through to another tenant.
 */
export function createCustomResolver(custom: CustomTenantResolver): TenantResolver {
  return async (request) => normalize(await custom(request));
}

function normalize(result: string | TenantClaim | null | undefined): TenantClaim | null {
  if (result === null || result === undefined) return null;
  if (typeof result === 'string') return claimOf(result, 'custom', true);
  if (typeof result !== 'object') return null;
  const userId = typeof result.userId === 'string' ? result.userId : undefined;
  return claimOf(result.tenantId, 'custom', result.needsMembership !== false, userId);
}

/**
 * Imports a module whose default export is the custom resolver; once, at startup. A relative
 * path is taken from the working directory. Returns the function, or what went wrong.
 */
export async function loadCustomResolver(modulePath: string, cwd = process.cwd()): Promise<CustomTenantResolver | string> {
  const url = pathToFileURL(isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath)).href;
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    return `the custom resolver module ${modulePath} failed to load: ${(error as Error).message}`;
  }
  if (typeof module.default !== 'function') return `the custom resolver module ${modulePath} has no default export that is a function`;
  return module.default as CustomTenantResolver;
}
