/**
 * Health and metrics, kept apart on purpose.
 *
 * `/healthz` answers on every host — a load balancer asks it through whatever host it likes — so
 * it says only whether this process can serve: 200 `ok`, or 503 `degraded` during a Redis outage.
 * Nothing about load: live counts on a tenant's host would tell every tenant how busy the others
 * are (issue 10, finding 11).
 *
 * The counts live at `GET /_livery/metrics`, behind a bearer token (`LIVERY_METRICS_TOKEN`). With
 * no token configured the route is not registered at all (404, like any unknown path).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Runtime } from '../live/runtime.ts';

export const METRICS_PATH = '/_livery/metrics';

export interface HealthOptions {
  readonly runtime: Runtime;
  readonly redisHealth?: () => { status: string; since: number };
  /** undefined: no metrics endpoint. */
  readonly metricsToken: string | undefined;
}

export function registerHealth(fastify: FastifyInstance, options: HealthOptions): void {
  const { runtime } = options;
  const redisState = () => {
    const redis = options.redisHealth?.();
    return redis === undefined ? undefined : { status: redis.status, since: new Date(redis.since).toISOString() };
  };

  // 200 while every backend answers; 503 "degraded" during a Redis outage (sessions keep running
  // on what each process holds; writes wait for Redis within the command timeout).
  fastify.get('/healthz', (_request, reply) => {
    const redis = redisState();
    const degraded = redis !== undefined && redis.status !== 'up';
    return reply.code(degraded ? 503 : 200).header('cache-control', 'no-store')
      .send({ status: degraded ? 'degraded' : 'ok', ...(redis === undefined ? {} : { redis }) });
  });

  if (options.metricsToken === undefined) return;
  const expected = digest(options.metricsToken);
  fastify.get(METRICS_PATH, (request, reply) => {
    if (!authorized(request, expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer').header('cache-control', 'no-store').send();
    }
    return reply.header('cache-control', 'no-store').send({
      connections: runtime.connections.size,
      liveViews: runtime.liveViews,
      stateBackend: runtime.backend.name,
      tickLagMs: Math.round(runtime.scheduler.lastLagMs),
      ...(options.redisHealth === undefined ? {} : { redis: redisState() }),
    });
  });
}

/** Compared as SHA-256 digests: equal length for timingSafeEqual, and no early exit on a prefix. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function authorized(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer ([^\s]+)$/.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}
