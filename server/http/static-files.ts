/**
 * The app's own files — stylesheets, images, fonts — served from its `static/` folder under
 * `/static/` (Django's convention): `static/app.css` is `/static/app.css`, on every tenant's host
 * alike (they are the app's, not a tenant's). Nothing outside the folder is reachable: no `..`, no
 * dot-files, no symbolic link out of it. Responses carry an ETag and `cache-control: no-cache`, so
 * browsers revalidate (a 304 costs no body) and an edited file shows on the next load.
 */
import { createReadStream, existsSync, realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

export const STATIC_PREFIX = '/static/';

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

/** Serves `dir` under `/static/` when the folder exists (an app without one serves nothing there). */
export function registerStaticFiles(fastify: FastifyInstance, dir: string): void {
  if (!existsSync(dir)) return;
  const root = realpathSync(dir);
  fastify.get<{ Params: { '*': string } }>(`${STATIC_PREFIX}*`, async (request, reply) => {
    const file = await inside(root, request.params['*']);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || info === undefined || !info.isFile()) return reply.callNotFound();
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').header('content-length', info.size).send(createReadStream(file));
  });
}

/** The real path of `relative` under `root`, or undefined when it names anything outside it or hidden. */
async function inside(root: string, relative: string): Promise<string | undefined> {
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return undefined;
  const real = await realpath(join(root, ...segments)).catch(() => undefined);
  return real !== undefined && real.startsWith(root + sep) ? real : undefined;
}
