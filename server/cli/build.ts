/**
 * `livery build`: in a checkout of Livery, (re)builds the client bundle when it is missing or
 * stale; in an app, checks the bundle the installed package ships. Apps have no build step of
 * their own: Node 22 runs their TypeScript as is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_DIST, ensureClientBundle } from '../http/client-bundle.ts';
import { reportStartupError } from './start.ts';

export async function buildCommand(): Promise<number> {
  try {
    const how = await ensureClientBundle();
    const manifest = JSON.parse(readFileSync(join(CLIENT_DIST, 'manifest.json'), 'utf8')) as { file: string; gzipBytes: number };
    console.log(`client: ${manifest.file} (${(manifest.gzipBytes / 1024).toFixed(2)} KB min+gzip, ${how === 'built' ? 'built now' : how === 'fresh' ? 'up to date' : 'shipped with livery'})`);
    return 0;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      console.error(`livery.C007: the client bundle is missing from ${CLIENT_DIST}\n  hint: reinstall livery, or in a checkout run \`npm run build\`.`);
      return 1;
    }
    return reportStartupError(error);
  }
}
