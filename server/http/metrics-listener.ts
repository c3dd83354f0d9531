/**
 * The metrics on a port of their own (`metrics.port`, D46): a plain node:http listener bound to
 * `metrics.host` (loopback by default) that answers `GET /_livery/metrics` and nothing else. The
 * app's port — every tenant host — then has no metrics route at all, so no tenant can reach it,
 * token or not; a scraper on the same machine or network reads it directly.
 *
 * With a token configured it is required here too; without one the listener must be on loopback
 * (livery.C056), where only local processes reach it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, type LiveryMetrics } from '../metrics/index.ts';
import { bearerCheck, METRICS_PATH } from './health.ts';

export interface MetricsListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsListenerOptions {
  readonly metrics: LiveryMetrics;
  readonly token: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly onError: (error: unknown) => void;
}

export async function listenMetrics(options: MetricsListenerOptions): Promise<MetricsListener> {
  const check = options.token === undefined ? () => true : bearerCheck(options.token);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== METRICS_PATH) return void response.writeHead(404).end();
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (!check(request.headers.authorization)) return void response.writeHead(401, { 'www-authenticate': 'Bearer', 'cache-control': 'no-store' }).end();
    options.metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        options.onError(error);
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', options.onError);
  const { port } = server.address() as AddressInfo;
  return {
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
