/**
 * `migrate --create` writes the app's next migration from the entity diff, and refuses to drop a
 * table or column no registered entity maps unless told `--allow-drop` (D14).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import t from 'tap';
import { TenantSchema, tenantOwned } from '../../server/data/index.ts';
import { appFolder, migrateCommand } from './fixtures/app-folder.ts';
import { NOTE_DATA, NoteSchema } from './fixtures/note.ts';

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

  await t.test('a bad name is refused', async t => {
    const { code, err } = await migrateCommand(NOTE_DATA, { create: '../evil' });
    t.equal(code, 1);
    t.match(err, /letters, digits and underscores/);
  });
});
