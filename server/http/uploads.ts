/**
 * The tus endpoint for resumable uploads, `/_livery/uploads` (and `/_livery/uploads/:id`), also
 * under the tenant prefix with path tenancy. Each request's tenant is resolved as a page's is
 * (host, path, membership, admission) and its session read from the cookie — never created
 * here — and both are handed to the protocol handler (`server/uploads/tus.ts`), which checks them
 * against the upload token.
 *
 * PATCH bodies are not parsed: the raw request streams into the upload store with backpressure
 * (the uWS adapter pauses the socket while the disk catches up), so a 100 MB upload holds a few
 * chunks of memory, not 100 MB.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LiveryError, registryCode, statusOf } from '../errors.ts';
import { readSessionId, sessionTag, type SessionStore } from '../session/index.ts';
import type { TenantGate } from '../tenancy/gate.ts';
import { handleTus, tusOptions, TUS_CONTENT_TYPE, type TusResponse, type Uploads } from '../uploads/index.ts';
import { requestInfo } from './index.ts';

export const UPLOADS_PATH = '/_livery/uploads';

export interface UploadRoutesOptions {
  readonly uploads: Uploads;
  readonly sessions: SessionStore;
  readonly gate: TenantGate;
  readonly patternsFor: (path: string) => string[];
  readonly tenantParam: string;
}

export function registerUploadRoutes(fastify: FastifyInstance, options: UploadRoutesOptions): void {
  const { uploads, sessions, gate, tenantParam } = options;
  const scope = fastify;
  {
    // The body is the upload's bytes: leave the stream to the handler. (Only tus PATCHes use this
    // content type; the parser is registered on the app, not in a child context, so the routes
    // exist before the app is ready.)
    scope.addContentTypeParser(TUS_CONTENT_TYPE, (_request, _payload, done) => done(null, undefined));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string | undefined>;
      let response: TusResponse;
      try {
        if (request.method === 'OPTIONS') return send(request, reply, tusOptions());
        const sessionId = readSessionId(request.headers.cookie);
        const data = sessionId === undefined ? undefined : await sessions.get(sessionId);
        if (sessionId === undefined || data === undefined) throw new LiveryError('LV_UPLOAD_FORBIDDEN', 'no session');
        const { tenant } = await gate.forPage(requestInfo(request), sessionId, data, params[tenantParam]);
        const raw = request.raw as unknown as AsyncIterable<Uint8Array> & { aborted?: boolean };
        response = await handleTus(uploads, {
          method: request.method, id: params.id, tenant, session: sessionTag(sessionId), body: raw,
          header: (name) => {
            const value = request.headers[name];
            return Array.isArray(value) ? value[0] : value;
          },
          aborted: () => raw.aborted === true,
        });
      } catch (error) {
        const code = registryCode(error);
        if (code === undefined || statusOf(code) >= 500) request.log.error({ err: error }, 'upload request failed');
        const status = code === undefined ? 500 : statusOf(code);
        response = { status, headers: { 'Livery-Error': code ?? 'LV_INTERNAL', 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ code: code ?? 'LV_INTERNAL', message: code === undefined ? 'An internal error occurred; the server logged it.' : (error as LiveryError).message }) };
      }
      return send(request, reply, response);
    };
    for (const path of [UPLOADS_PATH, `${UPLOADS_PATH}/:id`]) {
      for (const url of options.patternsFor(path)) {
        scope.route({ method: ['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE'], url, handler, exposeHeadRoute: false });
      }
    }
  }
}

/** A HEAD answer has no body (its error code travels in the Livery-Error header). */
function send(request: FastifyRequest, reply: FastifyReply, response: TusResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(request.method === 'HEAD' ? undefined : response.body);
}
