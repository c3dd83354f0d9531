/**
 * An app's own data as Livery takes it: entities and a migrations folder. Bad input is a startup
 * check that changes nothing (livery.C021–C024) or a registry error (LV_ENTITY_NOT_REGISTERED).
 * `migrate --create`: migrate-create.test.ts; an app entity under RLS: app-entity.test.ts.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineEntity, p } from '@mikro-orm/core';
import t from 'tap';
import { createDatabase, loadRegistry, scoped, tenantData, tenantOwned, type Database } from '../../server/data/index.ts';
import { createServer, LiveView, route, StartupError, type Route } from '../../server/index.ts';
import { FIXTURE_TEMPLATES } from '../live/harness.ts';
import { appFolder, migrateCommand } from './fixtures/app-folder.ts';
import { NOTE_DATA, NoteSchema } from './fixtures/note.ts';
import { pgliteFactory } from './fixtures.ts';

async function checkIds(work: () => Promise<unknown>): Promise<string[]> {
  try {
    await work();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map(p => `${p.id} ${p.detail}`);
  }
}

t.test('livery.C022: a tenant-owned entity without its tenant property', async t => {
  const NoTenant = defineEntity({ name: 'NoTenantThing', tableName: 'no_tenant_things', properties: { id: p.string().primary(), name: p.string() }, filters: tenantOwned('NoTenantThing') });
  const Unfiltered = defineEntity({ name: 'UnfilteredThing', tableName: 'unfiltered_things', properties: { tenantId: p.string().primary(), id: p.string().primary() } });
  const Shared = defineEntity({ name: 'SharedThing', tableName: 'shared_things', properties: { id: p.string().primary() } });
  const problems = await checkIds(() => loadRegistry({ entities: [NoTenant, Unfiltered, Shared] }));
  t.equal(problems.length, 2, problems.join('\n'));
  t.match(problems[0], /^livery\.C022 NoTenantThing is tenant-owned .* but has no tenantId property/);
  t.match(problems[1], /^livery\.C022 UnfilteredThing has a tenant property \(tenantId\) but no tenant filter/);
  t.same(await checkIds(() => loadRegistry({ entities: [Shared, NoteSchema] })), [], 'a table without any tenant column is a shared table');
});

t.test('livery.C023: a migrations folder that does not exist; createDatabase changes nothing', async t => {
  const root = mkdtempSync(join(tmpdir(), 'lv-nothing-'));
  const pglite = join(root, 'pglite');
  const missing = join(root, 'no-such-folder');
  const problems = await checkIds(() => createDatabase({ pglite, entities: [NoteSchema], migrations: missing, migrate: true }));
  t.match(problems.join('\n'), /^livery\.C023 migrations folder .*no-such-folder does not exist$/);
  t.notOk(existsSync(pglite), 'no database was created');
  t.same(await checkIds(() => loadRegistry({ migrations: pathToFileURL(join(missing, '/')) })), [`livery.C023 migrations folder ${missing}/ does not exist`], 'a file URL too');
  const { code, err } = await migrateCommand({ entities: [NoteSchema], migrations: missing }, {});
  t.equal(code, 1, 'the migrate command exits non-zero');
  t.match(err, /livery\.C023[\s\S]*hint: The migrations folder does not exist/);
});

t.test('livery.C024: a Migration file that is not a migration', async t => {
  const dir = appFolder();
  writeFileSync(join(dir, 'Migration20990101000000_oops.ts'), 'export const notAMigration = 1;\n');
  writeFileSync(join(dir, 'README.md'), 'other files are ignored\n');
  const problems = await checkIds(() => loadRegistry({ entities: [NoteSchema], migrations: dir }));
  t.equal(problems.length, 1);
  t.match(problems[0], /^livery\.C024 .*Migration20990101000000_oops\.ts exports no migration class/);
});

t.test('app migrations run after Livery\'s, named apart', async t => {
  const registry = await loadRegistry(NOTE_DATA);
  t.same(registry.migrations.map(m => m.name), ['Livery0001_initial', 'Livery0002_tenant_changes', 'Migration20261124000001_notes']);
  t.same(registry.entities.map(e => e.meta.className), ['Tenant', 'User', 'Membership', 'Note']);
});

t.test('an entity the database was not opened with', async t => {
  const fixture = await pgliteFactory();
  t.teardown(fixture.cleanup);
  const Stray = defineEntity({ name: 'Stray', tableName: 'strays', properties: { tenantId: p.string().primary(), id: p.string().primary() }, filters: tenantOwned('Stray') });

  await t.test('scoped(em, Entity) throws LV_ENTITY_NOT_REGISTERED naming it and the fix', async t => {
    const em = tenantData(fixture.db, 'acme').forEvent();
    t.throws(() => scoped(em, Stray), { code: 'LV_ENTITY_NOT_REGISTERED', message: /Stray is not registered with the database: add its schema to `database\.entities`/ });
    t.doesNotThrow(() => scoped(em, NoteSchema));
  });

  await t.test('livery.C021: a view watching it stops the server at startup', async t => {
    class StrayWatcher extends LiveView<{ a: number }> {
      static template = 'counter.html';
      static watch = [Stray];
      mount() { return { a: 1 }; }
    }
    class NoteWatcher extends LiveView<{ a: number }> {
      static template = 'counter.html';
      static watch = [NoteSchema];
      mount() { return { a: 1 }; }
    }
    const start = (routes: Route[], database: Database | undefined) =>
      checkIds(async () => (await createServer({ routes, database, templatesDir: FIXTURE_TEMPLATES, handleSignals: false, logLevel: 'silent' })).close());
    t.same(await start([route('/s', StrayWatcher), route('/n', NoteWatcher)], fixture.db), ['livery.C021 StrayWatcher watches Stray, which is not in database.entities']);
    t.same(await start([route('/n', NoteWatcher)], undefined), ['livery.C021 NoteWatcher watches Note, but Livery was started without a database']);
    t.same(await start([route('/n', NoteWatcher)], fixture.db), []);
  });
});
