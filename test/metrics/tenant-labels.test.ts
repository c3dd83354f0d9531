/**
 * Per-tenant metrics have bounded cardinality (D48): off by default; with
 * `metrics.tenantLabels` = N, each tenant metric has at most N + 1 series (the N busiest tenants
 * and `_other`) however many tenants there are, the series add up to the process totals, and
 * every counter series only ever grows — through re-ranking, eviction of idle tenants and all.
 */
import t from 'tap';
import { OTHER, TenantLabels } from '../../server/metrics/index.ts';
import { seedTenants } from '../../server/data/index.ts';
import { pgliteFactory } from '../data/fixtures.ts';
import { routes } from '../live/fixtures/views.ts';
import { getPage, LiveClient, startServer } from '../live/harness.ts';
import { scrape } from './prom.ts';

t.test('10,000 tenants, N = 5: at most 6 series, summing to the totals, every counter monotonic', async (t) => {
  const labels = new TenantLabels(5);
  const totals = { events: 0, joins: 0, errors: 0 };
  const last = new Map<string, { events: number; joins: number; errors: number }>();
  /** The last values of series that ended. */
  const ended = { events: 0, joins: 0, errors: 0 };
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    // Each round a different crowd is busy: the ranking churns.
    for (let i = 0; i < 20_000; i++) {
      const tenant = `t${Math.floor(random() ** (1 + (round % 4)) * 10_000)}`;
      const counts = labels.for(tenant);
      const what = random();
      if (what < 0.8) { counts.events++; totals.events++; }
      else if (what < 0.95) { counts.joins++; totals.joins++; }
      else { counts.errors++; totals.errors++; }
    }
    totals.events += 7; // activity with no tenant (before a socket's tenant is known) belongs to `_other`
    const sockets = new Map([[`t${round}`, 3]]);
    const series = labels.select(totals, sockets, 10);
    t.ok(series.length <= 6, `round ${round}: ${series.length} series`);
    t.equal(series.at(-1)!.tenant, OTHER, '`_other` last');
    t.equal(new Set(series.map((s) => s.tenant)).size, series.length, 'no tenant twice');
    for (const [tenant, shown] of last) {
      if (series.some((s) => s.tenant === tenant)) continue;
      for (const key of ['events', 'joins', 'errors'] as const) ended[key] += shown[key];
    }
    for (const key of ['events', 'joins', 'errors'] as const) {
      t.equal(series.reduce((n, s) => n + s[key], 0) + ended[key], totals[key], `${key}: the series shown and the last values of those that ended add up to the total`);
    }
    t.equal(series.reduce((n, s) => n + s.sockets, 0), 10, 'sockets add up');
    for (const s of series) {
      const before = last.get(s.tenant);
      if (before !== undefined) for (const key of ['events', 'joins', 'errors'] as const) t.ok(s[key] >= before[key], `${s.tenant} ${key} never decreases`);
    }
    last.clear();
    for (const s of series) last.set(s.tenant, s);
    if (t.passing() === false) break;
  }
});

t.test('memory stays bounded: idle tenants are forgotten at the next scrape', async (t) => {
  const labels = new TenantLabels(3);
  const totals = { events: 0, joins: 0, errors: 0 };
  for (let i = 0; i < 10_000; i++) {
    labels.for(`t${i}`).events++;
    totals.events++;
  }
  t.equal(labels.tracked, 10_000);
  labels.select(totals, new Map(), 0);
  t.equal(labels.tracked, 10_000, 'all active since the last scrape');
  labels.select(totals, new Map(), 0);
  t.equal(labels.tracked, 3, 'then only the labelled ones are held');
  t.equal(labels.select(totals, new Map(), 0).at(-1)!.events, 10_000, 'and their counts live on in _other');
});

t.test('off (the default): no tenant series at all', async (t) => {
  const labels = new TenantLabels(0);
  labels.for('acme').events++;
  t.same(labels.select({ events: 1, joins: 0, errors: 0 }, new Map([['acme', 1]]), 1), []);
  t.equal(labels.for('acme'), labels.for('globex'), 'every socket increments one shared, unread object');
});

