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
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TemplatedApp } from 'uws-pack';
import { failOn, type Problem } from './config/checks.ts';
import { resolveConfig, type LiveryConfig, type LiveryOptions } from './options/index.ts';
import { errors } from './errors.ts';
import { loadClientBundle } from './http/client-bundle.ts';
import { notFoundHandler, registerHttp } from './http/index.ts';
import { listenMetrics, type MetricsListener } from './http/metrics-listener.ts';
import { createMetrics, type LiveryMetrics, type MetricSources } from './metrics/index.ts';
import type { Database } from './data/index.ts';
import { createLayout } from './http/page.ts';
import { Runtime } from './live/runtime.ts';
import { attachLiveSocket } from './socket/index.ts';
import { rotateSession, type SessionData, type SessionStore } from './session/index.ts';
import type { StateBackend } from './state/index.ts';
import { createBackends, notifySaves, type Backends } from './backends.ts';
import type { TenantDirectory } from './tenancy/directory.ts';
import { createTenancy } from './tenancy/setup.ts';
import { watchTenants, type TenantWatcher } from './tenancy/watch.ts';
import { TenantQuotas } from './admission/index.ts';
import { checkTagDefinitions, createTemplateLoader, liveTagOf, TemplateCompileErrors, TemplateSyntaxError, unplacedBlocks, type TagDefinitions, type Template, type TemplateLoader } from './template/index.ts';
import { loadSecret, TokenSigner } from './token/index.ts';
import { checkWatchedEntities, registerViews } from './view/routes.ts';
import { checkComponents, registerComponents } from './view/components.ts';
import { describeError } from './log/error-report.ts';
import { OVERLAY_SCRIPT, OVERLAY_SCRIPT_PATH } from './dev/overlay.ts';
import { readSnapshot, writeSnapshot } from './dev/snapshot.ts';
import { registerStaticFiles } from './http/static-files.ts';
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
  /** The tenant watch (changes heard from the database, rechecks), when tenancy is on. */
  readonly tenantWatch: TenantWatcher | undefined;
  /**
   * Gives the request's browser session a fresh id (Set-Cookie on `reply`), with `data` merged
   * over what it held, and ends the old id. Call it at sign-in and sign-out (docs/sessions.md).
   */
  rotateSession(request: FastifyRequest, reply: FastifyReply, data?: SessionData): Promise<string>;
  /**
   * A 404 page in the app's layout (`LV_ROUTE_NOT_FOUND`). `createServer` installs it as Fastify's
   * not-found handler; on your own Fastify: `fastify.setNotFoundHandler(fastify.livery.notFound)`.
   */
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The Prometheus metrics, when an endpoint is configured (metricsToken or metrics.port). */
  readonly metrics: LiveryMetrics | undefined;
  /** Where the metrics listener listens, with `metrics.port` (its port when 0 was asked for). */
  readonly metricsListener: { readonly host: string; readonly port: number } | undefined;
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
  const componentNames = checkComponents(options.components, problems);
  const templates = compileTemplates(config, options.tags, problems, componentNames, fastify.log);
  const views = templates ? registerViews(config.routes, templates, problems, config.views) : new Map();
  const components = templates ? registerComponents(options.components, templates, problems) : new Map();
  const layout = templates && config.layout ? loadLayout(templates, config.layout, problems) : undefined;
  const bundle = loadClientBundle(problems);
  checkWatchedEntities(config.routes, options.database, problems);
  failOn(problems);

  const secret = loadSecret({ secret: config.secret, file: config.secretFile });
  // Per-tenant quotas (D41) exist before the backends: the state backend asks them for budgets.
  const quotas = new TenantQuotas(config.tenancy?.quotas, fastify.log);
  const backends = await createBackends(config, options, fastify.log, problems, secret, quotas);
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
    pubsub: backends!.pubsub, presence: backends!.presence, quotas, sessions, describe, uploads, components,
    // A tenant's own state quota (its settings.quotas.stateBytes) where set, else the deployment's budget.
    stateBudget: (tenant) => quotas.stateBytes(tenant.id) || config.state.tenantMaxBytes,
  });
  // Suspensions, deletions and settings changes take effect on live sockets at once (D40).
  const tenantWatch = options.database === undefined || tenancy.directory === undefined ? undefined : await watchTenants(options.database, tenancy.directory, {
    recheckSeconds: config.tenancy!.recheckSeconds,
    live: () => runtime.liveTenants(),
    changed: (id, tenant) => runtime.tenantChanged(id, tenant),
    log: fastify.log,
  });
  if (options.database !== undefined) notifySaves(options.database, backends!.pubsub, fastify.log);
  const pageLayout = createLayout(layout);
  const ownPort = config.metrics.port !== undefined;
  const metrics = ownPort || config.metricsToken !== undefined ? createMetrics(metricSources(runtime, backends!, options.database)) : undefined;
  const metricsListener = metrics !== undefined && ownPort ? await startMetricsListener(metrics, config, fastify, problems) : undefined;
  failOn(problems);
  registerHttp(fastify, {
    runtime, routes: config.routes, bundle: bundle!, layout: pageLayout, sessions,
    patternsFor: tenancy.patternsFor, tenantParam: tenancy.tenantParam, redisHealth: backends!.redis,
    metrics: ownPort ? undefined : metrics,
    dev: describe === undefined ? undefined : { describe, scriptPath: OVERLAY_SCRIPT_PATH },
  });
  registerStaticFiles(fastify, config.staticDir);
  if (uploads !== undefined) {
    registerUploadRoutes(fastify, { uploads, sessions, gate: tenancy.gate, patternsFor: tenancy.patternsFor, tenantParam: tenancy.tenantParam });
  }
  if (config.dev !== undefined) {
    fastify.get(OVERLAY_SCRIPT_PATH, (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(OVERLAY_SCRIPT));
  }
  const socket = attachLiveSocket(uwsApp!, runtime, sessions);
  fastify.decorate('livery', {
    config, runtime, sessions, backends: backends!, directory: tenancy.directory, tenantWatch, metrics,
    metricsListener: metricsListener === undefined ? undefined : { host: metricsListener.host, port: metricsListener.port },
    rotateSession: (request: FastifyRequest, reply: FastifyReply, data: SessionData = {}) => rotateSession(sessions, request, reply, data, config.production),
    notFound: notFoundHandler(pageLayout),
  });

  fastify.addHook('onClose', async () => {
    socket.stopAccepting();
    await tenantWatch?.close();
    await runtime.shutdown((conn) => conn.close(errors.LV_SERVER_SHUTDOWN.close, 'server shutting down'));
    // Every view was just saved: hand state and sessions to the next dev process.
    if (config.dev !== undefined) {
      const written = writeSnapshot(config.dev.snapshotFile, backends!);
      fastify.log.info(written, 'dev: saved views and sessions for the next process');
    }
    await uploads?.close();
    await metricsListener?.close();
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

/** What the metrics read, from the runtime and the backends (nothing is copied on the hot path). */
function metricSources(runtime: Runtime, backends: Backends, database: Database | undefined): MetricSources {
  return {
    stats: runtime.counters,
    counts: () => runtime.counts(),
    socketsByTenant: () => {
      const sockets = new Map<string, number>();
      for (const conn of runtime.connections) {
        const tenant = conn.tenant?.id;
        if (tenant !== undefined) sockets.set(tenant, (sockets.get(tenant) ?? 0) + 1);
      }
      return sockets;
    },
    tickLag: runtime.scheduler.lag,
    mounts: () => runtime.mounts,
    redis: () => backends.redisCounts(),
    sqlQueries: () => database?.queryCount(),
  };
}

/** The metrics' own listener (metrics.port); a port that cannot be listened on is livery.C055. */
async function startMetricsListener(metrics: LiveryMetrics, config: LiveryConfig, fastify: FastifyInstance, problems: Problem[]): Promise<MetricsListener | undefined> {
  const { host, port } = config.metrics;
  try {
    const listener = await listenMetrics({
      metrics, token: config.metricsToken, host, port: port!,
      onError: (error) => fastify.log.error({ err: error }, 'metrics listener failed'),
    });
    fastify.log.info(`metrics at http://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${listener.port}/_livery/metrics`);
    return listener;
  } catch (error) {
    problems.push({ id: 'livery.C055', detail: `metrics.port = ${port} on ${host}: ${(error as Error).message}`, error });
    return undefined;
  }
}

function findUws(fastify: FastifyInstance, problems: Problem[]): TemplatedApp | undefined {
  try {
    return getUws(fastify) as unknown as TemplatedApp;
  } catch {
    problems.push({ id: 'livery.C008', detail: 'fastify.server is not a uWebSockets.js server' });
    return undefined;
  }
}

function compileTemplates(
  config: LiveryConfig,
  tags: TagDefinitions | undefined,
  problems: Problem[],
  components: ReadonlySet<string>,
  log: FastifyBaseLogger,
): TemplateLoader | undefined {
  const tagProblems = checkTagDefinitions(tags);
  for (const [id, detail] of tagProblems) problems.push({ id, detail });
  if (tagProblems.length > 0) return undefined;
  try {
    const loader = createTemplateLoader(config.templatesDir, { filters: config.filters, tags, views: viewNames(config), components });
    for (const template of loader.compileAll()) {
      for (const def of unplacedBlocks(template)) {
        const { file, line, column } = def.opener.loc;
        log.warn({ code: 'LV_TEMPLATE_BLOCK_UNUSED', template: file, line, column }, `${file}:${line}:${column}: {% ${def.opener.contents} %} is never shown: no template ${file} extends has a block of that name`);
      }
    }
    return loader;
  } catch (error) {
    const each = error instanceof TemplateCompileErrors ? error.errors : [error as Error];
    for (const e of each) problems.push({ id: 'livery.C005', detail: e.message, error: e });
    return undefined;
  }
}

/** The class names `{% live %}` may nest (D81): routed views and `views`; checked when templates compile. */
function viewNames(config: LiveryConfig): ReadonlySet<string> {
  const classes = [...config.routes.map((r) => r.view), ...(Array.isArray(config.views) ? config.views : [])];
  return new Set(classes.filter((view) => typeof view === 'function').map((view) => view.name));
}

function loadLayout(templates: TemplateLoader, name: string, problems: Problem[]): Template | undefined {
  try {
    const layout = templates.load(name);
    // The layout is no view (D81): a {% live %} or {% live_component %} in it (or in what it includes) could only fail every page at render.
    const live = liveTagOf(layout);
    if (live !== undefined) {
      throw new TemplateSyntaxError(live.loc, `${live.tag} cannot stand in the page layout, which is no view: put it in a view's template (or in a {% extends %} layout of views' templates) instead.`);
    }
    return layout;
  } catch (error) {
    problems.push({ id: 'livery.C005', detail: `layout ${name}: ${(error as Error).message}`, error });
    return undefined;
  }
}
