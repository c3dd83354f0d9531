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
import { loadRegistry } from './registry.ts';
import type { Database } from './types.ts';

/**
 * Opens the database described by `options`: where it lives (see `databaseOptionsFromEnv`), the
 * app's entities and its migrations folder. The app's entities and migrations are checked before
 * anything connects (a StartupError, livery.C022–C024, changes nothing). With `migrate: true`,
 * Livery's migrations run, then the app's, and the app role is granted every registered table.
 *
 * @example
 * const db = await createDatabase({
 *   ...databaseOptionsFromEnv(),
 *   entities: [TodoSchema],
 *   migrations: new URL('./data/migrations/', import.meta.url),
 *   migrate: true,
 * });
 * const todos = await scoped(tenantData(db, 'acme').forEvent(), TodoSchema).find();
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const target = resolveTarget(options);
  const registry = await loadRegistry(options);
  const input = { counter: new QueryCounter(), registry, debug: options.debug };
  const db = target.kind === 'pglite' ? await PgliteDatabase.open(target, input) : await PostgresDatabase.open(target, input);
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
