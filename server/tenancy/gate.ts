/**
 * The tenant gate: turns a request (a page load or a socket upgrade) into the tenant it may be
 * served as — resolver chain, default, directory lookup, membership, admission — or a refusal
 * with a stable code. It runs once per page and once per socket; the per-event path never sees
 * it.
 *
 * The socket has no path of its own (`/live`), so a tenant that came from the page's path cannot
 * be re-resolved at upgrade: the gate leaves the socket's tenant open, and the first join token
 * (signed by the page render, which did resolve it) supplies it. Every later token on that socket
 * must name the same tenant.
 */
import { LiveryError } from '../errors.ts';
import { sessionUnder, type Session, type SessionData } from '../session/index.ts';
import { admission, SINGLE_TENANT, type TenantDirectory, type TenantInfo } from './directory.ts';
import type { TenancyConfig } from './options.ts';
import type { RequestInfo, TenantClaim, TenantResolver } from './types.ts';

export interface PageTenant {
  readonly tenant: TenantInfo;
  readonly session: Session;
}

export interface TenantGate {
  readonly enabled: boolean;
  /** Page requests: the tenant, or a LiveryError (404/402/403). `routeTenant` is the URL's own tenant segment, if any. */
  forPage(request: RequestInfo, sessionId: string, sessionData: SessionData | undefined, routeTenant?: string): Promise<PageTenant>;
  /** Socket upgrades: the tenant, or undefined when it must come from the first join token. */
  forSocket(request: RequestInfo, sessionData: SessionData | undefined): Promise<TenantInfo | undefined>;
  /** A join token's tenant on a socket whose upgrade left it open. */
  adopt(tenantId: string, sessionData: SessionData | undefined): Promise<TenantInfo>;
}

export function singleTenantGate(): TenantGate {
  return {
    enabled: false,
    forPage: async (_request, sessionId, sessionData) => ({ tenant: SINGLE_TENANT, session: sessionUnder(sessionId, sessionData, SINGLE_TENANT.id) }),
    forSocket: async () => SINGLE_TENANT,
    adopt: async (tenantId) => {
      if (tenantId !== SINGLE_TENANT.id) throw new LiveryError('LV_TENANT_UNKNOWN');
      return SINGLE_TENANT;
    },
  };
}

export function createTenantGate(config: TenancyConfig, resolve: TenantResolver, directory: TenantDirectory): TenantGate {
  const pathResolves = config.resolvers.includes('path');

  /** Lookup, membership and admission for a claim. */
  async function admit(claim: TenantClaim, sessionData: SessionData | undefined, client?: string): Promise<TenantInfo> {
    const tenant = await directory.lookup(claim.tenantId, client);
    if (tenant === null) throw new LiveryError('LV_TENANT_UNKNOWN');
    // The user is whoever the session or the claim's own source (a JWT's sub) vouches for —
    // checked against the raw session, so a session bound elsewhere cannot dodge the check.
    const userId = claim.userId ?? (typeof sessionData?.userId === 'string' ? sessionData.userId : undefined);
    if (config.checkMembership && claim.needsMembership && userId !== undefined && !(await directory.isMember(userId, tenant.id))) {
      throw new LiveryError('LV_TENANT_FORBIDDEN', 'not a member');
    }
    const refused = admission(tenant);
    if (refused !== null) throw new LiveryError(refused);
    return tenant;
  }

  async function claimFor(request: RequestInfo, sessionData: SessionData | undefined): Promise<TenantClaim | null> {
    return resolve({ ...requestFields(request), session: sessionData });
  }

  return {
    enabled: true,
    async forPage(request, sessionId, sessionData, routeTenant) {
      const claim = await claimFor(request, sessionData); // the chain falls back to the default tenant
      if (claim === null) throw new LiveryError('LV_TENANT_UNRESOLVED');
      // djust's TenantPermissionMixin: a URL naming one tenant never serves another's page.
      if (routeTenant !== undefined && routeTenant !== claim.tenantId) throw new LiveryError('LV_TENANT_FORBIDDEN', 'the address names another tenant');
      const tenant = await admit(claim, sessionData, request.client);
      return { tenant, session: sessionUnder(sessionId, sessionData, tenant.id) };
    },
    async forSocket(request, sessionData) {
      const claim = await claimFor(request, sessionData);
      // With path tenancy the page may have named a tenant the upgrade cannot see: leave it open
      // for the first token rather than fall back to the default.
      if ((claim === null || claim.source === 'default') && pathResolves) return undefined;
      if (claim === null) throw new LiveryError('LV_TENANT_UNRESOLVED');
      return admit(claim, sessionData, request.client);
    },
    adopt(tenantId, sessionData) {
      // The page resolved this tenant; the default needed no membership there, so none here.
      return admit({ tenantId, source: 'path', needsMembership: tenantId !== config.default }, sessionData);
    },
  };
}

/** RequestInfo's own fields, without its session (the gate supplies the raw one). */
function requestFields(request: RequestInfo): Omit<RequestInfo, 'session'> {
  return { host: request.host, path: request.path, header: request.header, cookie: request.cookie, client: request.client };
}
