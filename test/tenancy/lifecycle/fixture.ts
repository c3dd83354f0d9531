/**
 * Shared by the tenant-lifecycle tests: a view that writes a Note per event (so "no event writes
 * after the suspension" is checked in the database), one whose handler waits on a latch the test
 * releases (so an event can be queued behind it), and helpers to run SQL as an operator would.
 */
import { MikroORM as PostgresMikroORM } from '@mikro-orm/postgresql';
import { LiveView, route } from '../../../server/index.ts';
import { scoped, type Database } from '../../../server/data/index.ts';
import { NoteSchema } from '../../data/fixtures/note.ts';
import { getPage, LiveClient, type Frame } from '../../live/harness.ts';

let release: (() => void) | undefined;
let held: Promise<void> = Promise.resolve();

/** Makes the next `hold` event wait until `releaseHold()`. */
export function armHold(): void {
  held = new Promise((resolve) => { release = resolve; });
}

export function releaseHold(): void {
  release?.();
}

export class NoteWriterView extends LiveView<{ count: number }> {
  static template = 'counter.html';
  static events = { add: null, hold: null, inc: null };
  mount() { return { count: 0 }; }
  async add() {
    await scoped(this.db, NoteSchema).create({ name: `written by a socket of ${this.tenant.id}` });
    this.state.count += 1;
  }
  async hold() { await held; }
  inc() { this.state.count += 1; }
}

export const lifecycleRoutes = [route('/notes', NoteWriterView)];

/** Notes of a tenant, counted as the owner (no RLS, no tenant filter in the way). */
export async function notesOf(ownerUrl: string, tenant: string): Promise<number> {
  const rows = await ownerExecute<{ n: string }>(ownerUrl, `select count(*)::text as n from notes where tenant_id = '${tenant}'`);
  return Number(rows[0]?.n ?? 0);
}

/** Runs one statement on the fixture database as its owner: what an operator does in psql. */
export async function ownerExecute<R = unknown>(ownerUrl: string, sql: string): Promise<R[]> {
  const orm = await PostgresMikroORM.init({
    clientUrl: ownerUrl, entities: [], discovery: { warnWhenNoEntities: false }, ensureDatabase: false, allowGlobalContext: true, pool: { min: 0, max: 1 },
  });
  try {
    return await orm.em.execute<R[]>(sql);
  } finally {
    await orm.close(true);
  }
}

/** Notes of a tenant on PGlite (the app connection, as the tenant's own context would see it). */
export async function pgliteNotes(db: Database, tenant: string): Promise<number> {
  const rows = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*)::text as n from notes where tenant_id = '${tenant}'`);
  return Number(rows[0]?.n ?? 0);
}

/** A tenant's page and a socket joined to it (subdomain tenancy, `tenant.localhost`). */
export async function joinedSocket(url: string, port: number, tenant: string): Promise<LiveClient> {
  const host = `${tenant}.localhost:${port}`;
  const page = await getPage(url, '/notes', undefined, host);
  if (page.status !== 200) throw new Error(`page of ${tenant}: ${page.status}`);
  const client = await LiveClient.open(url, { cookie: page.cookie, host });
  const reply = await client.join(1, page.view, page.token);
  if (reply[1] !== 'r') throw new Error(`join refused: ${JSON.stringify(reply)}`);
  return client;
}

/** The frames a client got until its socket closed, and the close code. */
export async function untilClosed(client: LiveClient): Promise<{ code: number; frames: Frame[] }> {
  const code = await bounded(client.closed, 'the socket was not closed');
  return { code, frames: [...client.frames] };
}

/** Waits for `promise`, or fails after 15 s: a bound only a hang reaches (the cache alone keeps a tenant 60 s). */
export function bounded<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms).unref())]);
}

/** Polls `check` until it holds, or fails after the bound. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
