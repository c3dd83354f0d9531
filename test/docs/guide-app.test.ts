/**
 * The docs' code stays true (2/2): the guide's app — its files laid over the app `livery new`
 * writes — gets its migration from the guide's step (`livery migrate --create notes`, run as the
 * guide says), and then the guide's test file passes against it, run as the app's `npm test`
 * runs it (`node --test`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const guide = assemble('docs/guide.md', join(WORK, 'run', 'guide'), scaffold);

t.test('the guide\'s migration step writes the notes migration', async (t) => {
  const migrations = join(guide.dir, 'data', 'migrations');
  const { code, output } = await run(process.execPath, [join(ROOT, 'server', 'cli', 'livery.js'), 'migrate', '--create', 'notes'], guide.dir);
  t.equal(code, 0, output);
  const written = readdirSync(migrations).filter((name) => name.endsWith('_notes.ts'));
  t.equal(written.length, 1, 'Migration<timestamp>_notes.ts');
  const sql = readFileSync(join(migrations, written[0]), 'utf8');
  t.match(sql, 'create table "notes"');
  t.match(sql, 'enable row level security');
  t.match(sql, 'notes_tenant_policy');
});

t.test('the guide\'s tests pass against the guide\'s app', async (t) => {
  for (const file of ['notes.test.ts', 'first-note.test.ts']) t.ok(existsSync(join(guide.dir, 'test', file)), `test/${file}`);
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/notes.test.ts', 'test/first-note.test.ts'], guide.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 4/);
  t.match(output, /fail 0/);
});
