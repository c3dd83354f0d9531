/**
 * The startup check and connection poolers: transaction pooling (scripts/pgbouncer.sh, as CI runs
 * it) passes; a pooler in statement mode, which refuses transactions, is reported as
 * LV_DB_STATEMENT_POOLING and stops the server with livery.C049 — before the first request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { checkDatabase, createDatabase } from '../../server/data/index.ts';
import { startServer } from '../live/harness.ts';
import { freePort } from '../redis/own-redis.ts';
import { NOTE_DATA } from './fixtures/note.ts';
import { pgbouncerFactory, urlFor } from './fixtures.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/pgbouncer.sh', import.meta.url));
const run = promisify(execFile);

const fixture = await pgbouncerFactory();
t.teardown(fixture.cleanup);
const name = new URL(fixture.ownerUrl!).pathname.slice(1);

t.test('through a transaction pooler the check passes', async (t) => {
  t.same(await checkDatabase(fixture.db), []);
});

t.test('through a statement pooler: LV_DB_STATEMENT_POOLING, and the server refuses to start (livery.C049)', async (t) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'livery-statement-pooler-'));
  const args = ['--port', String(port), '--pool-mode', 'statement', '--dir', dir];
  t.teardown(async () => {
    await run(SCRIPT, ['stop', ...args]);
    rmSync(dir, { recursive: true, force: true });
  });
  await run(SCRIPT, ['start', ...args]);
  const db = await createDatabase({ url: urlFor(name, undefined, `postgres://postgres@127.0.0.1:${port}/postgres`), ...NOTE_DATA });
  t.teardown(() => db.close());
  const problems = await checkDatabase(db);
  t.match(problems, [{ id: 'LV_DB_STATEMENT_POOLING', message: /statement pooling/ }]);
  await t.rejects(startServer({ database: db }), /livery\.C049: LV_DB_STATEMENT_POOLING/);
});
