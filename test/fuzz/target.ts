/**
 * The fuzz target: the example app as `npm start` serves it (PGlite in memory, seeded, tenancy by
 * subdomain and path), in its own process, so that a crash is an exit the fuzzer sees and memory
 * is the server's alone. Started by `target-process.ts` with an IPC channel:
 *
 *   → { type: 'ready', port }                       once listening
 *   → { type: 'log', line }                         every log line at warn or above (JSON text)
 *   ← { type: 'stats', id } → { type: 'stats', id, stats }   memory after a full GC, live counts
 *
 * Rate limits, socket caps and tenant quotas are lifted: the fuzzer's frames should reach the code
 * behind them (the limits have their own tests, and every frame a limiter drops would be a frame
 * not fuzzed).
 */
import { fileURLToPath } from 'node:url';
import { exampleDatabase } from '../../data/index.ts';
import { createDatabase } from '../../server/data/index.ts';
import { createServer } from '../../server/index.ts';
import { components, EXAMPLE_TENANCY_ENV, routes, views } from '../../views/index.ts';

if (process.send === undefined) {
  process.stderr.write('test/fuzz/target.ts: start me from the fuzzer (needs an IPC channel)\n');
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);

const database = await createDatabase({ pglite: 'memory://', ...exampleDatabase, migrate: true });
await exampleDatabase.seed(database);
const server = await createServer({
  routes,
  components,
  views,
  templatesDir: fileURLToPath(new URL('../../templates/', import.meta.url)),
  layout: 'layout.html',
  database,
  port: 0,
  host: '127.0.0.1',
  handleSignals: false,
  secret: 'fuzz-secret-fuzz-secret-fuzz-secret-0123',
  logLevel: 'warn',
  logStream: { write: (line) => send({ type: 'log', line }) },
  tenancy: {
    resolver: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_RESOLVER.split(',') as Array<'subdomain' | 'path'>,
    mainDomain: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_MAIN_DOMAIN,
    pathPrefix: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_PATH_PREFIX,
    default: EXAMPLE_TENANCY_ENV.LIVERY_TENANT_DEFAULT,
    quotas: { sockets: 1_000_000, eventsPerSecond: 1_000_000 },
  },
  pages: { ratePerSecond: 1_000_000, burst: 1_000_000 },
  socket: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, maxPerIp: 1_000_000, maxPerSession: 1_000_000 },
});
const url = await server.listen();
const runtime = server.app.livery.runtime;

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message: { type: string; id?: number }) => {
  if (message.type === 'stats') {
    gc?.();
    gc?.();
    const memory = process.memoryUsage();
    send({ type: 'stats', id: message.id, stats: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, counts: runtime.counts() } });
  }
});
// Never outlive the fuzzer.
process.on('disconnect', () => {
  void server.close().finally(() => database.close()).finally(() => process.exit(0));
});
send({ type: 'ready', port: Number(new URL(url).port) });
