/**
 * Where the data lives and who connects. Two roles, by design:
 *
 * - the **owner** (DATABASE_URL's user) runs migrations and owns the tables;
 * - the **app role** (default `livery_app`) serves traffic. It neither owns
 *   the tables nor is a superuser, so PostgreSQL row-level security applies.
 *
 * The app connection is DATABASE_APP_URL when given (production: its own
 * password). Otherwise it is DATABASE_URL with the user swapped for the app
 * role and the password dropped, which only works where the server trusts
 * local connections (development machines, CI). Without DATABASE_URL the
 * data lives in PGlite, which has a single superuser session: the app role is
 * entered with `SET ROLE` after migrating.
 */
import { databaseEnv, type Env } from '../config/env.ts';
import { DataError } from './errors.ts';
import type { AppDataOptions } from './registry.ts';

export const DEFAULT_APP_ROLE = 'livery_app';
export const DEFAULT_PGLITE_DIR = '.livery/pglite';

export interface DatabaseOptions extends AppDataOptions {
  /** Owner connection (DATABASE_URL). Absent → PGlite. */
  url?: string;
  /** App connection (DATABASE_APP_URL). Absent → derived from `url`. */
  appUrl?: string;
  /** App role used when `appUrl` is absent; default `livery_app`. */
  appRole?: string;
  /**
   * A direct connection (DATABASE_LISTEN_URL) for the one connection that LISTENs (tenant changes,
   * D40), when `appUrl` goes through a transaction-pooling proxy, which cannot hold a LISTEN.
   * Any role that may read `tenants`, usually the app role's. Absent → the app connection's URL.
   */
  listenUrl?: string;
  /** PGlite data directory, or `memory://`; default `.livery/pglite`. */
  pglite?: string;
  /** Run pending migrations before `createDatabase` resolves. */
  migrate?: boolean;
  /** Print SQL (MikroORM debug output). */
  debug?: boolean;
}

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string; appRole: string }
  | { kind: 'postgresql'; ownerUrl: string; appUrl: string; appRole: string; appUrlDerived: boolean; listenUrl: string | undefined };

/** Reads DATABASE_URL, DATABASE_APP_URL and LIVERY_PGLITE_DIR. */
export function databaseOptionsFromEnv(env?: Env): DatabaseOptions {
  return databaseEnv(env);
}

export function resolveTarget(options: DatabaseOptions): DatabaseTarget {
  if (!options.url) {
    return { kind: 'pglite', dataDir: options.pglite ?? DEFAULT_PGLITE_DIR, appRole: checkRoleName(options.appRole ?? DEFAULT_APP_ROLE) };
  }
  const ownerUrl = parseUrl(options.url).toString();
  const listenUrl = options.listenUrl ? parseUrl(options.listenUrl).toString() : undefined;
  if (options.appUrl) {
    const appUrl = parseUrl(options.appUrl);
    return { kind: 'postgresql', ownerUrl, appUrl: appUrl.toString(), appRole: checkRoleName(decodeURIComponent(appUrl.username)), appUrlDerived: false, listenUrl };
  }
  const appRole = checkRoleName(options.appRole ?? DEFAULT_APP_ROLE);
  return { kind: 'postgresql', ownerUrl, appUrl: deriveAppUrl(options.url, appRole), appRole, appUrlDerived: true, listenUrl };
}

/** DATABASE_URL with the user replaced by `role` and no password. */
export function deriveAppUrl(ownerUrl: string, role: string): string {
  const url = parseUrl(ownerUrl);
  url.username = encodeURIComponent(checkRoleName(role));
  url.password = '';
  return url.toString();
}

/** The database name in a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(parseUrl(url).pathname.replace(/^\//, ''));
}

/** A URL with its password masked, for logs and error messages. */
export function redactUrl(url: string): string {
  const parsed = parseUrl(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DataError('LV_DB_BAD_URL', 'the database URL is not a valid URL');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.username || parsed.pathname.length < 2) {
    throw new DataError('LV_DB_BAD_URL', `expected postgres://user@host:port/database, got ${parsed.protocol}//${parsed.host}${parsed.pathname}`);
  }
  return parsed;
}

// Role names end up in DDL (`CREATE ROLE`, `GRANT … TO`); keep them plain identifiers.
function checkRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new DataError('LV_DB_BAD_URL', `the app role ${JSON.stringify(role)} is not a plain lower-case identifier`);
  }
  return role;
}
