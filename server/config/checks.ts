/**
 * Startup checks: every way Livery can be misconfigured, with a stable id and a hint that says
 * how to fix it. All problems found are reported together, before the server listens.
 * `docs/checks.md` lists them; `test/config/checks.test.ts` covers each and keeps the two in step.
 */

import { LiveryError } from '../errors.ts';

export const checks = {
  'livery.C001': 'Production needs an app secret: set LIVERY_SECRET (at least 32 random characters, the same on every process).',
  'livery.C002': 'The app secret is too short: use at least 32 random characters, e.g. `openssl rand -base64 48`.',
  'livery.C003': 'An environment variable has a value of the wrong type: fix or unset it.',
  'livery.C004': 'Unknown backend: LIVERY_STATE_BACKEND and LIVERY_PUBSUB must be `memory` or `redis`. Livery never falls back silently.',
  'livery.C005': 'A template failed to compile: fix it at the file, line and column given.',
  'livery.C006': 'A route or view declaration is invalid: fix the view class or the route table.',
  'livery.C007': 'The client bundle is missing: in a checkout `npm start`, `npm test` and `livery build` build it; an installed livery package ships it (reinstall it).',
  'livery.C008': 'Livery needs Fastify running on uWebSockets.js: create the app with `Fastify({ serverFactory })`, importing serverFactory from Livery.',
  'livery.C009': 'An option is out of range: use a positive number.',
  // Tenancy's (tenancy/checks.ts names them): C010–C014, C016.
  'livery.C010': 'The subdomain resolver needs the domain tenants live under: set LIVERY_TENANT_MAIN_DOMAIN (e.g. myapp.com, or localhost in development) to a plain host name.',
  'livery.C011': 'A header names the tenant and nothing checks that the user belongs to it: keep membership checks on (LIVERY_TENANT_CHECK_MEMBERSHIP=true), or set LIVERY_TENANT_TRUSTED_HEADER=true only when a proxy you control sets the header and strips it from client requests.',
  'livery.C012': 'LIVERY_TENANT_RESOLVER must name known resolvers (subdomain, path, header, session, jwt, custom); tenancy settings without a resolver are never silently ignored.',
  'livery.C013': 'The jwt resolver needs exactly one key: LIVERY_TENANT_JWT_SECRET (HS256, at least 32 random bytes) or LIVERY_TENANT_JWT_PUBLIC_KEY (an RSA, EC or Ed25519 public key in PEM SPKI form).',
  'livery.C014': 'The custom resolver needs a function: pass `custom`, or set LIVERY_TENANT_CUSTOM_RESOLVER to a module that loads and whose default export is the resolver function.',
  'livery.C016': 'A tenant setting is malformed: the default tenant must be a slug (lower-case letters, digits and dashes, at most 63), and the path prefix empty or like /t (no trailing slash).',
  'livery.C015': 'Tenancy needs a database to look tenants up: pass `database: await createDatabase()` (PGlite by default, PostgreSQL with DATABASE_URL).',
  'livery.C017': 'The default tenant (LIVERY_TENANT_DEFAULT) does not exist in the database: create it (e.g. `npm run migrate -- --seed` for the example) or change the setting.',
  'livery.C019': 'Redis is named but unreachable, or is not what REDIS_URL says (a cluster node named by redis://, a single server by redis+cluster://, a cluster not serving every slot): start it or fix REDIS_URL. Livery does not fall back to process-local state, which would lose sessions across processes.',
  'livery.C020': 'Several worker processes need shared backends: set LIVERY_STATE_BACKEND=redis and LIVERY_PUBSUB=redis, and DATABASE_URL (PGlite is one process\'s embedded database).',
  'livery.C018': 'The database is not safe to serve from: fix it as the detail says (the application role must not own the tables or bypass row-level security).',
  'livery.C021': 'A view uses an entity the database does not know: add it to `database.entities` (createDatabase({ entities: [...] })) and give it a migration (`npm run migrate -- --create <name>`).',
  'livery.C022': 'A tenant-owned entity must name its tenant: give it a `tenantId` property (column tenant_id, a many-to-one to Tenant) and `filters: tenantOwned(\'Name\')`, or pass the property that holds the tenant as tenantOwned\'s second argument.',
  'livery.C023': 'The migrations folder does not exist: create it (an empty folder is fine) or fix `database.migrations`; `npm run migrate -- --create <name>` writes migrations into it.',
  'livery.C024': 'A file in the migrations folder is not a migration: each `Migration*.ts` file must export a class extending Migration (as `migrate --create` writes them); move other files elsewhere.',
  'livery.C025': 'The app could not be found: run livery in the folder holding app.ts, whose default export is `defineApp({ ... })` from livery.',
  'livery.C026': 'Livery needs Node.js 22 (>= 22.17): install the app\'s dependencies (`npm install` brings Node 22 as the `node` package) and run it through npm scripts or npx.',
  'livery.C027': 'Unknown command, flag or flag value: run `livery --help` for the commands and their flags.',
  'livery.C028': '`livery new` writes only into a new or empty folder: choose another folder name or empty this one.',
  'livery.C029': 'The client bundle could not be built: fix the error shown, or reinstall livery (an installed package ships its bundle prebuilt).',
  'livery.C040': 'The memory state backend\'s bound (LIVERY_STATE_MAX_MEMORY) cannot hold even one state of the largest size (LIVERY_STATE_MAX_BYTES): raise the first or lower the second; the bound should hold many views (each counted at two bytes per character of its JSON).',
  'livery.C041': 'The pre-join TTL (LIVERY_STATE_PREJOIN_TTL) is longer than the state TTL (LIVERY_STATE_TTL): it is meant to be short (seconds to minutes), so a page that never joins does not hold state for long.',
  'livery.C035': 'The metrics token (LIVERY_METRICS_TOKEN) is too short to be a credential: use at least 32 random characters, e.g. `openssl rand -base64 48`, or unset it to turn the endpoint off.',
  'livery.C055': 'The metrics port (metrics.port, LIVERY_METRICS_PORT) must be a free port other than the app\'s (0–65535; 0 picks one): it is a listener of its own, so the metrics stay off the tenant hosts.',
  'livery.C056': 'The metrics port listens beyond loopback with no token: set LIVERY_METRICS_TOKEN (at least 32 random characters) so scrapers must present it, or keep metrics.host on 127.0.0.1.',
  'livery.C057': 'metrics.tenantLabels (LIVERY_METRICS_TENANT_LABELS) is how many of the busiest tenants get a series of their own: a whole number from 0 (off) to 1000.',
  'livery.C043': 'trustProxy (LIVERY_TRUST_PROXY) is a number of proxy hops in front of Livery (e.g. 1) or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1, or loopback/linklocal/uniquelocal); leave it unset when clients connect directly.',
  'livery.C044': 'A socket admission cap (socket.maxViews, socket.maxPerSession, socket.maxPerIp) must be a whole number ≥ 1.',
  // A warning: the process starts, logging it (server/redis/namespace-registry.ts).
  'livery.C047': 'Another deployment uses this Redis namespace (LIVERY_REDIS_PREFIX), on this or another db number: pub/sub ignores db numbers, so its broadcasts and yours cross, and on one db its keys and yours mix. Give each deployment its own LIVERY_REDIS_PREFIX.',
  'livery.C048': 'LIVERY_REDIS_PREFIX (redisPrefix) must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. myapp-prod): it starts every Redis key and channel, where ":" and braces have a meaning.',
  'livery.C049': 'The database is reached through a pooling proxy Livery cannot use as configured: one pooling by statement refuses the transactions each request\'s tenant is staged in (pool by transaction, or connect directly); one pooling by transaction cannot hold the LISTEN that hears tenant changes (set DATABASE_LISTEN_URL to a direct connection).',
  'livery.C045': 'A tenant\'s state budget (LIVERY_STATE_TENANT_MAX_BYTES) cannot hold even one state of the largest size (LIVERY_STATE_MAX_BYTES, plus 512 bytes of Redis bookkeeping): raise the budget (it should hold all of a busy tenant\'s open pages) or lower the largest state.',
  'livery.C050': 'A default tenant quota is out of range: tenancy.quotas.sockets (LIVERY_TENANT_MAX_SOCKETS) and tenancy.quotas.eventsPerSecond (LIVERY_TENANT_EVENTS_PER_SECOND) are whole numbers ≥ 1, tenancy.quotas.stateBytes (LIVERY_TENANT_STATE_BYTES) a whole number ≥ 0 (0: no quota of its own).',
  'livery.C051': 'The page-render budget per client address is out of range: pages.ratePerSecond (LIVERY_PAGE_RATE_PER_SECOND) and pages.burst (LIVERY_PAGE_RATE_BURST) are whole numbers ≥ 1.',
  'livery.C052': 'tenancy.recheckSeconds (LIVERY_TENANT_RECHECK) must be a positive number of seconds: how late a tenant change may take effect when the database\'s notifications are not heard.',
  'livery.C058': 'Two routes serve the same path (the names of :params do not make paths differ): a URL must name exactly one view, over HTTP and in live navigation alike; remove one or give it another path.',
  'livery.C059': 'A route path must be a path: start with a single /, hold no query (?), fragment (#), spaces or backslashes, and stay out of Livery\'s own paths (/live, /healthz, /_livery/…).',
  'livery.C061': 'The upload directory (LIVERY_UPLOADS_DIR, uploads.dir) cannot be created or written: fix its permissions or point it at a writable directory (shared by the processes of one machine). Only checked when a view declares uploads.',
  'livery.C062': 'An upload setting is out of range: uploads.expireSeconds ≥ 60, uploads.chunkBytes between 64 KiB and 1 GiB, uploads.tenantQuotaBytes ≥ 1, and uploads.quota a function (tenant) => bytes.',
  'livery.C064': 'An app-defined template tag is invalid: `tags: { name: (...args) => text }` or `{ name: { render, safe: true } }`, with names of letters, digits and _ starting with a letter.',
  'livery.C065': 'An app-defined template tag takes the name of a built-in tag or part of one (if, for, block, cycle…, end…, else, elif, empty): choose another name.',
  'livery.C063': 'A view\'s upload declaration is invalid: `static uploads = { field: { maxSize, maxFiles, accept: [...] } }` with identifier field names, positive sizes and counts, accept entries that are MIME types, type/*, */* or known extensions, and a handleUpload(field, file) method.',
  'livery.C069': 'A live component cannot be registered: `components: { Name: Class }` with identifier names, each class extending LiveComponent with a mount(attrs) method, `static template`, and a method for each declared event (docs/components.md).',
  'livery.C070': 'A live component\'s template must render exactly one root element (it carries the component\'s lv-component id): start with its opening tag and end with its closing tag, nothing around them.',
  'livery.C071': 'An entry of `views` (views nested with {% live %}) is not a view class, or its class name is another class\'s: list view classes, each with its own name.',
  'livery.C066': 'A template filter the app defines is invalid: its name must be an identifier that is not a built-in filter\'s (docs/templates.md lists them), and its value a function or { filter: function, safe?: boolean, arg?: \'none\' | \'optional\' | \'required\' }.',
  'livery.C072': 'A view\'s stream declaration is invalid: `static streams = { name: {} }` or `{ name: { key: (item) => item.slug } }`, with identifier names (docs/views.md, "Streams").',
} as const;

export type CheckId = keyof typeof checks;

export interface Problem {
  readonly id: CheckId;
  /** What exactly is wrong (the setting and value, the file and line…). */
  readonly detail: string;
  /** The error behind the problem, when there is one (the dev overlay shows its position). */
  readonly error?: unknown;
}

export class StartupError extends LiveryError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super('LV_STARTUP_CHECK_FAILED', undefined, {
      message: 'Livery cannot start:\n' + problems.map((p) => `  ${formatProblem(p).replace('\n', '\n  ')}`).join('\n'),
    });
    this.name = 'StartupError';
    this.problems = problems;
  }
}

/** `livery.C0NN: detail` and, on the next line, the hint. */
export function formatProblem(problem: Problem): string {
  return `${problem.id}: ${problem.detail}\n  hint: ${checks[problem.id]}`;
}

/** Throws one StartupError listing every problem, if there are any. */
export function failOn(problems: readonly Problem[]): void {
  if (problems.length > 0) throw new StartupError(problems);
}
