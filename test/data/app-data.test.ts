/**
 * An app's own data as Livery takes it: entities and a migrations folder. Bad input is a startup
 * check that changes nothing (livery.C021–C024, LV_ENTITY_NOT_REGISTERED); `migrate --create`
 * writes into the app's folder and refuses to drop what it merely does not know about; an app
 * entity created by a generated migration is walled off by row-level security like Livery's own.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import t from 'tap';
import { createDatabase, loadRegistry, type Database, runMigrateCommand, scoped, tenantData, TenantSchema, tenantOwned } from '../../server/data/index.ts';
import { createServer, LiveView, route, StartupError, type Route } from '../../server/index.ts';
import { FIXTURE_TEMPLATES } from '../live/harness.ts';
import { NOTE_DATA, NoteSchema } from './fixtures/note.ts';
import { pgliteFactory } from './fixtures.ts';

const NOTE_MIGRATION = new URL('./fixtures/migrations/Migration20261124000001_notes.ts', import.meta.url);

async function checkIds(work: () => Promise<unknown>): Promise<string[]> {
  try {
    await work();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map(p => `${p.id} ${p.detail}`);
  }
}

// Inside the checkout, so the migration files resolve `@mikro-orm/migrations` as an app's do.
const SCRATCH = fileURLToPath(new URL('../../.livery/test-migrations/', import.meta.url));
mkdirSync(SCRATCH, { recursive: true });

/** A fresh app migrations folder holding the tests' Note migration (removed when the file ends). */
function appFolder(): string {
  const dir = mkdtempSync(join(SCRATCH, 'app-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(NOTE_MIGRATION, join(dir, 'Migration20261124000001_notes.ts'));
  return dir;
}

/** Runs the migrate command, capturing what it prints. */
async function migrateCommand(...args: Parameters<typeof runMigrateCommand>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    return { code: await runMigrateCommand(...args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    Object.assign(console, { log, error });
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
  t.same(registry.migrations.map(m => m.name), ['Livery0001_initial', 'Migration20261124000001_notes']);
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

t.test('migrate --create', async t => {
  await t.test('with the entities in step: nothing to create', async t => {
    const dir = appFolder();
    const { code, out } = await migrateCommand({ entities: [NoteSchema], migrations: dir }, { create: 'again' });
    t.equal(code, 0);
    t.match(out, /no schema changes/);
    t.same(readdirSync(dir), ['Migration20261124000001_notes.ts']);
  });

  await t.test('refuses to drop a table no registered entity maps, and writes nothing', async t => {
    const dir = appFolder();
    const { code, err } = await migrateCommand({ entities: [], migrations: dir }, { create: 'forgot_notes' });
    t.equal(code, 1);
    t.match(err, /REFUSED[\s\S]*- notes\n[\s\S]*database\.entities[\s\S]*--allow-drop/);
    t.same(readdirSync(dir), ['Migration20261124000001_notes.ts'], 'nothing was written');
  });

  await t.test('refuses to drop a column, too', async t => {
    const dir = appFolder();
    const Narrow = defineEntity({
      name: 'Note', tableName: 'notes', filters: tenantOwned('Note'), primaryKeys: ['tenantId', 'id'],
      properties: {
        tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
        id: p.string().primary(),
        createdAt: p.datetime(),
      },
    });
    const { code, err } = await migrateCommand({ entities: [Narrow], migrations: dir }, { create: 'drop_name' });
    t.equal(code, 1);
    t.match(err, /- notes\.name/);
  });

  await t.test('--allow-drop writes the drop', async t => {
    const dir = appFolder();
    const { code, out } = await migrateCommand({ entities: [], migrations: dir }, { create: 'drop_notes', allowDrop: true });
    t.equal(code, 0);
    const created = readdirSync(dir).filter(file => file.endsWith('_drop_notes.ts'));
    t.equal(created.length, 1, out);
    t.match(readFileSync(join(dir, created[0]), 'utf8'), /drop table if exists "notes"/);
  });

  await t.test('a bad name is refused', async t => {
    const { code, err } = await migrateCommand(NOTE_DATA, { create: '../evil' });
    t.equal(code, 1);
    t.match(err, /letters, digits and underscores/);
  });
});

t.test('a new app entity: its generated migration creates the table and its RLS policy, and the wall holds', async t => {
  const dir = appFolder();
  const TagSchema = defineEntity({
    name: 'Tag', tableName: 'tags', filters: tenantOwned('Tag'), primaryKeys: ['tenantId', 'id'],
    properties: {
      tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
      id: p.string().primary().onCreate(() => randomUUID()),
      label: p.string(),
    },
  });
  const data = { entities: [NoteSchema, TagSchema], migrations: dir };
  const { code, out } = await migrateCommand(data, { create: 'tags' });
  t.equal(code, 0, out);
  const file = readdirSync(dir).find(name => name.endsWith('_tags.ts'))!;
  const source = readFileSync(join(dir, file), 'utf8');
  t.match(source, /create table "tags"/);
  t.match(source, /create policy "tags_tenant_policy" on "tags"/);
  t.notMatch(source, /"notes"|create table "tenants"|livery_member/, 'only the new table: Livery\'s and the existing app tables are already migrated');

  const db = await createDatabase({ pglite: 'memory://', ...data });
  t.teardown(() => db.close());
  t.same(await db.migrate(), ['Livery0001_initial', 'Migration20261124000001_notes', file.replace(/\.ts$/, '')]);
  const global = db.orm.em.fork();
  global.create(TenantSchema, { id: 'acme', name: 'Acme' });
  global.create(TenantSchema, { id: 'globex', name: 'Globex' });
  await global.flush();
  await scoped(tenantData(db, 'acme').forEvent(), TagSchema).create({ label: 'acme-secret' });
  await scoped(tenantData(db, 'globex').forEvent(), TagSchema).create({ label: 'globex-secret' });
  t.same((await scoped(tenantData(db, 'acme').forEvent(), TagSchema).find()).map(tag => tag.label), ['acme-secret']);
  // past the ORM filter: raw SQL as the app role sees only the scoped tenant's rows (RLS)
  const raw = await tenantData(db, 'acme').transactional(em => em.execute<{ label: string }[]>('select label from tags'));
  t.same(raw.map(row => row.label), ['acme-secret']);
  t.same(await db.orm.em.fork().execute('select label from tags'), [], 'no tenant: no rows');
});
