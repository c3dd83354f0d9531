/**
 * Livery as a Fastify plugin: `app.register(livery, options)` in an app created with
 * `Fastify({ serverFactory })` (Livery's re-export of the uWebSockets.js server factory), or
 * standalone through `createServer(options)`.
 *
 * Setup is the startup check pass: configuration, templates, routes, client bundle and the uWS
 * app are all checked, and every problem is reported at once (StartupError) before the server
 * listens. Shutdown (Fastify's onClose) stops accepting sockets, saves every view's state and
 * closes the sockets with 1001 "going away".
 */
import { getUws } from './http/uws-adapter/server.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TemplatedApp } from 'uws-pack';
import { failOn, type Problem } from './config/checks.ts';
import { resolveConfig, type LiveryConfig, type LiveryOptions } from './options/index.ts';
import { errors } from './errors.ts';
import { loadClientBundle } from './http/client-bundle.ts';
import { registerHttp } from './http/index.ts';
import { createLayout } from './http/page.ts';
import { Runtime } from './live/runtime.ts';
import { attachLiveSocket } from './socket/index.ts';
import { rotateSession, type SessionData, type SessionStore } from './session/index.ts';
import type { StateBackend } from './state/index.ts';
import { createBackends, notifySaves, type Backends } from './backends.ts';
import type { TenantDirectory } from './tenancy/directory.ts';
import { createTenancy } from './tenancy/setup.ts';
import { createTemplateLoader, TemplateCompileErrors, type Template, type TemplateLoader } from './template/index.ts';
import { loadSecret, TokenSigner } from './token/index.ts';
import { checkWatchedEntities, registerViews } from './view/routes.ts';
import { describeError } from './log/error-report.ts';
import { OVERLAY_SCRIPT, OVERLAY_SCRIPT_PATH } from './dev/overlay.ts';
import { readSnapshot, writeSnapshot } from './dev/snapshot.ts';
import { registerUploadRoutes, UPLOADS_PATH } from './http/uploads.ts';
import { LocalUploadStore, Uploads, type UploadFieldOptions } from './uploads/index.ts';

export interface LiveryHandle {
  readonly config: LiveryConfig;
  readonly runtime: Runtime;
  /** Where apps keep session data (e.g. the signed-in `userId`, bound to a tenant). */
  readonly sessions: SessionStore;
  readonly backends: Backends;
  /** The tenant directory (cached lookups), when tenancy is on. */
  readonly directory: TenantDirectory | undefined;
  /**
   * Gives the request's browser session a fresh id (Set-Cookie on `reply`), with `data` merged
   * over what it held, and ends the old id. Call it at sign-in and sign-out (docs/sessions.md).
   */
  rotateSession(request: FastifyRequest, reply: FastifyReply, data?: SessionData): Promise<string>;
}

declare module 'fastify' {
  interface FastifyInstance {
    livery: LiveryHandle;
  }
}

