/**
 * Suspension takes effect (issue 10, finding 5): a tenant suspended while its sockets are open —
 * by a plain `update tenants` in psql, not only through Livery's API — has every live socket
 * closed with 4403 LV_TENANT_SUSPENDED promptly (not when the 60 s directory cache expires), no
 * event of those sockets runs after the suspension is known, and its next page is refused.
 * Across processes too: each server process hears the database's notification itself.
 *
 * The recheck interval is an hour in these servers, so only the notification can make them act
 * in time; `recheck.postgres.test.ts` covers the recheck without notifications.
 */
import t from 'tap';
import { openAgain, postgresFactory } from '../../data/fixtures.ts';
import { seedTestData } from '../../data/fixtures/seed.ts';
import { reactivateTenant, suspendTenant } from '../../../server/data/index.ts';
import { getPage, startServer, trySocket } from '../../live/harness.ts';
import { armHold, bounded, eventually, joinedSocket, lifecycleRoutes, notesOf, ownerExecute, releaseHold, untilClosed } from './fixture.ts';

const fixture = await postgresFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
const ownerUrl = fixture.ownerUrl!;

const tenancy = { resolver: 'subdomain', mainDomain: 'localhost', recheckSeconds: 3600 } as const;
const s = await startServer({ routes: lifecycleRoutes, database: fixture.db, tenancy });
t.teardown(() => s.close());
const host = (tenant: string) => `${tenant}.localhost:${s.port}`;
const pageStatus = async (tenant: string) => (await getPage(s.url, '/notes', undefined, host(tenant))).status;

t.test('suspended by SQL: the live socket is closed with 4403, an event queued after does not write, the next page is refused', async (t) => {
  const client = await joinedSocket(s.url, s.port, 'acme');
  t.equal((await client.event(1, 'add'))[1], 'r', 'an event writes while the tenant is active');
  const before = await notesOf(ownerUrl, 'acme');

  // An event holds the view's mailbox; a second one queues behind it.
  armHold();
  client.send([2, 'e', client.nextRef(), 1, 'hold', {}]);
  client.send([2, 'e', client.nextRef(), 1, 'add', {}]);

  await ownerExecute(ownerUrl, "update tenants set status = 'suspended' where id = 'acme'");
  const { code, frames } = await untilClosed(client);
  t.equal(code, 4403, 'closed with 4000 + 403');
  t.ok(frames.some((f) => f[1] === 'x' && f[4] === 'LV_TENANT_SUSPENDED'), 'told why: LV_TENANT_SUSPENDED');

  releaseHold(); // the held event finishes; the queued one must not run now
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(await notesOf(ownerUrl, 'acme'), before, 'the event queued behind the suspension wrote no row');

  // No 60 s cache window: the notification replaced the cached entry.
  t.equal(await pageStatus('acme'), 403, 'a new page is refused at once');
  const refused = await trySocket(s.url, { host: host('acme') });
  t.same(refused, { status: 4403 - 4000, code: 'LV_TENANT_SUSPENDED' }, 'a new socket is refused');
  t.equal(await pageStatus('globex'), 200, 'another tenant is served as before');

  t.ok(await reactivateTenant(fixture.db, 'acme'), 'reactivateTenant finds the tenant');
  await eventually(async () => (await pageStatus('acme')) === 200, 'the reactivated tenant is served again');
  t.pass('the reactivated tenant is served again');
  const again = await joinedSocket(s.url, s.port, 'acme');
  t.equal((await again.event(1, 'add'))[1], 'r', 'and its sockets write again');
  await again.close();
});

t.test('a page of a tenant nobody has a socket of is refused as soon as the notification arrives', async (t) => {
  t.equal(await pageStatus('globex'), 200, 'cached as active');
  await ownerExecute(ownerUrl, "update tenants set status = 'suspended' where id = 'globex'");
  await eventually(async () => (await pageStatus('globex')) === 403, 'globex refused (the cache would keep it 60 s)');
  t.pass('refused without waiting for the cache');
  await ownerExecute(ownerUrl, "update tenants set status = 'active' where id = 'globex'");
  await eventually(async () => (await pageStatus('globex')) === 200, 'globex served again');
});

t.test('a paid-until date moved into the past closes the sockets with 4402; a deleted tenant with 4404', async (t) => {
  await ownerExecute(ownerUrl, "insert into tenants (id, name, created_on) values ('initech', 'Initech', now())");
  const unpaid = await joinedSocket(s.url, s.port, 'initech');
  await ownerExecute(ownerUrl, "update tenants set paid_until = '2001-01-01' where id = 'initech'");
  t.equal((await untilClosed(unpaid)).code, 4402, 'LV_TENANT_PAYMENT_REQUIRED');
  await ownerExecute(ownerUrl, "update tenants set paid_until = null where id = 'initech'");
  await eventually(async () => (await pageStatus('initech')) === 200, 'paid again');
  const doomed = await joinedSocket(s.url, s.port, 'initech');
  await ownerExecute(ownerUrl, "delete from tenants where id = 'initech'");
  const { code, frames } = await untilClosed(doomed);
  t.equal(code, 4404, 'closed: the tenant is gone');
  t.ok(frames.some((f) => f[4] === 'LV_TENANT_UNKNOWN'), 'told LV_TENANT_UNKNOWN');
  t.equal(await pageStatus('initech'), 404, 'its pages are gone too');
});

t.test('across two processes: suspendTenant in one app closes the tenant\'s sockets on both servers', async (t) => {
  // A second server process as far as the database can tell: its own app connection and listener.
  const db2 = await openAgain(ownerUrl, {});
  const s2 = await startServer({ routes: lifecycleRoutes, database: db2, tenancy });
  t.teardown(async () => { await s2.close(); await db2.close(); });
  const one = await joinedSocket(s.url, s.port, 'globex');
  const two = await joinedSocket(s2.url, s2.port, 'globex');
  const bystander = await joinedSocket(s2.url, s2.port, 'acme');

  t.ok(await suspendTenant(db2, 'globex'), 'suspendTenant finds the tenant');
  const [a, b] = await Promise.all([untilClosed(one), untilClosed(two)]);
  t.same([a.code, b.code], [4403, 4403], 'both processes closed their globex sockets');
  t.equal((await bounded(bystander.event(1, 'inc'), 'bystander'))[1], 'r', 'an acme socket on the same process keeps working');
  t.equal((await getPage(s2.url, '/notes', undefined, `globex.localhost:${s2.port}`)).status, 403, 'refused on the second process too');
  await bystander.close();
  await reactivateTenant(db2, 'globex');
});
