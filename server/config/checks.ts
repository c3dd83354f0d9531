/**
 * Startup checks: every way Livery can be misconfigured, with a stable id and a hint that says
 * how to fix it. All problems found are reported together, before the server listens.
 * `docs/checks.md` lists them; `test/config/checks.test.ts` covers each and keeps the two in step.
 */

import { TENANCY_CHECKS } from '../tenancy/checks.ts';

export const checks = {
  'livery.C001': 'Production needs an app secret: set LIVERY_SECRET (at least 32 random characters, the same on every process).',
  'livery.C002': 'The app secret is too short: use at least 32 random characters, e.g. `openssl rand -base64 48`.',
  'livery.C003': 'An environment variable has a value of the wrong type: fix or unset it.',
  'livery.C004': 'Unknown backend: LIVERY_STATE_BACKEND and LIVERY_PUBSUB must be `memory` or `redis`. Livery never falls back silently.',
  'livery.C005': 'A template failed to compile: fix it at the file, line and column given.',
  'livery.C006': 'A route or view declaration is invalid: fix the view class or the route table.',
  'livery.C007': 'The client bundle is missing: run `npm run build` (npm start and npm test do it for you).',
  'livery.C008': 'Livery needs Fastify running on uWebSockets.js: create the app with `Fastify({ serverFactory })`, importing serverFactory from Livery.',
  'livery.C009': 'An option is out of range: use a positive number.',
  ...TENANCY_CHECKS,
  'livery.C015': 'Tenancy needs a database to look tenants up: pass `database: await createDatabase()` (PGlite by default, PostgreSQL with DATABASE_URL).',
  'livery.C017': 'The default tenant (LIVERY_TENANT_DEFAULT) does not exist in the database: create it (e.g. `npm run migrate -- --seed` for the example) or change the setting.',
  'livery.C019': 'Redis is named but unreachable: start it or fix REDIS_URL. Livery does not fall back to process-local state, which would lose sessions across processes.',
  'livery.C020': 'Several worker processes need shared backends: set LIVERY_STATE_BACKEND=redis and LIVERY_PUBSUB=redis, and DATABASE_URL (PGlite is one process\'s embedded database).',
  'livery.C018': 'The database is not safe to serve from: fix it as the detail says (the application role must not own the tables or bypass row-level security).',
  'livery.C035': 'The metrics token (LIVERY_METRICS_TOKEN) is too short to be a credential: use at least 32 random characters, e.g. `openssl rand -base64 48`, or unset it to turn the endpoint off.',
} as const;

export type CheckId = keyof typeof checks;

export interface Problem {
  readonly id: CheckId;
  /** What exactly is wrong (the setting and value, the file and line…). */
  readonly detail: string;
}

export class StartupError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(
      'Livery cannot start:\n' +
        problems.map((p) => `  ${p.id}: ${p.detail}\n    hint: ${checks[p.id]}`).join('\n'),
    );
    this.name = 'StartupError';
    this.problems = problems;
  }
}

/** Throws one StartupError listing every problem, if there are any. */
export function failOn(problems: readonly Problem[]): void {
  if (problems.length > 0) throw new StartupError(problems);
}
