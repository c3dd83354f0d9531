/**
 * The docs' code stays true: the guide's migration step. On the guide's app without the migration
 * the guide shows, `livery migrate --create notes` (run as the guide says) writes one whose SQL
 * is exactly the guide's. (guide-app.test.ts runs the app with the guide's copy.)
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const guide = assemble('docs/guide.md', join(WORK, 'run', 'migration'), scaffold);
const SHOWN = /^data\/migrations\/Migration\d{14}_notes\.ts$/;

/** The statements a migration file adds, in order. */
const statements = (source: string) => [...source.matchAll(/this\.addSql\(`([^`]*)`\)/g)].map((m) => m[1]);

t.test('livery migrate --create notes writes the migration the guide shows', async (t) => {
  const shown = guide.files.filter((file) => SHOWN.test(file));
  t.equal(shown.length, 1, 'the guide shows data/migrations/Migration<timestamp>_notes.ts');
  const expected = statements(readFileSync(join(guide.dir, shown[0]), 'utf8'));
  t.ok(expected.length >= 5, `${expected.length} statements shown`);
  rmSync(join(guide.dir, shown[0]));

  const { code, output } = await run(process.execPath, [join(ROOT, 'server', 'cli', 'livery.js'), 'migrate', '--create', 'notes'], guide.dir);
  t.equal(code, 0, output);
  const written = readdirSync(join(guide.dir, 'data', 'migrations')).filter((name) => name.endsWith('_notes.ts'));
  t.equal(written.length, 1, 'one Migration<timestamp>_notes.ts written');
  t.same(statements(readFileSync(join(guide.dir, 'data', 'migrations', written[0]), 'utf8')), expected);
});
