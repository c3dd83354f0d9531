/**
 * `livery dev`: the app in the current directory under the dev loop (../dev): restarted on every
 * change, open tabs keep their state, errors show in the browser, recovery is automatic. In a
 * checkout of Livery itself the framework's sources are watched too and the client is rebuilt on
 * change.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDev } from '../dev/index.ts';
import { CLIENT_DIST } from '../http/client-bundle.ts';

export async function devCommand(): Promise<number> {
  const cwd = process.cwd();
  const cli = fileURLToPath(new URL('./livery.js', import.meta.url));
  const clientBuild = fileURLToPath(new URL('../../client/build.ts', import.meta.url));
  let watch: string[] | undefined;
  if (existsSync(clientBuild)) {
    // Working on Livery itself: its own sources restart the app too, and the client rebuilds.
    const { buildClient } = (await import(new URL('../../client/build.ts', import.meta.url).href)) as { buildClient(options: { watch: boolean; outDir: string }): Promise<unknown> };
    await buildClient({ watch: true, outDir: CLIENT_DIST });
    const outside = [fileURLToPath(new URL('../', import.meta.url)), CLIENT_DIST].filter((path) => !path.startsWith(cwd + '/'));
    if (outside.length > 0) watch = ['.', ...outside];
  }
  await runDev({ childArgs: [cli, 'start'], cwd, watch });
  return 0;
}
