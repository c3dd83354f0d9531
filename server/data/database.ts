/**
 * `Database` is the data layer's handle: the application ORM (connected as
 * the app role, so RLS applies), the owner-side `migrate()`, and query
 * accounting. Two implementations share one contract: `PgliteDatabase`
 * (default; in-process, a data directory or `memory://`) and
 * `PostgresDatabase` (when a DATABASE_URL is given).
 */
import { resolveTarget, type DatabaseOptions } from './config.ts';
import { PgliteDatabase } from './pglite-database.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { QueryCounter } from './query-counter.ts';
import type { Database } from './types.ts';

/**
 * Opens the database described by `options` (see `databaseOptionsFromEnv`).
 *
 * @example
 * const db = await createDatabase({ ...databaseOptionsFromEnv(), migrate: true });
 * const data = tenantData(db, 'acme');
 * const projects = await scoped(data.forEvent(), ProjectSchema).find();
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const target = resolveTarget(options);
  const counter = new QueryCounter();
  const db =
    target.kind === 'pglite'
      ? await PgliteDatabase.open(target, counter, options.debug)
      : await PostgresDatabase.open(target, counter, options.debug);
  if (options.migrate) {
    try {
      await db.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
