/**
 * The HTTP side, as a Fastify plugin: one GET route per live view (first paint; with path
 * tenancy also under the tenant prefix, `/t/:tenant/…`), the client bundle under a fingerprinted,
 * immutable URL, and `/healthz` with the token-guarded metrics (health.ts). The same routes,
 * matched the same way, serve live navigation over the socket (router.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LiveryError, registryCode, statusOf } from '../errors.ts';
import { PageBudget } from '../admission/index.ts';
import type { Runtime } from '../live/runtime.ts';
import { newSessionId, readCookie, readSessionId, sessionCookie, type SessionData, type SessionStore } from '../session/index.ts';
import type { RequestInfo } from '../tenancy/types.ts';
import type { Route } from '../view/routes.ts';
import { BUNDLE_PREFIX, type ClientBundle } from './client-bundle.ts';
import { registerHealth } from './health.ts';
import { errorPage, scriptTag, viewContainer, type Layout } from './page.ts';
import type { DevErrorReport } from '../protocol/index.ts';
import { flashRegionHtml } from '../protocol/flash.ts';
import { hasFlash, takeFlash, withFlash } from '../session/flash.ts';
import { paramsOf } from '../view/page.ts';
import { liveRouter } from './router.ts';
import type { LiveryMetrics } from '../metrics/index.ts';

export interface HttpOptions {
  readonly runtime: Runtime;
  readonly routes: readonly Route[];
  readonly bundle: ClientBundle;
  readonly layout: Layout;
  readonly sessions: SessionStore;
  /** The URL patterns a route is served at (its own path, plus the tenant-prefixed one). */
  readonly patternsFor: (path: string) => string[];
  /** The route param that carries the tenant in prefixed patterns. */
  readonly tenantParam: string;
  readonly redisHealth?: () => { status: string; since: number };
  /** The metrics, when they are served on the app's port (behind the token); undefined otherwise. */
  readonly metrics: LiveryMetrics | undefined;
  /** Dev loop only: pages load the error overlay, and a failed page shows its error in it. */
  readonly dev?: { readonly describe: (error: unknown) => DevErrorReport; readonly scriptPath: string };
}

export function registerHttp(fastify: FastifyInstance, options: HttpOptions): void {
  const { runtime, routes, bundle, layout } = options;
  const head = scriptTag(BUNDLE_PREFIX + bundle.file) + (options.dev === undefined ? '' : scriptTag(options.dev.scriptPath));

  fastify.get<{ Params: { file: string } }>(`${BUNDLE_PREFIX}:file`, (request, reply) => {
    if (request.params.file !== bundle.file) return reply.code(404).send();
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type('text/javascript; charset=utf-8')
      .send(bundle.source);
  });

  registerHealth(fastify, { redisHealth: options.redisHealth, metrics: options.metrics, metricsToken: runtime.config.metricsToken });

  const budget = new PageBudget(runtime.config.pages);
  const tenantRoot = options.patternsFor('').at(-1)!;

  for (const route of routes) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const { [options.tenantParam]: routeTenant, ...pathParams } = request.params as Record<string, string>;
      const url = request.url;
      let resolvedTenant: { id: string } | undefined;
      // Before anything that costs: a session, a tenant lookup, a mount, a stored state (D42).
      const wait = budget.take(request.ip);
      if (wait > 0) {
        const message = new LiveryError('LV_PAGE_RATE_LIMITED').message;
        return reply.code(429).header('retry-after', String(wait)).header('cache-control', 'no-store').type('text/html; charset=utf-8')
          .send(errorPage(layout, 429, 'LV_PAGE_RATE_LIMITED', message));
      }
      try {
        const { id: sessionId, data: sessionData } = await sessionFor(request, reply, options.sessions, runtime.config.production);
        const { tenant, session } = await runtime.gate.forPage(requestInfo(request), sessionId, sessionData, routeTenant);
        resolvedTenant = tenant;
        // From here on every line about this request (its completion included) names tenant and view.
        request.log = reply.log = request.log.child({ tenant: tenant.id, view: route.view.name });
        // Flash messages a redirect kept for this page: shown here, once (taken out of the session).
        const { flash: arrived, rest } = takeFlash(sessionData, tenant.id);
        if (rest !== undefined) await options.sessions.set(sessionId, rest);
        const page = await runtime.renderPage(route.view.name, paramsOf(url, pathParams), session, tenant, { url, flash: arrived });
        if (page.redirect !== undefined) {
          // The view asked to be elsewhere while rendering: a real redirect, its messages kept for the next page.
          if (hasFlash(page.flash)) await options.sessions.set(sessionId, withFlash(rest ?? sessionData, tenant.id, page.flash));
          return reply.code(302).header('location', page.redirect.to).header('cache-control', 'no-store').send();
        }
        const content = viewContainer(route.view.name, page.instance, page.token, page.html);
        // Where the tenant's pages start: '' on its own host, `/t/acme` when the path names it.
        const root = routeTenant === undefined ? '' : tenantRoot.replace(`:${options.tenantParam}`, tenant.id);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
          .send(layout({ title: page.title ?? route.title ?? route.view.name, head, content, flash: flashRegionHtml(page.flash) }, { tenant, root }));
      } catch (error) {
        const code = registryCode(error) ?? 'LV_MOUNT_FAILED';
        const status = statusOf(code);
        if (status >= 500) request.log.error({ err: error, ...(resolvedTenant === undefined ? { view: route.view.name, routeTenant } : {}) }, 'page render failed');
        const message = status >= 500 ? 'This page failed to load; the error was logged.' : (error as Error).message;
        const devHead = options.dev === undefined || status < 500 ? '' : showOnLoad(options.dev, error, code);
        return reply.code(status).type('text/html; charset=utf-8').send(errorPage(layout, status, code, message, devHead));
      }
    };
    for (const url of options.patternsFor(route.path)) fastify.get(url, handler);
  }
  runtime.useRouter(liveRouter(fastify, routes, options.patternsFor, options.tenantParam));
}

