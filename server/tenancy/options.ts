/**
 * Tenancy configuration: every option mirrors one of djust's `TENANT_*` settings and has an
 * environment variable. Explicit options win over the environment; `resolveTenancy` fills the
 * defaults and reports every problem with a check id.
 */
import type { CustomTenantResolver, ResolverName } from './types.ts';

export interface TenancyOptions {
  /** One resolver or a chain (first match wins). None named = tenancy off. */
  resolver?: ResolverName | readonly ResolverName[];
  /** subdomain: the apex tenants live under (`myapp.com`, `localhost`). */
  mainDomain?: string;
  /** subdomain: labels that are never tenants. */
  subdomainExclude?: readonly string[];
  /** The tenant used when no resolver matches; none = no tenant (the request is refused). */
  default?: string;
  /** path: fixed segments before the tenant segment (`/t`), or `''` for the first segment. */
  pathPrefix?: string;
  /** path: segments that are never tenants (replaces the default list). */
  pathExclude?: readonly string[];
  /** header: the header naming the tenant. */
  header?: string;
  /** session: the session key holding the tenant id. */
  sessionKey?: string;
  /** jwt: the claim holding the tenant id. */
  jwtClaim?: string;
  /** jwt: HS256 secret (≥ 32 bytes). */
  jwtSecret?: string;
  /** jwt: RSA / EC / Ed25519 public key, PEM SPKI. */
  jwtPublicKey?: string;
  /** jwt: cookie read when there is no `Authorization: Bearer` header. */
  jwtCookie?: string;
  /** jwt: required `iss`. */
  jwtIssuer?: string;
  /** jwt: required `aud`. */
  jwtAudience?: string;
  /** custom: the resolver function (wins over `customModule`). */
  custom?: CustomTenantResolver;
  /** custom: a module whose default export is the resolver function, imported once at startup. */
  customModule?: string;
  /** Check that an authenticated user is a member of a claimed tenant. */
  checkMembership?: boolean;
  /** header: the header is set by a proxy you control, so its claim needs no membership check. */
  trustedHeader?: boolean;
  /** Seconds between rechecks of the tenants cached or live on a process (D40). */
  recheckSeconds?: number;
  /** Default per-tenant quotas, per process; a tenant's `settings.quotas` overrides each (D41). */
  quotas?: Partial<TenantQuotaOptions>;
}

/** Per-tenant quotas, each counted per process. */
export interface TenantQuotaOptions {
  /** Live sockets one tenant may have open. */
  sockets: number;
  /** Events per second one tenant's sockets may send together (a burst of one second's worth). */
  eventsPerSecond: number;
  /** Bytes of view state one tenant may hold in the state backend; 0: no quota of its own (the backend's bound applies). */
  stateBytes: number;
}

export interface TenancyConfig {
  readonly resolvers: readonly ResolverName[];
  readonly mainDomain: string | undefined;
  readonly subdomainExclude: readonly string[];
  readonly default: string | undefined;
  readonly pathPrefix: string;
  /** undefined = the default list for the prefix (see DEFAULT_PATH_EXCLUDE). */
  readonly pathExclude: readonly string[] | undefined;
  readonly header: string;
  readonly sessionKey: string;
  readonly jwtClaim: string;
  readonly jwtSecret: string | undefined;
  readonly jwtPublicKey: string | undefined;
  readonly jwtCookie: string;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  readonly custom: CustomTenantResolver | undefined;
  readonly customModule: string | undefined;
  readonly checkMembership: boolean;
  readonly trustedHeader: boolean;
  readonly recheckSeconds: number;
  readonly quotas: Readonly<TenantQuotaOptions>;
}

type Kind = 'bool' | 'string' | 'list' | 'int';

