/**
 * `livery dev`: the app in the current directory, restarted on every change to its files
 * (Node's own --watch-path), with the client bundle rebuilt on change in a checkout of Livery.
 * Live tabs reconnect and resume their state.
 *
 * Integrator: this is the pre-dev-loop behaviour kept behind one function; swap in
 * `runDev(options)` from ../dev/index.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENT_DIST } from '../http/client-bundle.ts';

export async function devCommand(): Promise<number> {
  const checkout = existsSync(fileURLToPath(new URL('../../client/build.ts', import.meta.url)));
  const watched = ['app.ts', 'views', 'templates', 'data', 'migrations'].filter((path) => existsSync(path));
  if (checkout) {
    // Working on Livery itself: its own sources restart the app too, and the client rebuilds.
    const buildModule = new URL('../../client/build.ts', import.meta.url).href;
    const { buildClient } = (await import(buildModule)) as { buildClient(options: { watch: boolean; outDir: string }): Promise<unknown> };
    await buildClient({ watch: true, outDir: CLIENT_DIST });
    watched.push(fileURLToPath(new URL('../', import.meta.url)), CLIENT_DIST);
  }
  const cli = fileURLToPath(new URL('./livery.js', import.meta.url));
  const app = spawn(process.execPath, [...watched.map((path) => `--watch-path=${path}`), '--watch-preserve-output', cli, 'start'], {
    stdio: 'inherit',
    env: { ...process.env, LIVERY_LOG_LEVEL: process.env.LIVERY_LOG_LEVEL ?? 'debug' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      app.kill(signal);
      process.exit(0);
    });
  }
  return new Promise((resolve) => app.on('exit', (code) => resolve(code ?? 0)));
}