const plugin: FastifyPluginAsync<LiveryOptions> = async (fastify, options) => {
  const config = resolveConfig(options);
  const problems: Problem[] = [];
  const uwsApp = findUws(fastify, problems);
  const templates = compileTemplates(config, problems);
  const views = templates ? registerViews(config.routes, templates, problems) : new Map();
  const layout = templates && config.layout ? loadLayout(templates, config.layout, problems) : undefined;
  const bundle = loadClientBundle(problems);
  checkWatchedEntities(config.routes, options.database, problems);
  failOn(problems);

  const secret = loadSecret({ secret: config.secret, file: config.secretFile });
  const backends = await createBackends(config, options, fastify.log, problems, secret);
  failOn(problems);
  const backend: StateBackend = backends!.state;
  const sessions = backends!.sessions;
  // Dev loop only: the state and sessions the previous process handed over at its restart.
  if (config.dev !== undefined) {
    const restored = readSnapshot(config.dev.snapshotFile, backends!);
    if (restored !== undefined) fastify.log.info(restored, 'dev: restored the previous process\'s views and sessions');
  }
  const describe = config.dev === undefined ? undefined : (error: unknown) => describeError(error, { baseDir: config.templatesDir });
  const signer = new TokenSigner(secret, config.tokenTtlSeconds);
  const tenancy = await createTenancy(config, options.database, problems);
  const uploads = problems.length > 0 ? undefined : await createUploads(config, options, views, tenancy, backends!, secret, fastify, problems);
  if (problems.length > 0) {
    // The Redis connections are open by now: left open, they would keep the failed process alive.
    await backends!.close();
    failOn(problems);
  }
  const runtime = new Runtime({
    config, log: fastify.log, views, backend, signer, gate: tenancy.gate, database: options.database,
    pubsub: backends!.pubsub, presence: backends!.presence, describe, uploads,
  });
  if (options.database !== undefined) notifySaves(options.database, backends!.pubsub, fastify.log);
  registerHttp(fastify, {
    runtime, routes: config.routes, bundle: bundle!, layout: createLayout(layout), sessions,
    patternsFor: tenancy.patternsFor, tenantParam: tenancy.tenantParam, redisHealth: backends!.redis,
    dev: describe === undefined ? undefined : { describe, scriptPath: OVERLAY_SCRIPT_PATH },
  });
  if (uploads !== undefined) {
    registerUploadRoutes(fastify, { uploads, sessions, gate: tenancy.gate, patternsFor: tenancy.patternsFor, tenantParam: tenancy.tenantParam });
  }
  if (config.dev !== undefined) {
    fastify.get(OVERLAY_SCRIPT_PATH, (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(OVERLAY_SCRIPT));
  }
  const socket = attachLiveSocket(uwsApp!, runtime, sessions);
  fastify.decorate('livery', {
    config, runtime, sessions, backends: backends!, directory: tenancy.directory,
    rotateSession: (request: FastifyRequest, reply: FastifyReply, data: SessionData = {}) => rotateSession(sessions, request, reply, data, config.production),
  });

  fastify.addHook('onClose', async () => {
    socket.stopAccepting();
    await runtime.shutdown((conn) => conn.close(errors.LV_SERVER_SHUTDOWN.close, 'server shutting down'));
    // Every view was just saved: hand state and sessions to the next dev process.
    if (config.dev !== undefined) {
      const written = writeSnapshot(config.dev.snapshotFile, backends!);
      fastify.log.info(written, 'dev: saved views and sessions for the next process');
    }
    await uploads?.close();
    await backends!.close();
    // Fastify's uWS adapter leaves keep-alive HTTP connections open for seconds; closing the
    // uWS app ends them now, so shutdown is prompt.
    uwsApp!.close();
  });
};

// Like fastify-plugin: no encapsulation, so `fastify.livery` is visible to the app.
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
export const livery = plugin;

/**
 * The upload service, when a routed view declares upload fields: the store (the local directory
 * unless the app passes `uploadStore`, checked writable: livery.C061), the records from the
 * backends, and the tus endpoint's URL per tenant (tenant-prefixed under path tenancy).
 */
async function createUploads(
  config: LiveryConfig, options: LiveryOptions, views: Map<string, { viewClass: { uploads?: Record<string, unknown> } }>,
  tenancy: { patternsFor: (path: string) => string[]; tenantParam: string }, backends: Backends, secret: Uint8Array,
  fastify: FastifyInstance, problems: Problem[],
): Promise<Uploads | undefined> {
  const declaring = [...views.values()].filter((entry) => Object.keys(entry.viewClass.uploads ?? {}).length > 0);
  if (declaring.length === 0) return undefined;
  const store = options.uploadStore ?? new LocalUploadStore(config.uploads.dir);
  try {
    await store.check();
  } catch (error) {
    problems.push({ id: 'livery.C061', detail: `${config.uploads.dir}: ${(error as Error).message}`, error });
    return undefined;
  }
  const prefixed = tenancy.patternsFor(UPLOADS_PATH).at(-1)!;
  const { tenantQuotaBytes } = config.uploads;
  const uploads = new Uploads({
    store, meta: backends.uploads, secret, expireSeconds: config.uploads.expireSeconds, chunkBytes: config.uploads.chunkBytes,
    quota: config.uploads.quota ?? (() => tenantQuotaBytes),
    field: (view, field) => {
      const fields = views.get(view)?.viewClass.uploads as Record<string, UploadFieldOptions> | undefined;
      return fields !== undefined && Object.hasOwn(fields, field) ? fields[field] : undefined;
    },
    endpoint: (tenant) => prefixed.replace(`:${tenancy.tenantParam}`, tenant),
    log: fastify.log,
  });
  uploads.startSweeping();
  return uploads;
}

function findUws(fastify: FastifyInstance, problems: Problem[]): TemplatedApp | undefined {
  try {
    return getUws(fastify) as unknown as TemplatedApp;
  } catch {
    problems.push({ id: 'livery.C008', detail: 'fastify.server is not a uWebSockets.js server' });
    return undefined;
  }
}

function compileTemplates(config: LiveryConfig, problems: Problem[]): TemplateLoader | undefined {
  try {
    const loader = createTemplateLoader(config.templatesDir);
    loader.compileAll();
    return loader;
  } catch (error) {
    const each = error instanceof TemplateCompileErrors ? error.errors : [error as Error];
    for (const e of each) problems.push({ id: 'livery.C005', detail: e.message, error: e });
    return undefined;
  }
}

function loadLayout(templates: TemplateLoader, name: string, problems: Problem[]): Template | undefined {
  try {
    return templates.load(name);
  } catch (error) {
    problems.push({ id: 'livery.C005', detail: `layout ${name}: ${(error as Error).message}`, error });
    return undefined;
  }
}
