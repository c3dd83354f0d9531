/**
 * The example app: `npm start` serves it on embedded defaults — port 3000 (PORT to change), an
 * embedded PostgreSQL (PGlite, kept in .livery/pglite; DATABASE_URL for a real server), the
 * example tenants seeded on first start.
 *
 * `npm start -- --workers 3` runs three processes on the one port; they share state and pub/sub
 * through Redis (LIVERY_STATE_BACKEND=redis, LIVERY_PUBSUB=redis) and data through PostgreSQL
 * (DATABASE_URL) — see docs/scaling.md.
 */
import { fileURLToPath } from 'node:url';
import { createDatabase, databaseOptionsFromEnv } from './server/data/index.ts';
import { createServer, StartupError } from './server/index.ts';
import { isWorker, superviseWorkers, workerCount } from './server/workers/index.ts';
import { exampleDatabase } from './data/index.ts';
import { EXAMPLE_TENANCY_ENV, routes } from './views/index.ts';

for (const [name, value] of Object.entries(EXAMPLE_TENANCY_ENV)) process.env[name] ??= value;
const production = process.env.NODE_ENV === 'production';

try {
  const workers = workerCount(process.argv.slice(2));
  if (workers > 1 && !isWorker()) {
    // Migrate and seed once, here, rather than racing in every worker.
    const database = await createDatabase({ ...databaseOptionsFromEnv(), ...exampleDatabase, migrate: !production });
    if (database.kind === 'pglite') throw new StartupError([{ id: 'livery.C020', detail: `--workers ${workers} with the embedded PGlite database` }]);
    if (!production) await exampleDatabase.seed(database);
    await database.close();
    await superviseWorkers(fileURLToPath(import.meta.url), workers);
    process.exit(0);
  }
  // Development migrates on start; production runs `npm run migrate` as a deploy step.
  const database = await createDatabase({ ...databaseOptionsFromEnv(), ...exampleDatabase, migrate: !production && !isWorker() });
  if (!production && !isWorker()) await exampleDatabase.seed(database);
  const server = await createServer({ routes, layout: 'layout.html', database });
  server.app.addHook('onClose', () => database.close());
  const url = await server.listen();
  server.app.log.info(`Livery example app: ${url}`);
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
