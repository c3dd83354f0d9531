/**
 * The world the view-level leak canary attacks: one seeded database, one real Livery server
 * (Fastify + the livery plugin, as `createServer` builds it, but with its log captured) with
 * subdomain, path, header and JWT tenancy chained, and helpers that fetch pages and open sockets
 * as a given tenant's browser. Everything any client receives is kept, labelled with the tenant
 * that client is entitled to, for the suite's final sweep.
 */
import { serverFactory } from '../../server/http/uws-adapter/server.js';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { TenantSchema, type Database } from '../../server/data/index.ts';
import { TEST_TENANTS, seedTestData } from '../data/fixtures/seed.ts';
import { livery, type LiveryOptions } from '../../server/index.ts';
import { newSessionId, type SessionData } from '../../server/session/index.ts';
import { CanaryClient, fetchPage, type CanaryPage, type PageRequest, type Received } from './fixtures/canary/client.ts';
import { RecordingStateBackend } from './fixtures/canary/recording-state-backend.ts';
import { pubsubRoutes } from './fixtures/canary/pubsub-views.ts';
import { CANARY_TEMPLATES, canaryRoutes } from './fixtures/canary/views.ts';
import type { ClientOptions, Frame } from '../live/harness.ts';

export const SECRET = 'canary-secret-canary-secret-canary-0123';
export const JWT_SECRET = 'canary-jwt-secret-canary-jwt-secret-0123456789';

/** Tenants the canary adds to the example seed: the default, and two that must not be served. */
export const EXTRA_TENANTS = [
  { id: 'public', name: 'Public Board', settings: {}, domains: [] },
  { id: 'initech', name: 'Initech', settings: {}, domains: [], status: 'suspended' as const },
  { id: 'umbrella', name: 'Umbrella', settings: {}, domains: [], paidUntil: '2020-01-01' },
];

/** The tenants whose data the canary guards, with what belongs to each (names only: tests never ask the database). */
const SEEDED = [...TEST_TENANTS.map((x) => ({ id: x.id, name: x.name, projects: x.notes.map((p) => p.name) })), { id: 'public', name: 'Public Board', projects: [] }];

export const ACME_PROJECTS = SEEDED[0].projects;
export const GLOBEX_PROJECTS = SEEDED[1].projects;
export const GLOBEX_IDS = TEST_TENANTS.find((x) => x.id === 'globex')!.notes.map((p) => p.id);

export interface Attack {
  name: string;
  run(t: Test, ctx: CanaryContext): Promise<void>;
}

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly tenant?: string;
  readonly session?: string;
  readonly [key: string]: unknown;
}

