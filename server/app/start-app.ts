/**
 * `startApp` runs an app described by `defineApp`: what `livery start` does.
 *
 * Development migrates and seeds on start; production expects `livery migrate` as a deploy
 * step. `--workers N` runs N processes on one port (they share state, pub/sub and data through
 * Redis and PostgreSQL, see docs/scaling.md): the supervisor migrates and seeds once, then
 * starts the workers with the same command line.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProduction } from '../config/env.ts';
import { StartupError } from '../config/checks.ts';
import { createServer, type LiveryServer } from '../server.ts';
import { ensureClientBundle } from '../http/client-bundle.ts';
import { isWorker, superviseWorkers, workerCount } from '../workers/index.ts';
import { openAppDatabase } from './database.ts';
import type { LiveryApp } from './define-app.ts';

export interface StartAppOptions {
  /** Command-line arguments after the command (`--workers N`). */
  argv?: readonly string[];
  /** The app's root folder (templates default to `<root>/templates`); default: the current directory. */
  root?: string;
  /** How to run this same app again in a worker process: `node <workerArgs>`; default: this process's own arguments. */
  workerArgs?: readonly string[];
}

/** Applies the app's environment defaults: a variable already set wins. */
export function applyAppEnv(app: LiveryApp, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(app.env ?? {})) env[name] ??= value;
}

/**
 * Starts the app; resolves with the listening server (undefined in a `--workers` supervisor,
 * which resolves once every worker has exited). A startup problem rejects with `StartupError`.
 */
export async function startApp(app: LiveryApp, options: StartAppOptions = {}): Promise<LiveryServer | undefined> {
  const root = resolve(options.root ?? process.cwd());
  applyAppEnv(app);
  const production = isProduction();
  let workers: number;
  try {
    workers = workerCount(options.argv ?? []);
  } catch (error) {
    throw new StartupError([{ id: 'livery.C027', detail: (error as Error).message }]);
  }

  if (workers > 1 && !isWorker()) {
    // Migrate and seed once, here, rather than racing in every worker.
    const database = await openAppDatabase(app, { migrate: !production });
    try {
      if (database.kind === 'pglite') throw new StartupError([{ id: 'livery.C020', detail: `--workers ${workers} with the embedded PGlite database` }]);
      if (!production) await app.database?.seed?.(database);
    } finally {
      await database.close();
    }
    await ensureClientBundle();
    await superviseWorkers(options.workerArgs ?? process.argv.slice(1), workers);
    return undefined;
  }

  await ensureClientBundle();
  const database = app.database ? await openAppDatabase(app, { migrate: !production && !isWorker() }) : undefined;
  try {
    if (database && !production && !isWorker()) await app.database?.seed?.(database);
    const templatesDir = app.templatesDir ?? resolve(root, 'templates');
    const staticDir = app.staticDir ?? resolve(root, 'static');
    const server = await createServer({
      ...app.options,
      routes: app.routes,
      layout: app.layout,
      templatesDir: templatesDir instanceof URL ? fileURLToPath(templatesDir) : resolve(root, templatesDir),
      staticDir: staticDir instanceof URL ? fileURLToPath(staticDir) : resolve(root, staticDir),
      database,
    });
    if (database) server.app.addHook('onClose', () => database.close());
    const url = await server.listen();
    server.app.log.info(`${app.name}: ${url}`);
    return server;
  } catch (error) {
    await database?.close();
    throw error;
  }
}