/**
 * A 404 page in the app's layout, for Fastify's not-found handler: `createServer` and the test
 * client install it; an app on its own Fastify may too —
 * `fastify.setNotFoundHandler(fastify.livery.notFound)`. A navigation to a path no route serves
 * loads the page and lands here.
 */
export function notFoundHandler(layout: Layout): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (_request, reply) => reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store')
    .send(errorPage(layout, 404, 'LV_ROUTE_NOT_FOUND', 'There is no page at this address.'));
}

/** Dev loop only: the overlay script, and a call that shows this error once the page has loaded. */
function showOnLoad(dev: NonNullable<HttpOptions['dev']>, error: unknown, code: string): string {
  const report = JSON.stringify({ ...dev.describe(error), title: `${code}: the page failed to render` }).replace(/</g, '\\u003c');
  return `${scriptTag(dev.scriptPath)}<script>addEventListener('DOMContentLoaded', () => LiveryDevOverlay.show(${report}));</script>`;
}

/** The request as the tenant resolvers see it. */
export function requestInfo(request: FastifyRequest): Omit<RequestInfo, 'session'> & { session: undefined } {
  const headers = request.headers;
  return {
    host: headers.host ?? '',
    path: request.url.split('?', 1)[0],
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    cookie: (name) => readCookie(headers.cookie, name),
    client: request.ip,
    session: undefined,
  };
}

/**
 * The request's session: the one its cookie names if the store holds it, else a fresh one made
 * here — ids are only ever issued by the server. A cookie value the store does not know (made
 * up, planted by an attacker, expired, rotated away) is replaced, never adopted: session
 * fixation needs the victim to keep an id the attacker knows.
 */
async function sessionFor(request: FastifyRequest, reply: FastifyReply, sessions: SessionStore, secure: boolean): Promise<{ id: string; data: SessionData }> {
  const existing = readSessionId(request.headers.cookie);
  const known = existing === undefined ? undefined : await sessions.get(existing);
  if (existing !== undefined && known !== undefined) return { id: existing, data: known };
  const id = newSessionId();
  const data: SessionData = {};
  await sessions.set(id, data);
  reply.header('set-cookie', sessionCookie(id, secure));
  return { id, data };
}
