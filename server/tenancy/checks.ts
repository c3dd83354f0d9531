/**
 * Tenancy's startup checks, continuing Livery's numbering (`livery.C015`, tenancy without a
 * database, belongs to the runtime). The runtime copies these into its check registry;
 * `docs/tenancy-resolvers.md` lists them.
 */
export const TENANCY_CHECKS = {
  'livery.C010': 'The subdomain resolver needs the domain tenants live under: set LIVERY_TENANT_MAIN_DOMAIN (e.g. myapp.com, or localhost in development) to a plain host name.',
  'livery.C011': 'A header names the tenant and nothing checks that the user belongs to it: keep membership checks on (LIVERY_TENANT_CHECK_MEMBERSHIP=true), or set LIVERY_TENANT_TRUSTED_HEADER=true only when a proxy you control sets the header and strips it from client requests.',
  'livery.C012': 'LIVERY_TENANT_RESOLVER must name known resolvers (subdomain, path, header, session, jwt, custom); tenancy settings without a resolver are never silently ignored.',
  'livery.C013': 'The jwt resolver needs exactly one key: LIVERY_TENANT_JWT_SECRET (HS256, at least 32 random bytes) or LIVERY_TENANT_JWT_PUBLIC_KEY (an RSA, EC or Ed25519 public key in PEM SPKI form).',
  'livery.C014': 'The custom resolver needs a function: pass `custom`, or set LIVERY_TENANT_CUSTOM_RESOLVER to a module that loads and whose default export is the resolver function.',
  'livery.C016': 'A tenant setting is malformed: the default tenant must be a slug (lower-case letters, digits and dashes, at most 63), and the path prefix empty or like /t (no trailing slash).',
} as const;

export type TenancyCheckId = keyof typeof TENANCY_CHECKS;

/** `livery.C003` (an environment variable of the wrong type) is the config module's. */
export interface TenancyProblem {
  readonly id: TenancyCheckId | 'livery.C003';
  readonly detail: string;
}
