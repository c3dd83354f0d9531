/**
 * Opens an app's database from its `defineApp({ database })` block and the environment
 * (DATABASE_URL, DATABASE_APP_URL, LIVERY_PGLITE_DIR).
 */
import { fileURLToPath } from 'node:url';
import { createDatabase, databaseOptionsFromEnv, type Database, type DatabaseOptions } from '../data/index.ts';
import type { LiveryApp } from './define-app.ts';

/** The app's entities and migrations folder, in the form `createDatabase` takes them. */
export interface AppDatabaseOptions {
  entities?: readonly unknown[];
  migrations?: string;
}

export function appDatabaseOptions(app: LiveryApp): AppDatabaseOptions {
  const { entities, migrations } = app.database ?? {};
  return { entities, migrations: migrations instanceof URL ? fileURLToPath(migrations) : migrations };
}

/** Opens (and, when asked, migrates) the app's database. */
export async function openAppDatabase(app: LiveryApp, options: { migrate: boolean }): Promise<Database> {
  // Typed as the union so the app's entities and migrations reach createDatabase once the data
  // layer takes them; until then they are extra fields it ignores.
  const databaseOptions: DatabaseOptions & AppDatabaseOptions = { ...databaseOptionsFromEnv(), ...appDatabaseOptions(app), migrate: options.migrate };
  return createDatabase(databaseOptions);
}
