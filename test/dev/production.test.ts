/**
 * The dev loop's parts exist only in a process the dev supervisor runs, and never in production:
 * the overlay script route, the overlay in pages, dev frames, error details on the socket, and
 * the state snapshot (neither read nor written). The same setup outside production shows each of
 * them, so the test can tell the difference.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { route } from '../../server/index.ts';
import { getPage, httpGet, LiveClient, startServer } from '../live/harness.ts';
import { CounterView } from './fixtures/app/views/counter.ts';
import { fileURLToPath } from 'node:url';

const TEMPLATES = fileURLToPath(new URL('./fixtures/app/templates/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'livery-dev-prod-'));
const snapshotFile = join(dir, 'dev-snapshot.json');
const saved = { LIVERY_DEV: process.env.LIVERY_DEV, LIVERY_DEV_SNAPSHOT: process.env.LIVERY_DEV_SNAPSHOT };
// As if the dev supervisor had started this process.
process.env.LIVERY_DEV = '1';
process.env.LIVERY_DEV_SNAPSHOT = snapshotFile;
t.teardown(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

const SNAPSHOT = JSON.stringify({ version: 1, state: [['lv:{public}:view:handed-over', { value: '{"count":41}' }]], sessions: [] });

async function probe(t: Test, production: boolean) {
  writeFileSync(snapshotFile, SNAPSHOT);
  const s = await startServer({ production, routes: [route('/counter', CounterView)], templatesDir: TEMPLATES });
  t.teardown(() => s.close());
  const backend = s.server.app.livery.backends.state;
  const restored = await backend.get('lv:{public}:view:handed-over');
  const snapshotLeft = existsSync(snapshotFile);
  const script = await httpGet(`${s.url}/_livery/dev/overlay.js`, {});
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const first = await client.join(1, page.view, page.token);
  const frames = first[1] === 'o' ? [first, await client.next()] : [first];
  const boom = await client.event(1, 'boom');
  await client.close();
  rmSync(snapshotFile, { force: true });
  await s.close();
  return { restored, snapshotLeft, script: script.status, page: page.html, frames, boom, snapshotWritten: existsSync(snapshotFile) };
}

t.test('under the dev loop in development: overlay, dev frames, error details, snapshot read and written', async (t) => {
  const dev = await probe(t, false);
  t.equal(dev.restored, '{"count":41}', 'the snapshot was loaded');
  t.notOk(dev.snapshotLeft, 'and consumed');
  t.equal(dev.script, 200, 'the overlay script is served');
  t.match(dev.page, '/_livery/dev/overlay.js', 'pages load it');
  t.same(dev.frames[0], [2, 'o', null], 'a new socket is told to clear the overlay');
  t.equal(dev.boom[4], 'LV_HANDLER_FAILED');
  t.match(dev.boom[6], { title: 'LV_HANDLER_FAILED in CounterView', message: /boom/, file: /counter\.ts$/, stack: /CounterView\.boom/ }, 'the error frame carries the details');
  t.ok(dev.snapshotWritten, 'shutdown wrote a snapshot for the next process');
});

t.test('in production, with the same environment: none of it', async (t) => {
  const prod = await probe(t, true);
  t.equal(prod.restored, null, 'the snapshot was not read');
  t.ok(prod.snapshotLeft, 'nor touched');
  t.equal(prod.script, 404, 'no overlay script');
  t.notMatch(prod.page, 'overlay', 'pages do not mention it');
  t.equal(prod.frames.length, 1, 'no dev frame on a new socket');
  t.equal(prod.boom.length, 6, 'the error frame is the plain one');
  t.equal(prod.boom[4], 'LV_HANDLER_FAILED');
  t.notOk(prod.snapshotWritten, 'shutdown wrote no snapshot');
});
