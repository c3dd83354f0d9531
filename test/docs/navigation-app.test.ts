/**
 * docs/navigation.md's example works as written: its files, laid over the app `livery new`
 * writes, pass the page's own test, run as the app's `npm test` runs it (`node --test`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, run, scaffold, WORK } from './doc-blocks.ts';

const app = assemble('docs/navigation.md', join(WORK, 'run', 'navigation'), scaffold);

t.test('the navigation page\'s test passes against its app', async (t) => {
  t.ok(existsSync(join(app.dir, 'test', 'articles.test.ts')), 'test/articles.test.ts');
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/articles.test.ts'], app.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 3/);
  t.match(output, /fail 0/);
});
