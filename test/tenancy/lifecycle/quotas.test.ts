/**
 * Per-tenant quotas (D41): a tenant's `settings.quotas` overrides the defaults; over a quota the
 * client gets LV_TENANT_QUOTA_EXCEEDED naming which one, the log a line with the tenant (and no
 * credential), and other tenants are unaffected. Settings changes take effect at once.
 */
import t from 'tap';
import { pgliteFactory } from '../../data/fixtures.ts';
import { seedTestData } from '../../data/fixtures/seed.ts';
import { updateTenantSettings } from '../../../server/data/index.ts';
import { TenantQuotas } from '../../../server/admission/index.ts';
import type { TenantInfo } from '../../../server/tenancy/directory.ts';
import type { MemoryStateBackend } from '../../../server/state/index.ts';
import { getPage, LiveClient, startServer, trySocket } from '../../live/harness.ts';
import { eventually, joinedSocket, lifecycleRoutes } from './fixture.ts';

const fixture = await pgliteFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);
await updateTenantSettings(fixture.db, 'acme', { quotas: { eventsPerSecond: 5, sockets: 2, stateBytes: 4000 } });

const logs: string[] = [];
const s = await startServer({
  routes: lifecycleRoutes, database: fixture.db, logLevel: 'warn', logStream: { write: (line) => void logs.push(line) },
  tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
});
t.teardown(() => s.close());
const host = (tenant: string) => `${tenant}.localhost:${s.port}`;

/** Sends `n` events at once and collects each answer's type and code, in ref order. */
async function burst(client: LiveClient, n: number): Promise<Array<string>> {
  for (let i = 0; i < n; i++) client.send([2, 'e', client.nextRef(), 1, 'inc', {}]);
  const answers: string[] = [];
  for (let i = 0; i < n; i++) {
    const frame = await client.next();
    answers.push(frame[1] === 'r' ? 'ok' : `${String(frame[4])}: ${String(frame[5])}`);
  }
  return answers;
}

t.test('settings.quotas override the defaults; a malformed one is logged once and the default applies; tenancy off means no quotas', async (t) => {
  const warnings: object[] = [];
  const quotas = new TenantQuotas({ sockets: 10, eventsPerSecond: 100, stateBytes: 0 }, { warn: (object) => void warnings.push(object) });
  const tenant = (settings: Record<string, unknown>): TenantInfo => ({ id: 'acme', name: 'Acme', settings, status: 'active', onTrial: false, paidUntil: null });
  const info = tenant({ quotas: { sockets: 2, eventsPerSecond: 'lots', stateBytes: 5000 } });
  for (let i = 0; i < 50; i++) t.same(quotas.note(info), { sockets: 2, eventsPerSecond: 100, stateBytes: 5000 });
  t.same(warnings, [{ tenant: 'acme', quota: 'eventsPerSecond' }], 'one warning for 50 page renders');
  t.equal(quotas.stateBytes('acme'), 5000, 'the state backend asks by id');
  t.ok(quotas.tryAddSocket(info) && quotas.tryAddSocket(info), 'two sockets');
  t.notOk(quotas.tryAddSocket(info), 'not a third');
  quotas.removeSocket('acme');
  t.ok(quotas.tryAddSocket(info), 'a closed socket frees its place');
  const off = new TenantQuotas(undefined, { warn: () => t.fail('no warnings without tenancy') });
  for (let i = 0; i < 20; i++) t.ok(off.tryAddSocket(info) && off.allowEvent(info), 'no quotas without tenancy');
  t.equal(off.stateBytes('acme'), 0);
});

t.test('a tenant over its events-per-second quota is refused; another tenant\'s events keep flowing', async (t) => {
  const acme = await joinedSocket(s.url, s.port, 'acme');
  const globex = await joinedSocket(s.url, s.port, 'globex');
  const started = performance.now();
  const [acmeAnswers, globexAnswers] = await Promise.all([burst(acme, 40), burst(globex, 40)]);
  // The bucket holds one second's worth and refills while the burst is under way.
  const allowedAtMost = 5 + Math.ceil(((performance.now() - started) / 1000) * 5);
  const refused = acmeAnswers.filter((a) => a !== 'ok');
  t.ok(40 - refused.length <= allowedAtMost, `acme: ${40 - refused.length} of 40 allowed (quota 5/s, at most ${allowedAtMost} in this time)`);
  t.match(refused[0], /^LV_TENANT_QUOTA_EXCEEDED: .*events per second/, 'the error names the quota');
  t.same(globexAnswers.filter((a) => a !== 'ok'), [], 'globex: every event answered');

  const lines = logs.filter((line) => line.includes('LV_TENANT_QUOTA_EXCEEDED') && line.includes('eventsPerSecond'));
  t.equal(lines.length, 1, 'one log line for the burst (at most one per tenant and quota a minute)');
  t.match(JSON.parse(lines[0]), { tenant: 'acme', quota: 'eventsPerSecond', limit: 5, msg: 'tenant over its events per second quota' });
  t.notMatch(lines[0], /lv_sid|cookie/i, 'no credential in the line');
  await acme.close();
  await globex.close();
});

t.test('a tenant at its live-socket quota: the next socket is closed 4429; others are unaffected; a settings change applies at once', async (t) => {
  const first = await joinedSocket(s.url, s.port, 'acme');
  const second = await joinedSocket(s.url, s.port, 'acme');
  const third = await trySocket(s.url, { host: host('acme') });
  t.same(third, { status: 429, code: 'LV_TENANT_QUOTA_EXCEEDED' }, 'the third acme socket is refused');
  t.equal((await trySocket(s.url, { host: host('globex') })).status, 101, 'a globex socket is admitted');

  await updateTenantSettings(fixture.db, 'acme', { quotas: { eventsPerSecond: 5, sockets: 3, stateBytes: 4000 } });
  await eventually(async () => (await trySocket(s.url, { host: host('acme') })).status === 101, 'a third socket admitted after the quota was raised');
  t.pass('raised quota applies without a restart');
  await first.close();
  await second.close();
});

t.test('state bytes: a tenant over its budget loses only its own least recently used states', async (t) => {
  const backend = s.server.app.livery.backends.state as MemoryStateBackend;
  const globexPage = await getPage(s.url, '/notes', undefined, host('globex'));
  const statuses = new Set<number>();
  for (let i = 0; i < 40; i++) statuses.add((await getPage(s.url, '/notes', undefined, host('acme'))).status);
  t.same([...statuses], [200], '40 acme pages served');
  t.ok(backend.usage('acme').bytes <= 4000, `acme holds ${backend.usage('acme').bytes} bytes (quota 4000)`);
  const client = await LiveClient.open(s.url, { cookie: globexPage.cookie, host: host('globex') });
  t.equal((await client.join(1, globexPage.view, globexPage.token))[1], 'r', 'globex\'s earlier page still joins its stored state');
  await client.close();
});

t.test('one state larger than the whole budget is refused: the page answers 429 LV_TENANT_QUOTA_EXCEEDED', async (t) => {
  await updateTenantSettings(fixture.db, 'acme', { quotas: { stateBytes: 100 } });
  await eventually(async () => (await getPage(s.url, '/notes', undefined, host('acme'))).status === 429, 'the page refused');
  const page = await getPage(s.url, '/notes', undefined, host('acme'));
  t.match(page.html, 'LV_TENANT_QUOTA_EXCEEDED');
  t.match(page.html, 'state bytes');
  t.equal((await getPage(s.url, '/notes', undefined, host('globex'))).status, 200, 'globex unaffected');
});