/** Every tenancy option with its environment variable, for the README table and the env reader. */
export const TENANCY_ENVIRONMENT: ReadonlyArray<{ env: string; option: string; kind: Kind; default: string; doc: string }> = [
  { env: 'LIVERY_TENANT_RESOLVER', option: 'tenancy.resolver', kind: 'list', default: '(none: tenancy off)', doc: 'comma-separated resolvers tried in order: `subdomain`, `path`, `header`, `session`, `jwt`, `custom`' },
  { env: 'LIVERY_TENANT_MAIN_DOMAIN', option: 'tenancy.mainDomain', kind: 'string', default: '(none)', doc: 'subdomain: the apex tenants live under, e.g. `myapp.com` or `localhost`' },
  { env: 'LIVERY_TENANT_SUBDOMAIN_EXCLUDE', option: 'tenancy.subdomainExclude', kind: 'list', default: 'www,api,admin', doc: 'subdomain: labels that are never tenants' },
  { env: 'LIVERY_TENANT_DEFAULT', option: 'tenancy.default', kind: 'string', default: '(none)', doc: 'tenant used when no resolver matches' },
  { env: 'LIVERY_TENANT_PATH_PREFIX', option: 'tenancy.pathPrefix', kind: 'string', default: '(empty: first segment)', doc: 'path: fixed segments before the tenant, e.g. `/t` for `/t/acme/todos`' },
  { env: 'LIVERY_TENANT_PATH_EXCLUDE', option: 'tenancy.pathExclude', kind: 'list', default: 'static,api,admin,_livery,live,healthz (no prefix); none (prefix)', doc: 'path: segments that are never tenants' },
  { env: 'LIVERY_TENANT_HEADER', option: 'tenancy.header', kind: 'string', default: 'X-Tenant-ID', doc: 'header: the header naming the tenant' },
  { env: 'LIVERY_TENANT_SESSION_KEY', option: 'tenancy.sessionKey', kind: 'string', default: 'tenant_id', doc: 'session: the session key holding the tenant id' },
  { env: 'LIVERY_TENANT_JWT_CLAIM', option: 'tenancy.jwtClaim', kind: 'string', default: 'tenant_id', doc: 'jwt: the claim holding the tenant id' },
  { env: 'LIVERY_TENANT_JWT_SECRET', option: 'tenancy.jwtSecret', kind: 'string', default: '(none)', doc: 'jwt: HS256 secret, at least 32 bytes' },
  { env: 'LIVERY_TENANT_JWT_PUBLIC_KEY', option: 'tenancy.jwtPublicKey', kind: 'string', default: '(none)', doc: 'jwt: RSA, EC or Ed25519 public key in PEM (SPKI); `\\n` escapes allowed' },
  { env: 'LIVERY_TENANT_JWT_COOKIE', option: 'tenancy.jwtCookie', kind: 'string', default: 'lv_jwt', doc: 'jwt: cookie read when there is no `Authorization: Bearer` header' },
  { env: 'LIVERY_TENANT_JWT_ISSUER', option: 'tenancy.jwtIssuer', kind: 'string', default: '(not checked)', doc: 'jwt: required `iss` claim' },
  { env: 'LIVERY_TENANT_JWT_AUDIENCE', option: 'tenancy.jwtAudience', kind: 'string', default: '(not checked)', doc: 'jwt: required `aud` claim' },
  { env: 'LIVERY_TENANT_CUSTOM_RESOLVER', option: 'tenancy.customModule', kind: 'string', default: '(none)', doc: 'custom: module (path from the working directory) whose default export is the resolver function' },
  { env: 'LIVERY_TENANT_CHECK_MEMBERSHIP', option: 'tenancy.checkMembership', kind: 'bool', default: 'true', doc: 'an authenticated user must be a member of a tenant named by a URL, header, JWT or custom function' },
  { env: 'LIVERY_TENANT_RECHECK', option: 'tenancy.recheckSeconds', kind: 'int', default: '10', doc: 'seconds between rechecks of every tenant cached or live on a process; changes take effect at once through the database\'s notifications, this bounds how late they can be without them' },
  { env: 'LIVERY_TENANT_MAX_SOCKETS', option: 'tenancy.quotas.sockets', kind: 'int', default: '10000', doc: 'live sockets one tenant may have open per process (a tenant\'s `settings.quotas.sockets` overrides it); more are refused LV_TENANT_QUOTA_EXCEEDED (close 4429)' },
  { env: 'LIVERY_TENANT_EVENTS_PER_SECOND', option: 'tenancy.quotas.eventsPerSecond', kind: 'int', default: '1000', doc: 'events per second one tenant\'s sockets may send together per process (`settings.quotas.eventsPerSecond` overrides it); more are answered LV_TENANT_QUOTA_EXCEEDED' },
  { env: 'LIVERY_TENANT_STATE_BYTES', option: 'tenancy.quotas.stateBytes', kind: 'int', default: '0', doc: 'bytes of view state one tenant may hold in the state backend (`settings.quotas.stateBytes` overrides it); 0: no quota of its own' },
  { env: 'LIVERY_TENANT_TRUSTED_HEADER', option: 'tenancy.trustedHeader', kind: 'bool', default: 'false', doc: 'header: set only when a proxy you control sets the header (its claim then skips the membership check)' },
];
