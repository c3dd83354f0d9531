/**
 * The HTTP side, as a Fastify plugin: one GET route per live view (first paint), the client
 * bundle under a fingerprinted, immutable URL, and `/healthz`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LiveryError } from '../errors.ts';
import type { Runtime } from '../live/runtime.ts';
import type { Route } from '../view/routes.ts';
import { BUNDLE_PREFIX, type ClientBundle } from './client-bundle.ts';
import { errorPage, scriptTag, viewContainer, type Layout } from './page.ts';
import { newSessionId, readSessionId, sessionCookie } from './session.ts';

export interface HttpOptions {
  readonly runtime: Runtime;
  readonly routes: readonly Route[];
  readonly bundle: ClientBundle;
  readonly layout: Layout;
}

export function registerHttp(fastify: FastifyInstance, { runtime, routes, bundle, layout }: HttpOptions): void {
  const head = scriptTag(BUNDLE_PREFIX + bundle.file);

  fastify.get<{ Params: { file: string } }>(`${BUNDLE_PREFIX}:file`, (request, reply) => {
    if (request.params.file !== bundle.file) return reply.code(404).send();
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type('text/javascript; charset=utf-8')
      .send(bundle.source);
  });

  fastify.get('/healthz', () => ({
    status: 'ok',
    connections: runtime.connections.size,
    liveViews: runtime.liveViews,
    stateBackend: runtime.backend.name,
    tickLagMs: Math.round(runtime.scheduler.lastLagMs),
  }));

  for (const route of routes) {
    fastify.get(route.path, async (request: FastifyRequest, reply: FastifyReply) => {
      const session = sessionFor(request, reply, runtime.config.production);
      try {
        const params = request.params as Record<string, string>;
        const page = await runtime.renderPage(route.view.name, params, session, 'public');
        const content = viewContainer(route.view.name, page.instance, page.token, page.html);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
          .send(layout({ title: route.title ?? route.view.name, head, content }));
      } catch (error) {
        const code = error instanceof LiveryError ? error.code : 'LV_MOUNT_FAILED';
        const status = error instanceof LiveryError ? error.status : 500;
        request.log.error({ err: error, view: route.view.name, session }, 'page render failed');
        return reply.code(status).type('text/html; charset=utf-8').send(errorPage(layout, status, code, 'This page failed to load; the error was logged.'));
      }
    });
  }
}

function sessionFor(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readSessionId(request.headers.cookie);
  if (existing !== undefined) return existing;
  const id = newSessionId();
  reply.header('set-cookie', sessionCookie(id, secure));
  return id;
}
