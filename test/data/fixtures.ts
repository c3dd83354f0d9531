/**
 * Database fixtures for the data-layer tests. Each test file opens ONE
 * database (PGlite takes seconds to start) and shares it across its
 * subtests. PostgreSQL fixtures create a fresh database per file, named
 * `livery_t_<pid>_<random>`, and drop it on cleanup, so files run in
 * parallel. Set LIVERY_TEST_PG to point at another server (the maintenance
 * database URL of a superuser; default postgres://postgres@127.0.0.1:5432/postgres).
 * Every fixture registers the tests' own app data (NOTE_DATA: the Note entity and its
 * migration), never the example app's, so the framework's tests do not change when an app does.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { MikroORM as PostgresMikroORM } from '@mikro-orm/postgresql';
import { createDatabase, DEFAULT_APP_ROLE, type AppDataOptions, type Database, type DatabaseOptions } from '../../server/data/index.ts';
import { NOTE_DATA } from './fixtures/note.ts';

export const ADMIN_URL = process.env.LIVERY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * pgbouncer in transaction-pooling mode in front of ADMIN_URL's server, as `scripts/pgbouncer.sh
 * start` runs it (and .ci/run does). LIVERY_TEST_PGBOUNCER points at another.
 */
export const PGBOUNCER_URL = process.env.LIVERY_TEST_PGBOUNCER ?? 'postgres://postgres@127.0.0.1:6432/postgres';

export interface DatabaseFixture {
  db: Database;
  /** PostgreSQL only: the owner URL of the fixture's database. */
  ownerUrl?: string;
  cleanup(): Promise<void>;
}

/** `data`: the app's entities and migrations; default the tests' own (NOTE_DATA). */
export type DatabaseFactory = (options?: { migrate?: boolean; data?: AppDataOptions }) => Promise<DatabaseFixture>;

export const pgliteFactory: DatabaseFactory = async ({ migrate = true, data = NOTE_DATA } = {}) => {
  const db = await createDatabase({ pglite: 'memory://', ...data, migrate });
  return { db, cleanup: () => db.close() };
};

/**
 * A fresh database per fixture, the app (and its migrations) connecting through `server`'s URL;
 * `listen`: the direct URL the tenant watch LISTENs on, when `server` is a pooler.
 */
function serverFactory(server: string, options: { ready?: () => Promise<void>; listen?: (name: string) => string } = {}): DatabaseFactory {
  return async ({ migrate = true, data = NOTE_DATA } = {}) => {
    await options.ready?.();
    const name = testDatabaseName();
    return openFixture(name, { url: urlFor(name, undefined, server), listenUrl: options.listen?.(name) }, migrate, data);
  };
}

async function openFixture(name: string, urls: { url: string; listenUrl?: string }, migrate: boolean, data: AppDataOptions): Promise<DatabaseFixture> {
  const ownerUrl = urls.url;
  let db: Database | undefined;
  const cleanup = async () => {
    await db?.close();
    await dropDatabase(name);
  };
  try {
    await adminExecute(`create database "${name}"`);
    db = await createDatabase({ ...urls, ...data, migrate });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { db, ownerUrl, cleanup };
}

export const postgresFactory: DatabaseFactory = serverFactory(ADMIN_URL);

/**
 * The same, with every connection of the app (owner and app role) through pgbouncer in
 * transaction mode: consecutive transactions of one client may run on different server
 * connections, and one server connection serves many clients. The tenant watch LISTENs on a
 * direct connection (`listenUrl`, as a deployment behind pgbouncer sets DATABASE_LISTEN_URL);
 * databases are created and dropped directly too (ADMIN_URL).
 */
export const pgbouncerFactory: DatabaseFactory = serverFactory(PGBOUNCER_URL, { ready: requirePgbouncer, listen: (name) => urlFor(name, DEFAULT_APP_ROLE) });

/** Throws, naming the script that starts it, unless pgbouncer answers at PGBOUNCER_URL as a proxy. */
export async function requirePgbouncer(): Promise<void> {
  let port: number | undefined;
  try {
    port = (await adminQuery<{ port: number }>('select inet_server_port() as port', PGBOUNCER_URL))[0]?.port;
  } catch (error) {
    throw new Error(`This test needs pgbouncer at ${PGBOUNCER_URL}: run \`scripts/pgbouncer.sh start\` (CI's .ci/run does). ${(error as Error).message}`);
  }
  if (port === Number(new URL(PGBOUNCER_URL).port)) throw new Error(`${PGBOUNCER_URL} is PostgreSQL itself, not a pooler in front of it`);
}

/** Opens another app connection to an existing fixture database with different options. */
export async function openAgain(ownerUrl: string, options: Omit<DatabaseOptions, 'url'>): Promise<Database> {
  return createDatabase({ url: ownerUrl, ...NOTE_DATA, ...options });
}

export function testDatabaseName(): string {
  return `livery_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A database's URL on the server of `server` (default ADMIN_URL), optionally as another user. */
export function urlFor(database: string, user?: string, server = ADMIN_URL): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}

/** Runs statements on the maintenance database as the superuser (CREATE/DROP DATABASE, roles). */
export async function adminExecute(...statements: string[]): Promise<void> {
  for (const sql of statements) await adminQuery(sql);
}

/** One statement's rows, as the superuser on `url` (default the maintenance database). */
export async function adminQuery<T extends object>(sql: string, url = ADMIN_URL): Promise<T[]> {
  const orm = await PostgresMikroORM.init({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    allowGlobalContext: true,
    pool: { min: 0, max: 1 },
  });
  try {
    return await orm.em.execute<T[]>(sql);
  } finally {
    await orm.close(true);
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminExecute(`drop database if exists "${name}" with (force)`);
}

if (import.meta.main) {
  t.test('test database names are unique, lower-case identifiers', async t => {
    const names = new Set(Array.from({ length: 50 }, testDatabaseName));
    t.equal(names.size, 50);
    for (const name of names) t.match(name, /^livery_t_\d+_[0-9a-f]{8}$/);
  });
  t.test('urlFor swaps the database and, when asked, the user', async t => {
    const url = new URL(urlFor('x', 'someone'));
    t.equal(url.pathname, '/x');
    t.equal(url.username, 'someone');
    t.equal(url.password, '');
  });
}
