import { claimOf } from './slug.ts';
import type { MemberTenants, TenantResolver } from './types.ts';

export interface SessionResolverOptions {
  /** Session key holding the tenant id (default `tenant_id`). */
  readonly sessionKey?: string;
  /** Lets a user with exactly one membership resolve to it when the session names no tenant. */
  readonly memberTenants?: MemberTenants;
}

export const DEFAULT_SESSION_KEY = 'tenant_id';
/** The session key holding the signed-in user's id. */
export const SESSION_USER_KEY = 'userId';

/**
 * `session.tenant_id` → the tenant. The session lives on the server, so the server wrote the
 * tenant into it: the claim needs no membership check.
 *
 * Fallback (djust's `user.tenant_id`): when the session names no tenant but holds a `userId`
 * and `memberTenants` is given, a user with exactly one membership resolves to that tenant.
 * With none or several there is nothing to choose from: null (the next resolver, or the default).
 */
export function createSessionResolver(options: SessionResolverOptions = {}): TenantResolver {
  const key = options.sessionKey ?? DEFAULT_SESSION_KEY;
  const memberTenants = options.memberTenants;
  return (request) => {
    const session = request.session;
    if (!session) return null;
    if (session[key] != null) return claimOf(session[key], 'session', false);
    const userId = session[SESSION_USER_KEY];
    if (!memberTenants || typeof userId !== 'string' || userId === '') return null;
    return onlyMembership(memberTenants, userId);
  };
}

async function onlyMembership(memberTenants: MemberTenants, userId: string) {
  const tenants = await memberTenants(userId);
  if (tenants.length !== 1) return null;
  const only = tenants[0];
  const tenantId = typeof only === 'string' ? only : only.tenantId;
  return claimOf(tenantId, 'session', false, userId);
}
