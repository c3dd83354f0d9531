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
import { createDatabase, type AppDataOptions, type Database, type DatabaseOptions } from '../../server/data/index.ts';
import { NOTE_DATA } from './fixtures/note.ts';

export const ADMIN_URL = process.env.LIVERY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

export const postgresFactory: DatabaseFactory = async ({ migrate = true, data = NOTE_DATA } = {}) => {
  const name = testDatabaseName();
  const ownerUrl = urlFor(name);
  let db: Database | undefined;
  const cleanup = async () => {
    await db?.close();
    await dropDatabase(name);
  };
  try {
    await adminExecute(`create database "${name}"`);
    db = await createDatabase({ url: ownerUrl, ...data, migrate });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { db, ownerUrl, cleanup };
};

/** Opens another app connection to an existing fixture database with different options. */
export async function openAgain(ownerUrl: string, options: Omit<DatabaseOptions, 'url'>): Promise<Database> {
  return createDatabase({ url: ownerUrl, ...NOTE_DATA, ...options });
}

export function testDatabaseName(): string {
  return `livery_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function urlFor(database: string, user?: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}

/** Runs statements on the maintenance database as the superuser (CREATE/DROP DATABASE, roles). */
export async function adminExecute(...statements: string[]): Promise<void> {
  const orm = await PostgresMikroORM.init({
    clientUrl: ADMIN_URL,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    allowGlobalContext: true,
    pool: { min: 0, max: 1 },
  });
  try {
    for (const sql of statements) await orm.em.execute(sql);
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
