/**
 * docs/templates.md's custom-filter example works as written: its files, laid over the app
 * `livery new` writes, type-check and pass the page's own test, run as the app's `npm test`
 * runs it (`node --test`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const app = assemble('docs/templates.md', join(WORK, 'run', 'templates'), scaffold);
const example = ['filters.ts', 'app.ts', 'views/index.ts', 'views/price.ts', 'templates/price.html', 'test/price.test.ts'];

t.test('the example\'s files type-check', async (t) => {
  for (const file of example) t.ok(app.files.includes(file), `the page writes ${file}`);
  writeFileSync(join(app.dir, 'tsconfig.check.json'), JSON.stringify({
    extends: '../../../../tsconfig.json',
    files: example.filter((f) => f.endsWith('.ts')),
  }, null, 2));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const { code, output } = await run(process.execPath, [tsc, '--noEmit', '-p', join(app.dir, 'tsconfig.check.json')], ROOT);
  t.equal(code, 0, output);
});

t.test('the example\'s test passes against its app', async (t) => {
  t.ok(existsSync(join(app.dir, 'test', 'price.test.ts')));
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/price.test.ts'], app.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 1/);
  t.match(output, /fail 0/);
});
