/**
 * Health says healthy or not; live counts are metrics, behind a token (issue 10, finding 11).
 * A tenant's host must not tell its visitors how busy the whole process is.
 */
import t from 'tap';
import { checks, StartupError } from '../../server/config/index.ts';
import { resolveConfig } from '../../server/options/index.ts';
import { seedTestData } from '../data/fixtures/seed.ts';
import { postgresFactory } from '../data/fixtures.ts';
import { routes } from './fixtures/views.ts';
import { getPage, httpGet, LiveClient, startServer } from './harness.ts';

const TOKEN = 'metrics-token-metrics-token-metrics-token';

t.test('/healthz on a tenant host: status only, nothing about load', async (t) => {
  const fixture = await postgresFactory();
  t.teardown(() => fixture.cleanup());
  await seedTestData(fixture.db);
  const s = await startServer({ routes, database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' }, metricsToken: TOKEN });
  t.teardown(() => s.close());
  const host = `acme.localhost:${s.port}`;
  const page = await getPage(s.url, '/counter', undefined, host);
  const client = await LiveClient.open(s.url, { cookie: page.cookie, host });
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);

  for (const on of [host, `globex.localhost:${s.port}`, `127.0.0.1:${s.port}`]) {
    const health = await httpGet(`${s.url}/healthz`, { host: on });
    t.equal(health.status, 200, `${on}: healthy`);
    t.same(JSON.parse(health.body), { status: 'ok' }, `${on}: no counts, no backend names`);
  }

  const metrics = await httpGet(`${s.url}/_livery/metrics`, { host, authorization: `Bearer ${TOKEN}` });
  t.equal(metrics.status, 200, 'the counts are at /_livery/metrics, with the token');
  t.match(JSON.parse(metrics.body), { connections: 1, liveViews: 1, stateBackend: 'memory' });
});

t.test('/_livery/metrics needs the token, and does not exist without one', async (t) => {
  const guarded = await startServer({ routes, metricsToken: TOKEN });
  t.teardown(() => guarded.close());
  for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
    const response = await httpGet(`${guarded.url}/_livery/metrics`, authorization === undefined ? {} : { authorization });
    t.equal(response.status, 401, `refused: ${authorization ?? 'no Authorization'}`);
    t.equal(response.body, '', 'and says nothing');
  }
  const open = await startServer({ routes });
  t.teardown(() => open.close());
  t.equal((await httpGet(`${open.url}/_livery/metrics`, { authorization: `Bearer ${TOKEN}` })).status, 404, 'no token configured: no endpoint');
});

t.test('livery.C035: a metrics token too short to be a credential', async (t) => {
  const problems = (env: Record<string, string>) => {
    try {
      resolveConfig({}, env);
      return [];
    } catch (error) {
      return (error as StartupError).problems.map((p) => p.id);
    }
  };
  t.same(problems({ LIVERY_METRICS_TOKEN: 'short' }), ['livery.C035']);
  t.same(problems({ LIVERY_METRICS_TOKEN: TOKEN }), []);
  t.equal(resolveConfig({}, { LIVERY_METRICS_TOKEN: TOKEN }).metricsToken, TOKEN, 'read from the environment');
  t.ok(checks['livery.C035']);
});
