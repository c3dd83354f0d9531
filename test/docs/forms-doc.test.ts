/**
 * docs/forms.md works as written: its files, laid over the app `livery new` writes, type-check,
 * and its test passes, run as the app's `npm test` runs it (`node --test`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const forms = assemble('docs/forms.md', join(WORK, 'forms', 'app'), scaffold);

t.test('the forms page writes its view, template and test', async (t) => {
  for (const file of ['views/tasks.ts', 'templates/tasks.html', 'test/tasks.test.ts']) t.ok(forms.files.includes(file), file);
});

t.test('they type-check', async (t) => {
  writeFileSync(join(forms.dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../../tsconfig.json', include: ['**/*.ts'] }, null, 2));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const { code, output } = await run(process.execPath, [tsc, '--noEmit', '-p', join(forms.dir, 'tsconfig.json')], ROOT);
  t.equal(code, 0, 'tsc --noEmit passes');
  t.equal(output.trim(), '', 'no diagnostics');
});

t.test('its test passes', async (t) => {
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/tasks.test.ts'], forms.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 1/);
  t.match(output, /fail 0/);
});
