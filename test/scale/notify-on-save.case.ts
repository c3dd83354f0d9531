/**
 * Notify on save: watchers re-render after a COMMIT in their tenant — never for rolled-back
 * work, never across tenants — and a burst of 100 saves costs a bounded number of re-renders.
 * Run on PostgreSQL directly (notify-on-save.test.ts) and through pgbouncer in transaction mode
 * (notify-on-save.pgbouncer.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { scoped, tenantData } from '../../server/data/index.ts';
import { NoteSchema } from '../data/fixtures/note.ts';
import { seedTestData } from '../data/fixtures/seed.ts';
import { LiveView, route } from '../../server/index.ts';
import { SAVE_COALESCE_MS } from '../../server/live/view-subscriptions.ts';
import type { DatabaseFactory } from '../data/fixtures.ts';
import { FRAME_BOUND_MS, getPage, LiveClient, startServer, type Frame } from '../live/harness.ts';

class Watcher extends LiveView<{ notes: Array<{ id: string; name: string }>; renders: number }> {
  static template = 'watcher.html';
  static watch = [NoteSchema];
  static saves: number[] = [];
  async mount() {
    return { notes: await this.#list(), renders: 0 };
  }
  async onSave(events: ReadonlyArray<{ readonly changes: readonly unknown[] }>) {
    Watcher.saves.push(events.reduce((n, e) => n + e.changes.length, 0));
    this.state.notes = await this.#list();
    this.state.renders += 1;
  }
  async #list() {
    return (await this.scoped(NoteSchema).find({}, { orderBy: { id: 'asc' } })).map(({ id, name }) => ({ id, name }));
  }
}

export async function notifyOnSave(t: Test, factory: DatabaseFactory): Promise<void> {
  const fixture = await factory();
  t.teardown(() => fixture.cleanup());
  await seedTestData(fixture.db);
  const s = await startServer({
    routes: [route('/watch', Watcher)],
    templatesDir: fileURLToPath(new URL('./fixtures/', import.meta.url)),
    database: fixture.db,
    tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
  });
  t.teardown(() => s.close());

  async function watcher(tenant: string) {
    const host = `${tenant}.localhost:${s.port}`;
    const page = await getPage(s.url, '/watch', undefined, host);
    const client = await LiveClient.open(s.url, { cookie: page.cookie, host });
    await client.join(1, page.view, page.token);
    return client;
  }

  async function drain(client: LiveClient, quietMs = SAVE_COALESCE_MS * 6): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      try {
        frames.push(await client.next(quietMs));
      } catch {
        return frames;
      }
    }
  }

  const acme = await watcher('acme');
  const globex = await watcher('globex');
  t.teardown(() => Promise.all([acme.close(), globex.close()]));

  t.test('a committed save re-renders the tenant\'s watchers, and only theirs', async (t) => {
    await scoped(tenantData(fixture.db, 'acme').forEvent(), NoteSchema).create({ id: 'p-one', name: 'Saved once' });
    const shown = await acme.next(FRAME_BOUND_MS).catch(() => undefined);
    t.ok(shown !== undefined && JSON.stringify(shown).includes('Saved once'), 'acme\'s watcher shows the new note');
    // Same publish, same instant: by the time acme re-rendered, globex would have been told too.
    t.same(await drain(globex), [], 'globex\'s watcher received nothing');
  });

  t.test('rolled-back work is never announced', async (t) => {
    const data = tenantData(fixture.db, 'acme');
    await t.rejects(data.transactional(async (em) => {
      em.create(NoteSchema, { id: 'p-rolled', name: 'Never committed', tenantId: 'acme' } as never);
      await em.flush();
      throw new Error('roll back');
    }), /roll back/);
    await sleep(SAVE_COALESCE_MS * 2);
    const frames = await drain(acme);
    t.notOk(frames.some((f) => JSON.stringify(f).includes('Never committed')), 'no watcher saw the rolled-back row');
  });

  t.test('100 saves in a burst: a bounded number of re-renders, and the last state shown', async (t) => {
    Watcher.saves = [];
    const em = () => tenantData(fixture.db, 'acme').forEvent();
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => scoped(em(), NoteSchema).create({ id: `burst-${String(i).padStart(3, '0')}`, name: `Burst ${i}` })));
    const span = performance.now() - started;
    // Wait (bounded) until every save has been handed to the view, then for its last frames.
    const delivered = () => Watcher.saves.reduce((a, b) => a + b, 0);
    const deadline = Date.now() + 15_000;
    while (delivered() < 100 && Date.now() < deadline) await sleep(SAVE_COALESCE_MS);
    const frames: Frame[] = [];
    const shown = () => frames.some((f) => JSON.stringify(f).includes('Burst 99'));
    while (!shown() && Date.now() < deadline) frames.push(await acme.next(Math.max(1, deadline - Date.now())).catch(() => ['none'] as Frame));
    frames.push(...(await drain(acme)));
    // A batch opens at the first save after the previous one was handed over and stays open for
    // SAVE_COALESCE_MS, so batches open at least that far apart, all while the commits happen: the
    // bound follows from how long the burst took (on a loaded machine, longer), not from a guess.
    const bound = Math.floor(span / SAVE_COALESCE_MS) + 1;
    t.ok(Watcher.saves.length >= 1 && Watcher.saves.length <= bound, `${Watcher.saves.length} re-renders for 100 saves committed over ${Math.round(span)} ms (at most ${bound})`);
    t.equal(Watcher.saves.reduce((a, b) => a + b, 0), 100, 'every save was delivered, in batches');
    t.ok(frames.length <= Watcher.saves.length, 'at most one frame per re-render');
    t.ok(frames.some((f) => JSON.stringify(f).includes('Burst 99')), 'the final state reached the client');
  });
}
