/**
 * `npm run migrate` — runs pending migrations as the owner (DATABASE_URL;
 * without it, the PGlite directory .livery/pglite or LIVERY_PGLITE_DIR),
 * grants the app role, then runs the startup check and exits non-zero if
 * row-level security is not in force for the app connection.
 *
 *   npx node scripts/migrate.ts                 migrate + check
 *   npx node scripts/migrate.ts --seed          … and load the example tenants
 *   npx node scripts/migrate.ts --create <name> write the next migration from the entity diff
 */
import { parseArgs } from 'node:util';
import { MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import { checkDatabase, createDatabase, databaseOptionsFromEnv, redactUrl, seedExample } from '../server/data/index.ts';
import { sharedOrmOptions } from '../server/data/orm-config.ts';
import { QueryCounter } from '../server/data/query-counter.ts';

const { values } = parseArgs({ options: { seed: { type: 'boolean' }, create: { type: 'string' } } });

if (values.create !== undefined) {
  await createMigration(values.create);
} else {
  process.exitCode = await migrate(Boolean(values.seed));
}

async function migrate(seed: boolean): Promise<number> {
  const options = databaseOptionsFromEnv();
  console.log(`database: ${options.url ? redactUrl(options.url) : `PGlite ${options.pglite ?? '.livery/pglite'}`}`);
  const db = await createDatabase(options);
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    if (seed) console.log(`seeded: ${(await seedExample(db)).created} row(s) created`);
    const problems = await checkDatabase(db);
    for (const problem of problems) console.error(`${problem.id}${problem.table ? ` (${problem.table})` : ''}: ${problem.message}\n  hint: ${problem.hint}`);
    if (problems.length === 0) console.log(`check: the app role ${db.appRole} is subject to row-level security`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

// Offline: the diff is taken between the entities and the migrations' snapshot, no database needed.
async function createMigration(name: string): Promise<void> {
  const orm = await PgliteMikroORM.init({ ...sharedOrmOptions({ counter: new QueryCounter(), discoverMigrationFiles: true }), dbName: 'memory://' });
  try {
    const result = await orm.migrator.create(undefined, false, false, name || undefined);
    if (!result.fileName) {
      console.log('no schema changes: nothing to create');
      return;
    }
    console.log(`created server/data/migrations/${result.fileName}; list it in server/data/migrations/index.ts`);
  } finally {
    await orm.close(true);
  }
}
