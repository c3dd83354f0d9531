/**
 * Health and metrics, kept apart on purpose.
 *
 * `/healthz` answers on every host — a load balancer asks it through whatever host it likes — so
 * it says only whether this process can serve: 200 `ok`, or 503 `degraded` during a Redis outage.
 * Nothing about load: live counts on a tenant's host would tell every tenant how busy the others
 * are (issue 10, finding 11).
 *
 * The metrics (Prometheus text, server/metrics) are at `GET /_livery/metrics`, in one of two
 * places (D46): on the app's port behind a bearer token (`LIVERY_METRICS_TOKEN`), or — with
 * `metrics.port` — on a listener of their own (metrics-listener.ts) and not on the app's port at
 * all. With neither configured the route does not exist (404, like any unknown path).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, type LiveryMetrics } from '../metrics/index.ts';

export const METRICS_PATH = '/_livery/metrics';

export interface HealthOptions {
  readonly redisHealth?: () => { status: string; since: number };
  /** Set when the metrics are served on the app's port (behind `metricsToken`). */
  readonly metrics: LiveryMetrics | undefined;
  readonly metricsToken: string | undefined;
}

export function registerHealth(fastify: FastifyInstance, options: HealthOptions): void {
  // 200 while every backend answers; 503 "degraded" during a Redis outage (sessions keep running
  // on what each process holds; writes wait for Redis within the command timeout).
  fastify.get('/healthz', (_request, reply) => {
    const redis = options.redisHealth?.();
    const degraded = redis !== undefined && redis.status !== 'up';
    return reply.code(degraded ? 503 : 200).header('cache-control', 'no-store')
      .send({ status: degraded ? 'degraded' : 'ok', ...(redis === undefined ? {} : { redis: { status: redis.status, since: new Date(redis.since).toISOString() } }) });
  });

  const { metrics, metricsToken } = options;
  // On the app's port the token is required (resolve.ts never serves metrics there without one).
  if (metrics === undefined || metricsToken === undefined) return;
  const check = bearerCheck(metricsToken);
  fastify.get(METRICS_PATH, async (request, reply) => {
    if (!check(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').header('cache-control', 'no-store').send();
    }
    return reply.header('cache-control', 'no-store').type(METRICS_CONTENT_TYPE).send(await metrics.render());
  });
}

/**
 * `Authorization: Bearer <token>` against the configured token, compared as SHA-256 digests:
 * equal length for timingSafeEqual, and no early exit on a matching prefix.
 */
export function bearerCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
