/**
 * The docs' code stays true: the guide's app — its files, migration included, laid over the app
 * `livery new` writes — passes the guide's tests, run as the app's `npm test` runs them
 * (`node --test`). guide-migration.test.ts checks that the migration is what `--create` writes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, run, scaffold, WORK } from './doc-blocks.ts';

const guide = assemble('docs/guide.md', join(WORK, 'run', 'app'), scaffold);

t.test('the guide\'s tests pass against the guide\'s app', async (t) => {
  for (const file of ['notes.test.ts', 'first-note.test.ts']) t.ok(existsSync(join(guide.dir, 'test', file)), `test/${file}`);
  // One file at a time: each starts a server and an in-memory database; side by side they only
  // compete for the CPU.
  const { code, output } = await run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', 'test/notes.test.ts', 'test/first-note.test.ts'], guide.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 4/);
  t.match(output, /fail 0/);
});
