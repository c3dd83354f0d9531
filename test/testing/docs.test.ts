/**
 * docs/testing.md stays true: its test file is the one the suite runs (imports aside, which the
 * docs write as an app sees them), and every view member its reference names exists.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { TestView } from '../../server/testing/index.ts';

const docs = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');

t.test('the guide\'s test file is test/example/guide.test.ts', async (t) => {
  const block = /<!-- runs as (\S+) -->\n```ts\n([\s\S]*?)```/.exec(docs);
  t.ok(block, 'the docs mark their runnable block');
  const file = readFileSync(new URL(`../../${block![1]}`, import.meta.url), 'utf8')
    .replace("'../../server/testing/index.ts'", "'livery/testing'")
    .replace("import app from './example-app.ts';", "import app from '../app.ts';");
  t.equal(block![2], file);
});

t.test('every view member in the reference exists', async (t) => {
  const members = [...docs.matchAll(/^\| `view\.(\w+)/gm)].map((m) => m[1]);
  t.ok(members.length >= 14, `${members.length} members documented`);
  for (const name of members) {
    const exists = name in TestView.prototype || name === 'errors' || name === 'name';
    t.ok(exists, `TestView has ${name}`);
  }
});
