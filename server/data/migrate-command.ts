/**
 * The `migrate` command (`livery migrate`, `npm run migrate`), for one app's database block:
 *
 *   migrate                      run pending migrations (Livery's, then the app's) as the owner,
 *                                grant the app role, check that row-level security is in force
 *   migrate --seed               … then run the app's seed
 *   migrate --create <name>      write the app's next migration from the entity diff (offline)
 *   migrate --create <name> --allow-drop   … even when it drops tables or columns
 *
 * Returns the exit code; prints what it did to stdout and every problem to stderr.
 */
import { StartupError } from '../config/checks.ts';
import { checkDatabase } from './check.ts';
import type { Env } from '../config/env.ts';
import { databaseOptionsFromEnv, redactUrl, DEFAULT_PGLITE_DIR } from './config.ts';
import { createMigration } from './create-migration.ts';
import { createDatabase } from './database.ts';
import { loadRegistry, type AppDataOptions } from './registry.ts';
import type { Database } from './types.ts';

export interface AppDatabase extends AppDataOptions {
  /** Loads the app's data (development, `migrate --seed`); should be idempotent. */
  seed?: (db: Database) => Promise<unknown>;
}

export interface MigrateArgs {
  /** Write the next migration with this name instead of migrating. */
  create?: string;
  /** Run the app's seed after migrating. */
  seed?: boolean;
  /** Let `create` write a migration that drops tables or columns no entity maps. */
  allowDrop?: boolean;
}

const MIGRATION_NAME = /^[A-Za-z0-9_]{1,80}$/;

/** @example process.exitCode = await runMigrateCommand(app.database, { create: 'add_todos' }); */
export async function runMigrateCommand(database: AppDatabase, args: MigrateArgs, env?: Env): Promise<number> {
  try {
    if (args.create !== undefined) return await create(database, args.create, args.allowDrop === true);
    return await migrate(database, args.seed === true, env);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    console.error(error.message);
    return 1;
  }
}

async function create(database: AppDatabase, name: string, allowDrop: boolean): Promise<number> {
  if (!MIGRATION_NAME.test(name)) {
    console.error(`migrate --create: the name ${JSON.stringify(name)} must be letters, digits and underscores (e.g. add_todos)`);
    return 1;
  }
  const registry = await loadRegistry(database);
  if (registry.migrationsDir === undefined) {
    console.error('migrate --create: the app has no migrations folder; set `database.migrations` (e.g. new URL(\'./migrations/\', import.meta.url))');
    return 1;
  }
  const result = await createMigration(registry, name, { allowDrop });
  if (result.kind === 'refused') {
    console.error(
      `migrate --create: REFUSED — the new migration would DROP data no registered entity maps:\n` +
        result.drops.map(drop => `  - ${drop}`).join('\n') +
        `\nUsually an entity is missing from \`database.entities\`: add it and run this again.\n` +
        `If these really should be dropped, run it again with --allow-drop (e.g. \`npm run migrate -- --create ${name} --allow-drop\`). Nothing was written.`,
    );
    return 1;
  }
  if (result.kind === 'unchanged') {
    console.log('no schema changes: nothing to create');
    return 0;
  }
  console.log(`created ${registry.migrationsDir.replace(/\/?$/, '/')}${result.file}`);
  return 0;
}

async function migrate(database: AppDatabase, seed: boolean, env: Env | undefined): Promise<number> {
  const options = { ...databaseOptionsFromEnv(env), entities: database.entities, migrations: database.migrations };
  console.log(`database: ${options.url ? redactUrl(options.url) : `PGlite ${options.pglite ?? DEFAULT_PGLITE_DIR}`}`);
  const db = await createDatabase(options);
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    if (seed && database.seed) {
      await database.seed(db);
      console.log('seeded');
    }
    const problems = await checkDatabase(db);
    for (const problem of problems) console.error(`${problem.id}${problem.table ? ` (${problem.table})` : ''}: ${problem.message}\n  hint: ${problem.hint}`);
    if (problems.length === 0) console.log(`check: the app role ${db.appRole} is subject to row-level security`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}
