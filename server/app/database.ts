/**
 * Opens an app's database from its `defineApp({ database })` block and the environment
 * (DATABASE_URL, DATABASE_APP_URL, LIVERY_PGLITE_DIR).
 */
import { createDatabase, databaseOptionsFromEnv, type Database } from '../data/index.ts';
import type { LiveryApp } from './define-app.ts';

/** Opens (and, when asked, migrates) the app's database. */
export async function openAppDatabase(app: LiveryApp, options: { migrate: boolean }): Promise<Database> {
  const { entities, migrations } = app.database ?? {};
  return createDatabase({ ...databaseOptionsFromEnv(), entities, migrations, migrate: options.migrate });
}
