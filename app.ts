/**
 * The example app: `npm start` serves it on embedded defaults — port 3000 (PORT to change), an
 * embedded PostgreSQL (PGlite, kept in .livery/pglite; DATABASE_URL for a real server), the
 * example tenants seeded on first start.
 */
import { createDatabase, databaseOptionsFromEnv } from './server/data/index.ts';
import { createServer, StartupError } from './server/index.ts';
import { EXAMPLE_TENANCY_ENV, routes } from './views/index.ts';
import { seedExampleApp } from './views/seed.ts';

for (const [name, value] of Object.entries(EXAMPLE_TENANCY_ENV)) process.env[name] ??= value;
const production = process.env.NODE_ENV === 'production';

try {
  // Development migrates on start; production runs `npm run migrate` as a deploy step.
  const database = await createDatabase({ ...databaseOptionsFromEnv(), migrate: !production });
  if (!production) await seedExampleApp(database);
  const server = await createServer({ routes, layout: 'layout.html', database });
  server.app.addHook('onClose', () => database.close());
  const url = await server.listen();
  server.app.log.info(`Livery example app: ${url}`);
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
