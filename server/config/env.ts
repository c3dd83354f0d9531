/**
 * The one module that reads the environment. Everything else asks it — by a function per
 * variable or group — so the variables Livery reads are all listed here, and a test or the CLI
 * can hand any of them another environment (`env` parameters default to the process's).
 *
 * Writing is not reading: the CLI, the dev supervisor and the test client may set variables
 * (app defaults, a child's environment) where they do.
 *
 * The options table (`config/options.ts` ENVIRONMENT, tenancy's TENANCY_ENVIRONMENT) names the
 * variables behind options; their values are read through {@link envValue}.
 */
import { resolve } from 'node:path';

/** An environment as Livery reads it: `process.env` or a test's stand-in. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The process's environment. The only read of `process.env` in Livery. */
export function processEnv(): Env {
  return process.env;
}

/** One variable by name (used for the variables in the options tables). */
export function envValue(name: string, env: Env = processEnv()): string | undefined {
  return env[name];
}

/** NODE_ENV=production. */
export function isProduction(env: Env = processEnv()): boolean {
  return env.NODE_ENV === 'production';
}

/** NODE_ENV as given (the dev supervisor passes it on, defaulting to development). */
export function nodeEnv(env: Env = processEnv()): string | undefined {
  return env.NODE_ENV;
}

/** LIVERY_SECRET, unless unset or empty. */
export function secretFromEnv(env: Env = processEnv()): string | undefined {
  return env.LIVERY_SECRET || undefined;
}

/** LIVERY_LOG_FORMAT, unless unset or empty (validated by the config checks). */
export function logFormatFromEnv(env: Env = processEnv()): string | undefined {
  return env.LIVERY_LOG_FORMAT || undefined;
}

/** NO_COLOR (https://no-color.org): any value turns colours off. */
export function noColor(env: Env = processEnv()): boolean {
  return env.NO_COLOR !== undefined;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** REDIS_URL, or the local default. */
export function redisUrlFromEnv(env: Env = processEnv()): string {
  const url = env.REDIS_URL?.trim();
  return url ? url : DEFAULT_REDIS_URL;
}

/**
 * DATABASE_URL (owner), DATABASE_APP_URL (app role), DATABASE_LISTEN_URL (a direct connection for
 * LISTEN, past a transaction-pooling proxy) and LIVERY_PGLITE_DIR; unset or empty → absent.
 */
export function databaseEnv(env: Env = processEnv()): { url?: string; appUrl?: string; listenUrl?: string; pglite?: string } {
  return {
    url: env.DATABASE_URL || undefined,
    appUrl: env.DATABASE_APP_URL || undefined,
    listenUrl: env.DATABASE_LISTEN_URL || undefined,
    pglite: env.LIVERY_PGLITE_DIR || undefined,
  };
}

/** The variable `--workers` sets on each worker it spawns (its number). */
export const WORKER_ENV = 'LIVERY_WORKER';

/** This process is a worker spawned by `--workers N`. */
export function isWorkerProcess(env: Env = processEnv()): boolean {
  return env[WORKER_ENV] !== undefined;
}

/** Which worker of `--workers N` this process is (1…N); 1 outside workers. */
export function workerNumber(env: Env = processEnv()): number {
  const n = Number(env[WORKER_ENV]);
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** PORT and HOST as the app will read them (the dev supervisor's guess before the app reports). */
export function listenAddressFromEnv(env: Env = processEnv()): { port: number; host: string } {
  return { port: Number(env.PORT) || 3000, host: env.HOST || '0.0.0.0' };
}

/** The variables the dev supervisor sets on the app process it runs. */
export const DEV_ENV = { on: 'LIVERY_DEV', reportFd: 'LIVERY_DEV_REPORT_FD', snapshot: 'LIVERY_DEV_SNAPSHOT' } as const;

/**
 * The dev loop's settings, from the variables the supervisor (`server/dev/supervisor.ts`) sets
 * on the process it spawns; undefined outside it. Callers must not use it in production.
 */
export function devSupervision(env: Env = processEnv()): { snapshotFile: string; reportFd: number | undefined } | undefined {
  if (env[DEV_ENV.on] !== '1') return undefined;
  const fd = Number(env[DEV_ENV.reportFd]);
  return {
    snapshotFile: resolve(env[DEV_ENV.snapshot] || '.livery/dev-snapshot.json'),
    reportFd: Number.isInteger(fd) && fd > 2 ? fd : undefined,
  };
}