t.test('an idle tenant keeps its label until a busier one needs it', async (t) => {
  const labels = new TenantLabels(1);
  const totals = { events: 0, joins: 0, errors: 0 };
  const hit = (tenant: string, n: number) => { labels.for(tenant).events += n; totals.events += n; };
  hit('a', 5);
  hit('b', 2);
  t.same(labels.select(totals, new Map(), 0).map((s) => [s.tenant, s.events]), [['a', 0], [OTHER, 7]], 'a labelled from now on; what it did before stays in _other');
  hit('a', 3);
  t.same(labels.select(totals, new Map(), 0).map((s) => [s.tenant, s.events]), [['a', 3], [OTHER, 7]]);
  t.same(labels.select(totals, new Map(), 0).map((s) => [s.tenant, s.events]), [['a', 3], [OTHER, 7]], 'idle, unchallenged: kept');
  hit('b', 4);
  t.same(labels.select(totals, new Map(), 0).map((s) => [s.tenant, s.events]), [['b', 0], [OTHER, 11]], 'b busier: a\'s series ends at 3, _other goes on from 7 (+ b\'s 4 before its label)');
  hit('b', 1);
  t.same(labels.select(totals, new Map(), 0).map((s) => [s.tenant, s.events]), [['b', 1], [OTHER, 11]]);
});

t.test('on a real server: 8 tenants with sockets and events, N = 2', async (t) => {
  const fixture = await pgliteFactory();
  t.teardown(() => fixture.cleanup());
  const tenants = Array.from({ length: 8 }, (_, i) => `tenant-${i}`);
  await seedTenants(fixture.db, { tenants: tenants.map((id) => ({ id, name: id })) });
  const s = await startServer({ routes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' }, metrics: { port: 0, tenantLabels: 2 } });
  t.teardown(() => s.close());
  const url = `http://127.0.0.1:${s.server.app.livery.metricsListener!.port}/_livery/metrics`;
  const sqlBefore = (await scrape(url)).value('livery_sql_queries_total');

  const clients: LiveClient[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  for (const [i, tenant] of tenants.entries()) {
    const host = `${tenant}.localhost:${s.port}`;
    const page = await getPage(s.url, '/counter', undefined, host);
    t.equal(page.status, 200, `${tenant}: page`);
    const client = await LiveClient.open(s.url, { cookie: page.cookie, host });
    clients.push(client);
    t.equal((await client.join(1, page.view, page.token))[1], 'r');
    // tenant-7 is busiest, then tenant-6, …: i events each.
    for (let e = 0; e < i; e++) await client.event(1, 'inc');
  }
  const first = await scrape(url);
  t.ok(first.value('livery_sql_queries_total') > sqlBefore, 'tenant lookups were SQL round trips');
  for (const name of ['livery_tenant_sockets', 'livery_tenant_joins_total', 'livery_tenant_events_total', 'livery_tenant_errors_total']) {
    const values = first.all(name).map((s) => s.labels.tenant);
    t.same(values.sort(), ['_other', 'tenant-6', 'tenant-7'], `${name}: the two busiest and _other`);
  }
  t.equal(first.value('livery_tenant_sockets', { tenant: 'tenant-7' }), 1);
  t.equal(first.value('livery_tenant_sockets', { tenant: '_other' }), 6);
  const sum = (name: string) => first.all(name).reduce((n, s) => n + s.value, 0);
  t.equal(sum('livery_tenant_sockets'), first.value('livery_sockets'), 'sockets add up');
  t.equal(sum('livery_tenant_events_total'), first.value('livery_events_total'), 'events add up (labels count from the first scrape on)');

  // From now on the labelled tenants' own series count their events.
  await clients[7]!.event(1, 'inc');
  await clients[6]!.event(1, 'inc');
  await clients[6]!.event(1, 'inc');
  const second = await scrape(url);
  t.equal(second.value('livery_tenant_events_total', { tenant: 'tenant-7' }), 1);
  t.equal(second.value('livery_tenant_events_total', { tenant: 'tenant-6' }), 2);
  t.equal(second.value('livery_tenant_events_total', { tenant: '_other' }), first.value('livery_tenant_events_total', { tenant: '_other' }), '_other unchanged');

  const plain = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => plain.close());
  const off = await scrape(`http://127.0.0.1:${plain.server.app.livery.metricsListener!.port}/_livery/metrics`);
  t.notOk(off.samples.some((s) => s.name.startsWith('livery_tenant_') || 'tenant' in s.labels), 'off by default: no tenant label anywhere');
});
