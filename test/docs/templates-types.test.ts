/**
 * docs/templates.md's custom-filter example type-checks as written (its files laid over the app
 * `livery new` writes); templates-app.test.ts runs it. Only the example's files: the page's first
 * block imports the compiler from a checkout, which an app does not have.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const app = assemble('docs/templates.md', join(WORK, 'check-templates'), scaffold);
const example = ['filters.ts', 'app.ts', 'views/index.ts', 'views/price.ts', 'templates/price.html', 'test/price.test.ts'];

t.test('the example\'s files type-check', async (t) => {
  for (const file of example) t.ok(app.files.includes(file), `the page writes ${file}`);
  writeFileSync(join(app.dir, 'tsconfig.check.json'), JSON.stringify({
    extends: '../../../tsconfig.json',
    include: [],
    files: example.filter((f) => f.endsWith('.ts')),
  }, null, 2));
  // lib/tsc.js, not bin/tsc: the runner's process hook cannot load bin/tsc (ERR_REQUIRE_CYCLE_MODULE).
  const tsc = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const { code, output } = await run(process.execPath, [tsc, '--noEmit', '-p', join(app.dir, 'tsconfig.check.json')], ROOT);
  t.equal(code, 0, output);
});
