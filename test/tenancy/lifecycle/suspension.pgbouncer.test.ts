/**
 * Suspension behind a transaction-pooling proxy (scripts/pgbouncer.sh). Through pgbouncer a LISTEN
 * runs on whatever server connection the pooler picks and that connection then serves other
 * clients: the tenant watch would hear nothing, and a suspension would wait for the recheck (an
 * hour here). So without a direct listen URL the server refuses to start (livery.C049,
 * LV_DB_LISTEN_POOLED); with `listenUrl` (DATABASE_LISTEN_URL) past the pooler, a tenant suspended
 * by SQL has its live socket closed at once while every query of the app still goes through it.
 */
import t from 'tap';
import { openAgain, pgbouncerFactory, urlFor, ADMIN_URL } from '../../data/fixtures.ts';
import { seedTestData } from '../../data/fixtures/seed.ts';
import { DEFAULT_APP_ROLE } from '../../../server/data/index.ts';
import { startServer } from '../../live/harness.ts';
import { joinedSocket, lifecycleRoutes, ownerExecute, untilClosed } from './fixture.ts';

const fixture = await pgbouncerFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
const name = new URL(fixture.ownerUrl!).pathname.slice(1);
const direct = { owner: urlFor(name, undefined, ADMIN_URL), app: urlFor(name, DEFAULT_APP_ROLE, ADMIN_URL) };
const tenancy = { resolver: 'subdomain', mainDomain: 'localhost', recheckSeconds: 3600 } as const;

t.test('every connection through the pooler, the LISTEN too: the server refuses to start', async (t) => {
  const pooledOnly = await openAgain(fixture.ownerUrl!, {});
  t.teardown(() => pooledOnly.close());
  await t.rejects(startServer({ routes: lifecycleRoutes, database: pooledOnly, tenancy }), /livery\.C049: LV_DB_LISTEN_POOLED: .*DATABASE_LISTEN_URL/);
});

t.test('the LISTEN on a direct connection: a tenant suspended by SQL has its socket closed at once', async (t) => {
  const db = await openAgain(fixture.ownerUrl!, { listenUrl: direct.app });
  t.teardown(() => db.close());
  const s = await startServer({ routes: lifecycleRoutes, database: db, tenancy });
  t.teardown(() => s.close());
  const client = await joinedSocket(s.url, s.port, 'acme');
  t.equal((await client.event(1, 'add'))[1], 'r', 'an event writes through the pooler while the tenant is active');
  await ownerExecute(direct.owner, "update tenants set status = 'suspended' where id = 'acme'");
  const { code, frames } = await untilClosed(client);
  t.equal(code, 4403, 'closed with 4000 + 403, long before the hour-long recheck');
  t.ok(frames.some((f) => f[1] === 'x' && f[4] === 'LV_TENANT_SUSPENDED'), 'told why: LV_TENANT_SUSPENDED');
});
