import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Problem } from '../config/index.ts';

/** Where `client/build.ts` writes the fingerprinted bundle and its manifest. */
export const CLIENT_DIST = fileURLToPath(new URL('../../dist/client/', import.meta.url));
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
