/**
 * Tenancy for one server: from the resolved configuration to the gate HTTP and the socket use,
 * and the URL patterns each route is served at. Tenancy off (no resolver named): one implicit
 * tenant and no database needed.
 */
import type { Problem } from '../config/checks.ts';
import type { TenancyConfig } from './options.ts';
import { checkDatabase, systemData, type Database } from '../data/index.ts';
import { loadCustomResolver } from './custom-resolver.ts';
import { TenantDirectory } from './directory.ts';
import { createTenantGate, singleTenantGate, type TenantGate } from './gate.ts';
import { createResolverChain } from './chain.ts';
import { TENANT_ROUTE_PARAM, tenantRoutePattern } from './path-resolver.ts';

export interface Tenancy {
  readonly gate: TenantGate;
  readonly directory: TenantDirectory | undefined;
  readonly patternsFor: (path: string) => string[];
  readonly tenantParam: string;
}

/** How long resolved tenants and memberships stay cached in-process. */
const DIRECTORY = { ttlSeconds: 60, maxEntries: 10_000 };

export async function createTenancy(config: { readonly tenancy: TenancyConfig | undefined }, database: Database | undefined, problems: Problem[]): Promise<Tenancy> {
  let tenancy = config.tenancy;
  const plain = { gate: singleTenantGate(), directory: undefined, patternsFor: (path: string) => [path], tenantParam: TENANT_ROUTE_PARAM };
  // Whoever serves from a database gets it checked: row-level security must really be in force.
  if (database !== undefined) {
    // With tenancy on, the server LISTENs for tenant changes (D40): that connection must hold its session.
    for (const problem of await checkDatabase(database, { listen: tenancy !== undefined })) {
      const pooler = problem.id === 'LV_DB_STATEMENT_POOLING' || problem.id === 'LV_DB_LISTEN_POOLED';
      problems.push({ id: pooler ? 'livery.C049' : 'livery.C018', detail: `${problem.id}: ${problem.message} (${problem.hint})` });
    }
  }
  if (tenancy === undefined) return plain;
  if (database === undefined) {
    problems.push({ id: 'livery.C015', detail: `tenant resolver ${tenancy.resolvers.join(', ')} configured without a database` });
    return plain;
  }
  if (tenancy.resolvers.includes('custom') && tenancy.custom === undefined && tenancy.customModule !== undefined) {
    const loaded = await loadCustomResolver(tenancy.customModule);
    if (typeof loaded === 'string') problems.push({ id: 'livery.C014', detail: loaded });
    else tenancy = { ...tenancy, custom: loaded };
  }
  const system = systemData(database);
  const directory = new TenantDirectory(system, DIRECTORY);
  if (problems.length > 0) return plain;
  if (tenancy.default !== undefined && (await directory.lookup(tenancy.default)) === null) {
    problems.push({ id: 'livery.C017', detail: `default tenant "${tenancy.default}" does not exist` });
  }
  const resolve = createResolverChain(tenancy, {
    memberTenants: async (userId) => (await system.memberTenants(userId)).map((m) => m.tenantId),
  });
  const pathOptions = { pathPrefix: tenancy.pathPrefix, pathExclude: tenancy.pathExclude };
  const byPath = tenancy.resolvers.includes('path');
  return {
    gate: createTenantGate(tenancy, resolve, directory),
    directory,
    patternsFor: (path) => (byPath ? [path, tenantRoutePattern(path, pathOptions)] : [path]),
    tenantParam: TENANT_ROUTE_PARAM,
  };
}
