/** The example app as `npm start` runs it, on an in-memory PGlite, for the browser tests. */
import { fileURLToPath } from 'node:url';
import { exampleDatabase } from '../../data/index.ts';
import { createDatabase } from '../../server/data/index.ts';
import { components, EXAMPLE_TENANCY_ENV, routes, views } from '../../views/index.ts';
import type { CreateServerOptions } from '../../server/index.ts';
import { startServer, type TestServer } from '../live/harness.ts';

export async function startExampleApp(options: CreateServerOptions = {}): Promise<TestServer & { closeAll(): Promise<void> }> {
  const database = await createDatabase({ pglite: 'memory://', ...exampleDatabase, migrate: true });
  await exampleDatabase.seed(database);
  const server = await startServer({
    routes,
    components,
    views,
    templatesDir: fileURLToPath(new URL('../../templates/', import.meta.url)),
    staticDir: fileURLToPath(new URL('../../static/', import.meta.url)),
    layout: 'layout.html',
    database,
    // Chromium resolves *.localhost to loopback, over IPv4 or IPv6.
    host: '::',
    tenancy: {
      resolver: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_RESOLVER.split(',') as Array<'subdomain' | 'path'>,
      mainDomain: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_MAIN_DOMAIN,
      pathPrefix: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_PATH_PREFIX,
      default: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_DEFAULT,
    },
    ...options,
  });
  return { ...server, closeAll: async () => { await server.close(); await database.close(); } };
}
