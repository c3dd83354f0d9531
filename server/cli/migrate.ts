/**
 * `livery migrate [--create <name>] [--seed]` for the app in the current directory: runs
 * pending migrations as the owner (DATABASE_URL; without it the PGlite directory .livery/pglite
 * or LIVERY_PGLITE_DIR), grants the app role, then checks that row-level security is in force
 * for the app connection (non-zero exit if not). `--create <name>` writes the next migration
 * from the entity diff, offline; `--seed` then runs the app's seed.
 */
import { MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import { loadApp } from '../app/load-app.ts';
import { applyAppEnv } from '../app/start-app.ts';
import { openAppDatabase } from '../app/database.ts';
import type { LiveryApp } from '../app/define-app.ts';
import { checkDatabase, databaseOptionsFromEnv, redactUrl } from '../data/index.ts';
import { sharedOrmOptions } from '../data/orm-config.ts';
import { QueryCounter } from '../data/query-counter.ts';
import { reportStartupError } from './start.ts';

export interface MigrateCommandOptions {
  create?: string;
  seed?: boolean;
  /** Let `--create` write drops of tables the entities do not name (the data layer decides). */
  allowDrop?: boolean;
}

export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  let app: LiveryApp;
  try {
    app = await loadApp();
  } catch (error) {
    return reportStartupError(error);
  }
  applyAppEnv(app);
  return runMigrate(app, options);
}

/**
 * The migrate step proper. Integrator: swap in the data layer's
 * `runMigrateCommand(database, { create, seed, allowDrop })` here.
 */
async function runMigrate(app: LiveryApp, options: MigrateCommandOptions): Promise<number> {
  if (options.create !== undefined) return createMigration(options.create);
  const env = databaseOptionsFromEnv();
  console.log(`database: ${env.url ? redactUrl(env.url) : `PGlite ${env.pglite ?? '.livery/pglite'}`}`);
  const db = await openAppDatabase(app, { migrate: false });
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    if (options.seed) {
      if (app.database?.seed === undefined) console.log('seed: the app defines none');
      else {
        await app.database.seed(db);
        console.log('seeded');
      }
    }
    const problems = await checkDatabase(db);
    for (const problem of problems) console.error(`${problem.id}${problem.table ? ` (${problem.table})` : ''}: ${problem.message}\n  hint: ${problem.hint}`);
    if (problems.length === 0) console.log(`check: the app role ${db.appRole} is subject to row-level security`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

// Offline: the diff is taken between the entities and the migrations' snapshot, no database needed.
async function createMigration(name: string): Promise<number> {
  const orm = await PgliteMikroORM.init({ ...sharedOrmOptions({ counter: new QueryCounter(), discoverMigrationFiles: true }), dbName: 'memory://' });
  try {
    const result = await orm.migrator.create(undefined, false, false, name || undefined);
    if (!result.fileName) {
      console.log('no schema changes: nothing to create');
      return 0;
    }
    console.log(`created server/data/migrations/${result.fileName}; list it in server/data/migrations/index.ts`);
    return 0;
  } finally {
    await orm.close(true);
  }
}
