import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError, type Problem } from '../config/index.ts';

/**
 * Running from source (this file is `.ts`, in a checkout of Livery) the bundle is built into
 * `<checkout>/dist/client/`; the installed package (`dist/server/http/client-bundle.js`)
 * ships it prebuilt beside, in `dist/client/`.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Where `client/build.ts` writes the fingerprinted bundle and its manifest. */
export const CLIENT_DIST = fileURLToPath(new URL(FROM_SOURCE ? '../../dist/client/' : '../../client/', import.meta.url));

/** The client's sources, present only in a checkout (the bundle also compiles the shared protocol module). */
const CLIENT_SOURCES = [fileURLToPath(new URL('../../client/', import.meta.url)), fileURLToPath(new URL('../protocol/', import.meta.url))];

/**
 * In a checkout, (re)builds the client bundle when it is missing or older than a client source
 * file, so `npm start` works on a fresh clone with no build step. An installed package ships its
 * bundle: nothing to do. A failed build is startup check livery.C029.
 */
export async function ensureClientBundle(): Promise<'built' | 'fresh' | 'shipped'> {
  if (!FROM_SOURCE || !existsSync(join(CLIENT_SOURCES[0], 'build.ts'))) return 'shipped';
  const manifest = join(CLIENT_DIST, 'manifest.json');
  const builtAt = existsSync(manifest) ? statSync(manifest).mtimeMs : -1;
  if (builtAt >= 0 && CLIENT_SOURCES.every((dir) => newestTsFile(dir) <= builtAt)) return 'fresh';
  // Built from source only: the specifier is computed so the package build leaves the client out.
  const buildModule = new URL('../../client/build.ts', import.meta.url).href;
  try {
    const { buildClient } = (await import(buildModule)) as { buildClient(options: { outDir: string }): Promise<unknown> };
    await buildClient({ outDir: CLIENT_DIST });
  } catch (error) {
    throw new StartupError([{ id: 'livery.C029', detail: `building the client from ${CLIENT_SOURCES[0]}: ${(error as Error).message}` }]);
  }
  return 'built';
}

function newestTsFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
export const BUNDLE_PREFIX = '/_livery/';

export interface ClientBundle {
  /** Fingerprinted file name, e.g. livery.1a2b3c4d.js. */
  readonly file: string;
  readonly source: Buffer;
}

/** Loads the built client; a missing build is startup check livery.C007. */
export function loadClientBundle(problems: Problem[]): ClientBundle | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(CLIENT_DIST, 'manifest.json'), 'utf8')) as { file: string };
    return { file: manifest.file, source: readFileSync(join(CLIENT_DIST, manifest.file)) };
  } catch (error) {
    problems.push({ id: 'livery.C007', detail: `cannot read ${join(CLIENT_DIST, 'manifest.json')}: ${(error as Error).message}` });
    return undefined;
  }
}
