/**
 * A random-subdomain storm (issue 10, finding 12): 1,000 requests, each for a subdomain no
 * tenant has, must cost a bounded number of database queries — not one each — and tenants that
 * exist must keep resolving, for this client (if cached) and for everyone else.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { seedTestData } from '../data/fixtures/seed.ts';
import { UNKNOWN_LOOKUP_BURST, UNKNOWN_LOOKUPS_PER_SECOND } from '../../server/tenancy/directory.ts';
import { postgresFactory } from '../data/fixtures.ts';
import { routes } from '../live/fixtures/views.ts';
import { LiveClient, startServer, trySocket } from '../live/harness.ts';

const fixture = await postgresFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);

/** A GET with a Host header, from a chosen local address (127.0.0.0/8 all reach the server). */
function get(port: number, host: string, localAddress = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/counter', localAddress, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

t.test('1,000 requests for random unknown subdomains cost a bounded number of queries', async (t) => {
  // The page budget per address (page-budget.test.ts) is lifted: this tests the directory's own
  // limit on lookups that find nothing, which also guards pages that mount nothing.
  const s = await startServer({ routes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' }, pages: { ratePerSecond: 100_000, burst: 100_000 } });
  t.teardown(() => s.close());
  const random = () => `${'x' + randomBytes(6).toString('hex')}.localhost:${s.port}`;

  // Known tenant, looked up once before the storm (as a live site would have it cached).
  t.equal((await get(s.port, `acme.localhost:${s.port}`)).status, 200, 'acme resolves');

  // What one lookup of an unknown id costs in statements, to state the bound in queries.
  let before = fixture.db.queryCount();
  t.equal((await get(s.port, random())).status, 404, 'an unknown subdomain is LV_TENANT_UNKNOWN');
  const perLookup = fixture.db.queryCount() - before;
  t.ok(perLookup >= 1, `one lookup costs ${perLookup} statement(s)`);

  before = fixture.db.queryCount();
  const started = performance.now();
  const statuses = new Map<number, number>();
  let limitedBody = '';
  const queue = Array.from({ length: 1000 }, random);
  await Promise.all(Array.from({ length: 10 }, async () => {
    for (let host = queue.pop(); host !== undefined; host = queue.pop()) {
      const { status, body } = await get(s.port, host);
      if (status === 429) limitedBody = body;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const queries = fixture.db.queryCount() - before;
  // The budget: a burst, then a refill per second for as long as the storm lasted.
  const lookupsAllowed = UNKNOWN_LOOKUP_BURST + Math.ceil(seconds * UNKNOWN_LOOKUPS_PER_SECOND);
  t.ok(queries <= lookupsAllowed * perLookup, `${queries} queries for 1,000 requests in ${seconds.toFixed(1)} s (bound ${lookupsAllowed * perLookup})`);
  t.equal((statuses.get(404) ?? 0) + (statuses.get(429) ?? 0), 1000, `every request refused: ${JSON.stringify([...statuses])}`);
  t.ok((statuses.get(429) ?? 0) >= 1000 - lookupsAllowed, 'past the budget: LV_TENANT_LOOKUPS_LIMITED (429)');
  t.match(limitedBody, 'LV_TENANT_LOOKUPS_LIMITED', 'the 429 page names its code');

  t.test('sockets for random subdomains are limited the same way', async (t) => {
    const before = fixture.db.queryCount();
    const started = performance.now();
    const refused = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const status = String((await trySocket(s.url, { host: random() })).status);
      refused.set(status, (refused.get(status) ?? 0) + 1);
    }
    const refills = Math.ceil(((performance.now() - started) / 1000) * UNKNOWN_LOOKUPS_PER_SECOND) + 1;
    t.equal((refused.get('429') ?? 0) + (refused.get('404') ?? 0), 50, `all refused: ${JSON.stringify([...refused])}`);
    t.ok((refused.get('404') ?? 0) <= refills, 'only what the budget refilled meanwhile was looked up');
    t.ok(fixture.db.queryCount() - before <= refills * perLookup, `${fixture.db.queryCount() - before} queries for 50 upgrades`);
  });

  t.test('known tenants still resolve', async (t) => {
    const before = fixture.db.queryCount();
    t.equal((await get(s.port, `acme.localhost:${s.port}`)).status, 200, 'a cached tenant, for the storming address too');
    t.equal(fixture.db.queryCount() - before, 0, 'from the cache: the storm evicted nothing');
    t.equal((await get(s.port, `globex.localhost:${s.port}`, '127.0.0.2')).status, 200, 'an uncached tenant, for another address');
    t.equal((await get(s.port, `${'nope' + randomBytes(3).toString('hex')}.localhost:${s.port}`, '127.0.0.2')).status, 404, 'and another address still gets the honest 404');
  });
});

t.test('concurrent requests for one unknown id share one query, and misses are cached', async (t) => {
  const s = await startServer({ routes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' } });
  t.teardown(() => s.close());
  const host = `missing${randomBytes(4).toString('hex')}.localhost:${s.port}`;
  const directory = s.server.app.livery.directory!;
  const before = directory.lookups;
  const results = await Promise.all(Array.from({ length: 10 }, () => get(s.port, host, '127.0.0.3')));
  t.same(results.map((r) => r.status), Array(10).fill(404));
  t.equal(directory.lookups - before, 1, 'one lookup for ten concurrent requests');
  t.equal((await get(s.port, host, '127.0.0.3')).status, 404);
  t.equal(directory.lookups - before, 1, 'the miss is remembered');
});
