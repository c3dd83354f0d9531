/**
 * Suspension on PGlite (development and the test client's default database): PGlite's own
 * LISTEN hears the trigger's notification on the one in-process session, so a suspension — by
 * `suspendTenant` or by plain SQL — closes the tenant's live sockets just as on PostgreSQL.
 */
import t from 'tap';
import { pgliteFactory } from '../../data/fixtures.ts';
import { seedTestData } from '../../data/fixtures/seed.ts';
import { suspendTenant } from '../../../server/data/index.ts';
import { getPage, startServer } from '../../live/harness.ts';
import { joinedSocket, lifecycleRoutes, untilClosed } from './fixture.ts';

const fixture = await pgliteFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
const s = await startServer({ routes: lifecycleRoutes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost', recheckSeconds: 3600 } });
t.teardown(() => s.close());

t.test('suspendTenant and a plain UPDATE both close the tenant\'s live sockets with 4403', async (t) => {
  const acme = await joinedSocket(s.url, s.port, 'acme');
  const globex = await joinedSocket(s.url, s.port, 'globex');
  t.ok(await suspendTenant(fixture.db, 'acme'));
  t.equal((await untilClosed(acme)).code, 4403, 'suspendTenant');
  await fixture.db.orm.em.fork().execute("update tenants set status = 'suspended' where id = 'globex'");
  t.equal((await untilClosed(globex)).code, 4403, 'update tenants …');
  t.equal((await getPage(s.url, '/notes', undefined, `acme.localhost:${s.port}`)).status, 403, 'pages refused');
});
