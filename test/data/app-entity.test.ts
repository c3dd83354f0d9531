/**
 * A new app entity end to end: `migrate --create` writes its table and RLS policy (and nothing of
 * Livery's or the app's existing tables), `migrate` applies it after Livery's and the app's
 * earlier migrations, and the tenant wall holds past the ORM filter. `--allow-drop` writes a drop
 * that `--create` refuses by default.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import t from 'tap';
import { createDatabase, scoped, tenantData, TenantSchema, tenantOwned } from '../../server/data/index.ts';
import { appFolder, migrateCommand } from './fixtures/app-folder.ts';
import { NoteSchema } from './fixtures/note.ts';

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
  t.same(await db.migrate(), ['Livery0001_initial', 'Livery0002_tenant_changes', 'Migration20261124000001_notes', file.replace(/\.ts$/, '')]);
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

t.test('--allow-drop writes the drop', async t => {
  const dir = appFolder();
  const { code, out } = await migrateCommand({ entities: [], migrations: dir }, { create: 'drop_notes', allowDrop: true });
  t.equal(code, 0);
  const created = readdirSync(dir).filter(file => file.endsWith('_drop_notes.ts'));
  t.equal(created.length, 1, out);
  t.match(readFileSync(join(dir, created[0]), 'utf8'), /drop table if exists "notes"/);
});
