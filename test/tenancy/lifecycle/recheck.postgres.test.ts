/**
 * The bounded recheck: with no notification at all — the trigger dropped here stands in for a
 * transaction-pooling proxy, where LISTEN hears nothing — a suspension still takes effect within
 * `tenancy.recheckSeconds`, on live sockets and new pages alike, instead of when the directory
 * cache expires (60 s).
 */
import t from 'tap';
import { postgresFactory } from '../../data/fixtures.ts';
import { seedTestData } from '../../data/fixtures/seed.ts';
import { getPage, startServer } from '../../live/harness.ts';
import { eventually, joinedSocket, lifecycleRoutes, ownerExecute, untilClosed } from './fixture.ts';

const fixture = await postgresFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
const ownerUrl = fixture.ownerUrl!;
await ownerExecute(ownerUrl, 'drop trigger tenants_changed on tenants');

t.test('without notifications a suspension takes effect at the next recheck', async (t) => {
  const s = await startServer({ routes: lifecycleRoutes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost', recheckSeconds: 1 } });
  t.teardown(() => s.close());
  const client = await joinedSocket(s.url, s.port, 'acme');
  t.equal((await getPage(s.url, '/notes', undefined, `globex.localhost:${s.port}`)).status, 200, 'globex cached as active');

  await ownerExecute(ownerUrl, "update tenants set status = 'suspended' where id in ('acme', 'globex')");
  t.equal((await untilClosed(client)).code, 4403, 'the live socket is closed by the recheck');
  await eventually(async () => (await getPage(s.url, '/notes', undefined, `globex.localhost:${s.port}`)).status === 403, 'a cached tenant is refused after the recheck');
  t.pass('a cached tenant is refused after the recheck');
});
