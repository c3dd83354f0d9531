/**
 * docs/components.md's complete example works as written: its files, laid over the app
 * `livery new` writes, pass the page's own test, run as the app's `npm test` runs it
 * (`node --test`). code-blocks.test.ts type-checks the same files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, run, scaffold, WORK } from './doc-blocks.ts';

const app = assemble('docs/components.md', join(WORK, 'run', 'components'), scaffold);

t.test('the example\'s test passes against its app', async (t) => {
  t.ok(existsSync(join(app.dir, 'test', 'scoreboard.test.ts')));
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/scoreboard.test.ts'], app.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 2/);
  t.match(output, /fail 0/);
});
