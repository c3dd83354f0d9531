/**
 * MikroORM options shared by PGlite and PostgreSQL: the same entities, the
 * same migration files and snapshot, the counting logger.
 */
import { join } from 'node:path';
import type { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { countingLoggerFactory, type QueryCounter } from './query-counter.ts';
import type { LiveryOrm } from './types.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
/** Fixed, so PGlite and PostgreSQL share one snapshot whatever the database name. */
export const SNAPSHOT_NAME = '.snapshot-livery';

export interface OrmConfigInput {
  counter: QueryCounter;
  debug?: boolean;
  /** Discover migration files on disk instead of the compiled list (needed to create new ones). */
  discoverMigrationFiles?: boolean;
}

export function sharedOrmOptions(input: OrmConfigInput): Partial<Options> {
  return {
    entities: ENTITIES,
    extensions: [Migrator],
    debug: input.debug ?? false,
    loggerFactory: countingLoggerFactory(input.counter),
    // the app never relies on the global EntityManager: every access is a fork
    allowGlobalContext: false,
    // the app role may not create databases; the owner does that in `migrate`
    ensureDatabase: false,
    // the system-path functions are hand-written in migrations; without this the
    // schema generator would offer to drop them as unknown routines
    schemaGenerator: { ignoreRoutines: true },
    migrations: {
      path: MIGRATIONS_DIR,
      snapshotName: SNAPSHOT_NAME,
      glob: 'Migration*.ts',
      silent: true,
      transactional: true,
      allOrNothing: true,
      ...(input.discoverMigrationFiles ? {} : { migrationsList: MIGRATIONS }),
    },
  };
}

/** Tables of every discovered entity: what the app role is granted. */
export function entityTables(orm: LiveryOrm): string[] {
  return [...orm.getMetadata()].filter(meta => !meta.embeddable && !meta.virtual && meta.tableName).map(meta => meta.tableName);
}
