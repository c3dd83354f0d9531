/**
 * The README's first command on a fresh clone: `git clone` of the committed HEAD, `npm ci`, then
 * `npm start` with nothing else — no build step, no database setup — answers /healthz and serves
 * /counter. Also: the install prints no EBADENGINE warning on the system Node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { getPage, httpGet } from '../live/harness.ts';
import { cleanEnv, npmStart, run } from './run.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.setTimeout(10 * 60_000);
const work = mkdtempSync(join(tmpdir(), 'livery-clone-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

t.test('git clone → npm ci → npm start serves the example app', async (t) => {
  const env = cleanEnv(ROOT, { PORT: '0', HOST: '127.0.0.1' });
  const clone = join(work, 'livery');
  const cloned = await run('git', ['clone', '--quiet', ROOT, clone], work, env);
  t.equal(cloned.code, 0, 'git clone', { output: cloned.output });
  if (cloned.code !== 0) return;

  const installed = await run('npm', ['ci', '--no-audit', '--no-fund'], clone, env);
  t.equal(installed.code, 0, 'npm ci', { output: installed.output });
  t.notMatch(installed.output, 'EBADENGINE', 'no engine warnings');
  if (installed.code !== 0) return;

  const server = await npmStart(clone, 'Livery example app', env);
  t.teardown(server.stop);
  t.equal((await httpGet(`${server.url}/healthz`, {})).status, 200, '/healthz answers');
  const page = await getPage(server.url, '/counter');
  t.equal(page.status, 200, '/counter');
  t.match(page.html, /<script[^>]* src="\/_livery\/livery\.[0-9a-f]{8}\.js"/, 'with the client bundle, built at start');
  t.ok(page.token, 'a live view page (join token)');
});
