/**
 * A real Livery server for a test file: the app's routes, templates and layout on a loopback
 * port, a database (an in-memory PGlite, migrated, unless the test passes one), sessions the
 * test signs users into, and the server's log lines kept for assertions.
 * Start one per test file and mount as many views as the tests need: PGlite takes seconds to
 * start, a mount takes milliseconds.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { fastifyTrustProxy } from '../admission/index.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { parse } from 'node-html-parser';
import { resolveConfig, type LiveryOptions, type LogLevel } from '../options/index.ts';
import { createDatabase, TenantSchema, type AppDatabase, type Database, type TenantSettings } from '../data/index.ts';
import { LiveryError } from '../errors.ts';
import { serverFactory } from '../index.ts';
import { livery } from '../plugin.ts';
import { A_TOKEN, A_VIEW } from '../protocol/index.ts';
import { A_FLASH, FLASH_ID, isFlashKind, type FlashKind } from '../protocol/flash.ts';
import { newSessionId, SESSION_COOKIE } from '../session/index.ts';
import type { Route } from '../view/routes.ts';
import { routeToTenant } from './tenant-route.ts';
import { TestView, type LoadedPage } from './test-view.ts';

/** What the test client needs of an app: the shape `defineApp(...)` returns. */
export interface TestableApp {
  readonly routes: readonly Route[];
  readonly templatesDir?: string | URL;
  readonly staticDir?: string | URL;
  readonly layout?: string;
  readonly database?: AppDatabase;
  /** Environment defaults (the app's tenancy, say); a variable already set wins. */
  readonly env?: Readonly<Record<string, string>>;
  readonly options?: LiveryOptions;
}

export interface TestAppOptions {
  /** Use this database (not closed by the test app); default: a fresh in-memory PGlite, migrated. */
  database?: Database;
  /** Run the app's `database.seed` after migrating (default false: tests make their own data). */
  seed?: boolean;
  /** Options over the app's own (e.g. `state`, `tenancy`). */
  options?: LiveryOptions;
  /** Server log level kept in `logs` (default `warn`). */
  logLevel?: LogLevel;
  /** How long to wait for a reply or push before calling it a hang (default 15000 ms: generous, so a loaded CI machine is never mistaken for a hang). */
  timeoutMs?: number;
}

export interface MountOptions {
  /** Values for the path's `:name` segments. */
  params?: Record<string, string>;
  /** The browser session: a signed-in user and session data. */
  session?: { userId?: string; data?: Record<string, unknown> };
  /** The tenant to request the page under (created in the test database if missing). */
  tenant?: string | { id: string; name?: string; settings?: TenantSettings };
  /** Extra request headers for the page and the socket. */
  headers?: Record<string, string>;
}

export interface TestApp {
  readonly url: string;
  readonly port: number;
  /** The Fastify instance (`server.livery` is Livery's handle). */
  readonly server: FastifyInstance;
  /** The database views use, if the app has one. */
  readonly database: Database | undefined;
  /** Server log lines (pino JSON) at or above the log level. */
  readonly logs: Array<Record<string, unknown>>;
  /** Fetches the page at `path` and joins its view over a new socket, as a new browser tab would. */
  mount(path: string, options?: MountOptions): Promise<TestView>;
  /** Closes every view's socket, the server, and the database it opened. */
  close(): Promise<void>;
}

