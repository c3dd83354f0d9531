import { readFileSync } from 'node:fs';
import t from 'tap';
import { ENVIRONMENT } from '../server/options/index.ts';
import { TENANCY_ENVIRONMENT } from '../server/tenancy/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

t.test('the README configuration table lists every option with its variable and default', async (t) => {
  for (const e of [...ENVIRONMENT, ...TENANCY_ENVIRONMENT]) {
    t.match(readme, `| \`${e.option}\` | \`${e.env}\` | ${e.default} | ${e.doc} |`, e.env);
  }
});

t.test('the README commands exist as written', async (t) => {
  t.match(readme, '```sh\nnpm install && npm start\n```');
  t.match(readme, '```sh\nnpm test\n```');
  for (const script of ['start', 'test', 'dev', 'build', 'typecheck', 'bench']) t.ok(pkg.scripts[script], `npm run ${script} exists`);
  t.equal(pkg.dependencies['uws-pack'], '20.0.8', 'uws-pack is pinned exactly, as the README says');
  t.match(readme, 'uws-pack@20.0.8');
});

t.test('.ci/run runs the README test command', async (t) => {
  const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
  t.match(ci, /^npm test /m);
});
