/**
 * MikroORM options shared by PGlite and PostgreSQL: the same entities, the
 * same migrations, the counting logger. There is no schema snapshot: the
 * schema a migration starts from is the one the existing migrations build
 * (`migrate --create` applies them to an in-memory database and diffs the
 * entities against it), so nothing can drift out of step with the files.
 */
import type { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { countingLoggerFactory, type QueryCounter } from './query-counter.ts';
import type { DataRegistry } from './registry.ts';
import type { LiveryOrm } from './types.ts';

export interface OrmConfigInput {
  counter: QueryCounter;
  registry: DataRegistry;
  debug?: boolean;
}

export function sharedOrmOptions(input: OrmConfigInput): Partial<Options> {
  return {
    entities: input.registry.entities,
    extensions: [Migrator],
    debug: input.debug ?? false,
    loggerFactory: countingLoggerFactory(input.counter),
    // the app never relies on the global EntityManager: every access is a fork
    allowGlobalContext: false,
    // The tenant (RLS's setting) is staged with set_config(…, true) inside each transaction, never
    // for the session: behind a transaction-pooling proxy a server connection moves between
    // clients after every transaction, and a session-level tenant would move with it (D39,
    // test/data/pooler.pgbouncer.test.ts). MikroORM's default, pinned.
    sessionContext: 'transaction',
    // the app role may not create databases; the owner does that in `migrate`
    ensureDatabase: false,
    // the system-path functions are hand-written in migrations; without this the
    // schema generator would offer to drop them as unknown routines
    schemaGenerator: { ignoreRoutines: true },
    migrations: {
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
      migrationsList: input.registry.migrations,
    },
  };
}

/** Tables of every registered entity: what the app role is granted. */
export function entityTables(orm: LiveryOrm): string[] {
  return [...orm.getMetadata()].filter(meta => !meta.embeddable && !meta.virtual && meta.tableName).map(meta => meta.tableName);
}