export async function createTestApp(app: TestableApp, options: TestAppOptions = {}): Promise<TestApp> {
  for (const [name, value] of Object.entries(app.env ?? {})) process.env[name] ??= value;
  const liveryOptions: LiveryOptions = {
    ...app.options,
    routes: [...app.routes],
    ...(app.layout !== undefined ? { layout: app.layout } : {}),
    ...(app.templatesDir !== undefined ? { templatesDir: pathOf(app.templatesDir) } : {}),
    ...(app.staticDir !== undefined ? { staticDir: pathOf(app.staticDir) } : {}),
    ...options.options,
    production: false,
    // Servers of one test that share backends share a secret (one token verifies on each).
    secret: options.options?.secret ?? randomBytes(32).toString('base64url'),
  };
  const config = resolveConfig(liveryOptions);
  const needsDatabase = app.database !== undefined || config.tenancy !== undefined || options.database !== undefined;
  const ownDatabase = needsDatabase && options.database === undefined;
  const database = options.database ?? (ownDatabase ? await openTestDatabase(app) : undefined);
  const logs: Array<Record<string, unknown>> = [];
  let server: FastifyInstance | undefined;
  try {
    if (database !== undefined && options.seed) await app.database?.seed?.(database);
    if (database !== undefined && config.tenancy?.default) await ensureTenant(database, { id: config.tenancy.default });
    server = Fastify({
      serverFactory,
      // The client address behind trusted proxies, as the live socket sees it (server/admission).
      trustProxy: fastifyTrustProxy(config.trustProxy),
      logger: { level: options.logLevel ?? 'warn', stream: { write: (line: string) => void logs.push(JSON.parse(line)) } },
      logController: new LogController({ disableRequestLogging: true }),
    });
    await server.register(livery, { ...liveryOptions, database });
    server.setNotFoundHandler(server.livery.notFound);
    await server.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await server?.close();
    if (ownDatabase) await database?.close();
    throw error;
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const views = new Set<TestView>();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const handle = server.livery;
  const fastify = server;
  let closing: Promise<void> | undefined;

  /** Loads a page as the browser would (following redirects) and joins its view over a new socket. */
  async function load(path: string, cookie: string, headers: Record<string, string>): Promise<TestView> {
    const page = await getPage(port, path, { ...headers, cookie });
    const view: TestView = await TestView.join({
      port, livery: handle, ...page, cookie, headers, timeoutMs,
      load: (next) => load(next, cookie, headers),
      onClose: async () => void views.delete(view),
    });
    views.add(view);
    return view;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    database,
    logs,
    async mount(path, mountOptions = {}) {
      const tenant = typeof mountOptions.tenant === 'string' ? { id: mountOptions.tenant } : mountOptions.tenant;
      const route = routeToTenant(handle.config.tenancy, tenant?.id, fillParams(path, mountOptions.params), port);
      if (tenant !== undefined && database !== undefined) await ensureTenant(database, tenant);
      const sessionId = newSessionId();
      const session = mountOptions.session;
      await handle.sessions.set(sessionId, { ...session?.data, ...route.session, ...(session?.userId !== undefined ? { userId: session.userId } : {}) });
      const cookie = `${SESSION_COOKIE}=${sessionId}`;
      const headers = { ...mountOptions.headers, ...route.headers };
      return load(route.path, cookie, headers);
    },
    close() {
      return (closing ??= (async () => {
        await Promise.all([...views].map((view) => view.close()));
        await fastify.close();
        if (ownDatabase) await database?.close();
      })());
    },
  };
}

/**
 * Mounts one view on a test app of its own; closing the view closes the app. For several views
 * in one file, share a `createTestApp` instead (its database starts once).
 *
 * @example
 * const view = await mountView(app, '/counter');
 * await view.click('button[lv-click=inc]');
 * assert.equal(view.find('#count')?.text, '1');
 * await view.close();
 */
export async function mountView(app: TestableApp, path: string, options: MountOptions & TestAppOptions = {}): Promise<TestView> {
  const { params, session, tenant, headers, ...appOptions } = options;
  const testApp = await createTestApp(app, appOptions);
  try {
    const view = await testApp.mount(path, { params, session, tenant, headers });
    const close = view.close.bind(view);
    view.close = async () => {
      await close();
      await testApp.close();
    };
    return view;
  } catch (error) {
    await testApp.close();
    throw error;
  }
}

/**
 * An in-memory PGlite with the schema migrated: Livery's tables and the app's (its entities and
 * migrations are handed to `createDatabase` as `defineApp` declared them).
 */
function openTestDatabase(app: TestableApp): Promise<Database> {
  const { entities, migrations } = app.database ?? {};
  return createDatabase({ pglite: 'memory://', migrate: true, entities, migrations });
}

async function ensureTenant(database: Database, tenant: { id: string; name?: string; settings?: TenantSettings }): Promise<void> {
  const em = database.orm.em.fork({ clear: true });
  if ((await em.findOne(TenantSchema, { id: tenant.id })) !== null) return;
  em.create(TenantSchema, { id: tenant.id, name: tenant.name ?? tenant.id, settings: tenant.settings ?? {}, domains: [] });
  await em.flush();
}

function fillParams(path: string, params: Record<string, string> = {}): string {
  const used = new Set<string>();
  const filled = path.replace(/:(\w+)/g, (_match, name: string) => {
    if (!Object.hasOwn(params, name)) throw new LiveryError('LV_TEST_SETUP_INVALID', `no value for :${name} in params`);
    used.add(name);
    return encodeURIComponent(params[name]);
  });
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length > 0) throw new LiveryError('LV_TEST_SETUP_INVALID', `params ${unused.join(', ')} name no :segment of ${path}`);
  return filled;
}

/**
 * GETs the page as a browser would (node:http: fetch cannot set Host), following redirects on the
 * app (at most 10), and finds the view container, the title and the flash region.
 */
async function getPage(port: number, path: string, headers: Record<string, string>): Promise<LoadedPage> {
  let url = path;
  for (let hops = 0; ; hops++) {
    const { status, location, body } = await new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: url, headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { body += chunk; });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }));
      }).on('error', reject);
    });
    if (status >= 300 && status < 400 && location !== undefined) {
      const next = new URL(location, `http://app${url}`);
      if (next.origin !== 'http://app') throw new LiveryError('LV_TEST_MOUNT_FAILED', `GET ${url}: redirected off the app, to ${location}`);
      if (hops >= 10) throw new LiveryError('LV_TEST_MOUNT_FAILED', `GET ${path}: more than 10 redirects`);
      url = next.pathname + next.search;
      continue;
    }
    const root = parse(body);
    if (status !== 200) {
      const code = root.querySelector('code')?.text ?? 'no error code';
      throw new LiveryError('LV_TEST_MOUNT_FAILED', `GET ${url}: HTTP ${status}, ${code}`);
    }
    const container = root.querySelector(`[${A_TOKEN}]`);
    if (container === null) throw new LiveryError('LV_TEST_MOUNT_FAILED', `GET ${url}: the page has no live view`);
    const flash: { [K in FlashKind]?: string } = {};
    for (const message of root.querySelectorAll(`#${FLASH_ID} [${A_FLASH}]`)) {
      const kind = message.getAttribute(A_FLASH);
      if (isFlashKind(kind)) flash[kind] = message.querySelector('p')?.text ?? '';
    }
    return {
      view: container.getAttribute(A_VIEW) ?? '', token: container.getAttribute(A_TOKEN) ?? '', id: container.getAttribute('id') ?? '',
      url, title: root.querySelector('title')?.text ?? '', flash,
    };
  }
}

function pathOf(dir: string | URL): string {
  return dir instanceof URL ? fileURLToPath(dir) : dir;
}