export interface CanaryContext {
  readonly db: Database;
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT`: no subdomain, so only path, header, JWT or the default name a tenant. */
  readonly base: string;
  readonly state: RecordingStateBackend;
  /** Every server log line, raw (JSON, one per line). */
  readonly rawLogs: string[];
  /** Everything any client received, labelled with the tenant it was entitled to. */
  readonly received: Received[];
  /** Tenant → strings only that tenant may ever see (its name and its projects' names). */
  readonly secrets: Map<string, Set<string>>;
  /** `acme.localhost:PORT` */
  host(tenant: string): string;
  /** GETs a page as a browser entitled to `as` (recorded for the sweep). */
  page(path: string, as: string, request?: PageRequest): Promise<CanaryPage>;
  /** Opens a socket as a browser entitled to `as`; closed when `t` ends. */
  socket(t: Test, as: string, options?: ClientOptions): Promise<CanaryClient>;
  /** Stores session data (a sign-in) under `cookie`'s session, or a new one: the cookie. */
  signIn(data: SessionData, cookie?: string): Promise<string>;
  /** Records that `name` now belongs to `tenant` (a project an attack created there). */
  own(tenant: string, name: string): void;
  logs(from?: number): LogLine[];
  close(): Promise<void>;
}

export async function seedCanary(db: Database): Promise<void> {
  await seedTestData(db);
  const em = db.orm.em.fork({ clear: true });
  for (const tenant of EXTRA_TENANTS) {
    if ((await em.findOne(TenantSchema, { id: tenant.id })) === null) em.create(TenantSchema, tenant);
  }
  await em.flush();
}

export async function startCanary(db: Database): Promise<CanaryContext> {
  const rawLogs: string[] = [];
  const app = Fastify({
    serverFactory,
    // createServer takes no log stream; the plugin inside an app that owns its logger is the documented other way in.
    logger: { level: 'info', stream: { write: (line: string) => { rawLogs.push(line); } } },
    logController: new LogController({ disableRequestLogging: true }),
  });
  const state = new RecordingStateBackend();
  const options: LiveryOptions = {
    routes: [...canaryRoutes, ...pubsubRoutes],
    templatesDir: CANARY_TEMPLATES,
    layout: 'layout.html',
    database: db,
    stateBackend: state,
    secret: SECRET,
    tenancy: { resolver: ['subdomain', 'path', 'header', 'jwt'], mainDomain: 'localhost', pathPrefix: '/t', default: 'public', jwtSecret: JWT_SECRET },
    // Every attack loads pages from 127.0.0.1, hundreds in seconds: the per-address page budget
    // (D42, tested in test/live/page-budget.test.ts) would answer 429 to the canary, not to an attacker.
    pages: { ratePerSecond: 100_000, burst: 100_000 },
  };
  await app.register(livery, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  const received: Received[] = [];
  const sink = (r: Received) => received.push(r);
  const secrets = new Map(SEEDED.map((x) => [x.id, new Set([x.name, ...x.projects])]));

  return {
    db, app, base, state, rawLogs, received, secrets,
    host: (tenant) => `${tenant}.localhost:${port}`,
    async page(path, as, request) {
      const page = await fetchPage(base, path, request);
      sink({ tenant: as, text: page.body });
      return page;
    },
    async socket(t, as, options) {
      const client = await CanaryClient.open(base, as, sink, options);
      t.teardown(() => client.close());
      return client;
    },
    async signIn(data, cookie) {
      const sid = cookie?.slice('lv_sid='.length) ?? newSessionId();
      await app.livery.sessions.set(sid, data);
      return `lv_sid=${sid}`;
    },
    own(tenant, name) {
      (secrets.get(tenant) ?? secrets.set(tenant, new Set()).get(tenant)!).add(name);
    },
    logs: (from = 0) => rawLogs.slice(from).map((line) => JSON.parse(line) as LogLine),
    close: () => app.close(),
  };
}

/** `<h1 id="tenant">…</h1>` and friends: the text of the first element with this id. */
export function textOf(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

/** The project names a board shows, in order. */
export function boardNames(html: string): string[] {
  return [...html.matchAll(/<li id="p-[^"]*">([^<]*)<\/li>/g)].map((m) => m[1]);
}

export interface OpenView {
  page: CanaryPage;
  client: CanaryClient;
}

/** A tenant's page on its subdomain, then its socket joined to it (vid 1): a browser tab of that tenant. */
export async function openView(t: Test, ctx: CanaryContext, tenant: string, path: string, cookie?: string): Promise<OpenView> {
  const host = ctx.host(tenant);
  const page = await ctx.page(path, tenant, { host, cookie });
  if (page.status !== 200) throw new Error(`${tenant} ${path}: HTTP ${page.status}`);
  const client = await ctx.socket(t, tenant, { cookie: page.cookie, host });
  const joined = await client.join(1, page);
  if (joined[1] !== 'r') throw new Error(`${tenant} ${path}: join refused ${JSON.stringify(joined)}`);
  return { page, client };
}

/** The frame is a reply (the event ran), not an error. */
export function replied(t: Test, frame: Frame, what: string): void {
  t.equal(frame[1], 'r', `${what}: replied${frame[1] === 'x' ? ` (got ${String(frame[4])})` : ''}`);
}

/** The frame is an error frame with `code`. */
export function refused(t: Test, frame: Frame, code: string, what: string): void {
  t.same([frame[1], frame[4]], ['x', code], `${what}: ${code}`);
}
