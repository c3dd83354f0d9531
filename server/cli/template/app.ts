/**
 * __APP_NAME__: `npm start` serves it on http://localhost:3000 (PORT to change), with an embedded
 * PostgreSQL (PGlite, kept in .livery/pglite; set DATABASE_URL for a real server).
 */
import { defineApp } from 'livery';
import { TodoSchema } from './data/todo.ts';
import { seed } from './data/seed.ts';
import { routes } from './views/index.ts';

export default defineApp({
  name: '__APP_NAME__',
  routes,
  templatesDir: new URL('./templates/', import.meta.url),
  database: {
    entities: [TodoSchema],
    migrations: new URL('./data/migrations/', import.meta.url),
    seed,
  },
  // Tenancy: acme.localhost:3000/todos (subdomain) and localhost:3000/t/acme/todos (path) reach
  // tenant `acme`; plain localhost:3000 is `public`. Each variable set in the environment wins.
  env: {
    LIVERY_TENANT_RESOLVER: 'subdomain,path',
    LIVERY_TENANT_MAIN_DOMAIN: 'localhost',
    LIVERY_TENANT_PATH_PREFIX: '/t',
    LIVERY_TENANT_DEFAULT: 'public',
  },
});
