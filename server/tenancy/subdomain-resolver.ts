import { claimOf } from './slug.ts';
import type { TenantResolver } from './types.ts';

export interface SubdomainResolverOptions {
  /** The apex the tenants live under: `myapp.com`, or `localhost` in development. */
  readonly mainDomain: string;
  /** Labels that are never tenants (www, api, admin…). */
  readonly subdomainExclude?: readonly string[];
}

export const DEFAULT_SUBDOMAIN_EXCLUDE: readonly string[] = ['www', 'api', 'admin'];

/**
 * `acme.myapp.com` → `acme`. Exactly one label in front of the main domain: the apex itself,
 * an excluded label and a nested name (`a.b.myapp.com`) resolve to nothing, so a tenant is
 * never guessed from a deeper name. Hosts are case-insensitive, so the host is lower-cased
 * before it is read; the port is ignored.
 *
 * @example
 * createSubdomainResolver({ mainDomain: 'localhost' })  // acme.localhost:3000 → acme
 */
export function createSubdomainResolver(options: SubdomainResolverOptions): TenantResolver {
  const suffix = '.' + normalizeDomain(options.mainDomain);
  const exclude = new Set((options.subdomainExclude ?? DEFAULT_SUBDOMAIN_EXCLUDE).map((label) => label.toLowerCase()));
  return (request) => {
    const host = hostName(request.host);
    if (!host.endsWith(suffix)) return null;
    const label = host.slice(0, -suffix.length);
    if (label.includes('.') || exclude.has(label)) return null;
    return claimOf(label, 'subdomain', true);
  };
}

/** `myapp.com`, `.myapp.com` and `MyApp.com.` all name the same domain. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
}

/** The host name without port or trailing dot, lower-cased. An IPv6 literal yields `[…]`, which matches no domain. */
function hostName(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}
