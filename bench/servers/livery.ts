/**
 * Livery under test: `createServer` from `server/index.ts` with the example app's counter, clock
 * and search views plus the bench views in `livery-app/`, tuned for load (no per-socket rate
 * limit, deflate available) and otherwise as shipped: the memory state backend keeps its default
 * 100,000 views (more than any scenario opens on one server), and the environment picks backends
 * as usual (scenario 1 sets `LIVERY_STATE_BACKEND=redis` for its write-through rows, scenario 7
 * `LIVERY_PUBSUB=redis`).
 *
 * Everything Livery-specific is loaded with a dynamic import inside a try: while Livery (or one of
 * its modules) is not there yet, this prints `UNAVAILABLE <reason>` and the runner reports "not yet
 * available" for Livery's rows instead of failing. The features advertised on the READY line are
 * the bench routes that actually answer with a joinable page (`data-lv-token`), probed after listen.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { announceReady, announceUnavailable, installControl } from './shared/control.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

interface LiveryServerLike {
  app: {
    livery?: {
      runtime?: { mounts?: number; liveViews?: number; counters?: { events: number; renders: number; framesSent?: number; framesPublished?: number }; database?: { queryCount(): number } };
      backends?: { redisCommands(): number; redisCounts?(): Array<{ roundTrips: number }> };
      directory?: { lookups: number };
    };
  };
  listen(): Promise<string>;
  close(): Promise<void>;
}

async function load(): Promise<{ create: (options: Record<string, unknown>) => Promise<LiveryServerLike>; routes: unknown[]; views: unknown[]; components: unknown; pending: string[] }> {
  try {
    const livery = (await import('../../server/index.ts')) as { createServer?: unknown };
    if (typeof livery.createServer !== 'function') announceUnavailable('server/index.ts exports no createServer');
    const app = await import('./livery-app/routes.ts');
    return { create: livery.createServer as never, routes: app.benchRoutes, views: app.nestedViews, components: app.components, pending: app.pendingViews };
  } catch (err) {
    announceUnavailable(`Livery does not load yet: ${(err as Error).message}`);
  }
}

/** The example templates and the bench's, side by side in one directory (Livery takes one). */
function mergedTemplates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'livery-bench-templates-'));
  for (const from of [join(root, 'templates'), join(here, 'livery-app/templates')]) {
    for (const file of readdirSync(from)) cpSync(join(from, file), join(dir, file), { recursive: true });
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function joinable(port: number, path: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done(res.statusCode === 200 && body.includes('data-lv-token="')));
    });
    req.on('error', () => done(false));
    req.end();
  });
}

const { create, routes, views, components, pending } = await load();
const templatesDir = mergedTemplates();
const secretDir = mkdtempSync(join(tmpdir(), 'livery-bench-secret-'));
const uploadsDir = mkdtempSync(join(tmpdir(), 'livery-bench-uploads-'));
let server: LiveryServerLike;
let port: number;
try {
  port = await freePort();
  server = await create({
    routes,
    views,
    components,
    templatesDir,
    host: '127.0.0.1',
    port,
    handleSignals: false,
    logLevel: 'warn',
    secretFile: join(secretDir, 'secret'),
    uploads: { dir: uploadsDir },
    // The bench is the only client: a per-socket rate limit would cap the very thing measured, and
    // all its thousands of sockets come from one address.
    // Deflate is only used when a client offers it (the bytes scenario's second column).
    socket: { ratePerSecond: 1_000_000_000, rateBurst: 1_000_000_000, compression: true, maxPerIp: 1_000_000 },
    // Every page load of the bench comes from one address too.
    pages: { ratePerSecond: 1_000_000_000, burst: 1_000_000_000 },
    // The page-size scenario's 10,000-row table is ~450 KB of state, past the 256 KiB default.
    state: { maxBytes: 1024 * 1024 },
  });
  await server.listen();
} catch (err) {
  announceUnavailable(`Livery does not start: ${(err as Error).message}`);
}

const paths = ['counter', 'clock', 'search', 'tick-noop', 'table', 'list', 'idle', 'broadcast', 'files', 'page-size-100', 'page-size-1000', 'page-size-10000', 'client-patch', 'tick-1hz', 'tick-5hz', 'tick-10hz', 'tick-20hz', 'stream-none', 'stream-10k'];
const features = (await Promise.all(paths.map(async (p) => ((await joinable(port, `/${p}`)) ? p : null)))).filter((p) => p !== null);
announceReady(port, { features, pending });

installControl({
  // Livery's own accounting: renders and events from the runtime, SQL from the database (none in
  // this app: tenancy is off, so tenant lookups are 0 by construction — test/tenancy/
  // resolution-cost.test.ts measures them with tenancy on), Redis commands from its connections.
  stats: () => {
    const livery = server.app.livery;
    const runtime = livery?.runtime;
    return {
      mounts: runtime?.mounts ?? 0,
      liveViews: runtime?.liveViews ?? 0,
      events: runtime?.counters?.events ?? 0,
      renders: runtime?.counters?.renders ?? 0,
      framesSent: runtime?.counters?.framesSent ?? 0,
      framesPublished: runtime?.counters?.framesPublished ?? 0,
      sql: runtime?.database?.queryCount() ?? 0,
      redis: livery?.backends?.redisCommands() ?? 0,
      // Round trips (a pipelined batch is one): with the Redis state backend, fewer than events
      // when saves from one loop turn share one.
      redisTrips: (livery?.backends?.redisCounts?.() ?? []).reduce((sum, c) => sum + c.roundTrips, 0),
      tenantSql: livery?.directory?.lookups ?? 0,
      tenantRedis: 0,
    };
  },
  close: async () => {
    await server.close();
    rmSync(templatesDir, { recursive: true, force: true });
    rmSync(secretDir, { recursive: true, force: true });
    rmSync(uploadsDir, { recursive: true, force: true });
  },
});
