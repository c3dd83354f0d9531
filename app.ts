/**
 * The example app: `npm start` (`livery start`) serves it on embedded defaults — port 3000 (PORT
 * to change), an embedded PostgreSQL (PGlite, kept in .livery/pglite; DATABASE_URL for a real
 * server), the example tenants seeded on first start.
 *
 * `npm start -- --workers 3` runs three processes on the one port; they share state and pub/sub
 * through Redis (LIVERY_STATE_BACKEND=redis, LIVERY_PUBSUB=redis) and data through PostgreSQL
 * (DATABASE_URL) — see docs/scaling.md.
 */
import { exampleDatabase } from './data/index.ts';
import { defineApp } from './server/index.ts';
import { components, EXAMPLE_TENANCY_ENV, routes, views } from './views/index.ts';

export default defineApp({
  name: 'Livery example app',
  routes,
  layout: 'layout.html',
  templatesDir: new URL('./templates/', import.meta.url),
  database: exampleDatabase,
  env: EXAMPLE_TENANCY_ENV,
  options: { components, views },
});
