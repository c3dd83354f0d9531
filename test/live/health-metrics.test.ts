/**
 * Health says healthy or not; live counts are metrics, behind a token or on a port of their own
 * (issue 10, finding 11; D46). A tenant's host must not tell its visitors how busy the process is.
 */
import http from 'node:http';
import t from 'tap';
import { checks, StartupError } from '../../server/config/index.ts';
import { resolveConfig } from '../../server/options/index.ts';
import { seedTestData } from '../data/fixtures/seed.ts';
import { postgresFactory } from '../data/fixtures.ts';
import { scrape, Scrape } from '../metrics/prom.ts';
import { routes } from './fixtures/views.ts';
import { getPage, httpGet, LiveClient, startServer } from './harness.ts';

const TOKEN = 'metrics-token-metrics-token-metrics-token';
const PATH = '/_livery/metrics';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    }).on('error', reject);
  });
}

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

  const metrics = await get(`${s.url}${PATH}`, { host, authorization: `Bearer ${TOKEN}` });
  t.equal(metrics.status, 200, 'the counts are at /_livery/metrics, with the token');
  t.match(metrics.type, /^text\/plain; version=0\.0\.4/, 'in the Prometheus text format');
  const scraped = new Scrape(metrics.body);
  t.equal(scraped.value('livery_sockets'), 1, 'one live socket');
  t.equal(scraped.value('livery_views'), 1, 'one live view');
  t.equal(scraped.types.get('livery_events_total'), 'counter');
  t.ok(scraped.has('process_cpu_user_seconds_total'), 'with the process metrics');
  t.ok(scraped.has('nodejs_eventloop_lag_seconds'), 'event-loop delay among them');
});

t.test('/_livery/metrics on the app port needs the token, and does not exist without one', async (t) => {
  const guarded = await startServer({ routes, metricsToken: TOKEN });
  t.teardown(() => guarded.close());
  for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
    const response = await httpGet(`${guarded.url}${PATH}`, authorization === undefined ? {} : { authorization });
    t.equal(response.status, 401, `refused: ${authorization ?? 'no Authorization'}`);
    t.equal(response.body, '', 'and says nothing');
  }
  t.ok((await scrape(`${guarded.url}${PATH}`, TOKEN)).has('livery_events_total'), 'the token opens it');
  const open = await startServer({ routes });
  t.teardown(() => open.close());
  t.equal((await httpGet(`${open.url}${PATH}`, { authorization: `Bearer ${TOKEN}` })).status, 404, 'no token configured: no endpoint');
  t.equal(open.server.app.livery.metrics, undefined, 'and no metrics built');
});

t.test('metrics.port: the metrics on their own listener, never on the app port', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => s.close());
  const listener = s.server.app.livery.metricsListener!;
  t.equal(listener.host, '127.0.0.1', 'bound to loopback by default');
  t.not(listener.port, s.port, 'a port of its own');
  const own = `http://127.0.0.1:${listener.port}`;
  t.ok((await scrape(`${own}${PATH}`)).has('livery_sockets'), 'no token needed on loopback');
  t.equal((await httpGet(`${s.url}${PATH}`, {})).status, 404, 'the app port has no metrics route');
  t.equal((await httpGet(`${own}/healthz`, {})).status, 404, 'the metrics listener serves metrics only');
  t.equal((await httpGet(`${own}/`, {})).status, 404);
  t.equal((await httpGet(`${s.url}/healthz`, {})).status, 200, '/healthz stays on the app port');

  const guarded = await startServer({ routes, metrics: { port: 0 }, metricsToken: TOKEN });
  t.teardown(() => guarded.close());
  const guardedUrl = `http://127.0.0.1:${guarded.server.app.livery.metricsListener!.port}${PATH}`;
  t.equal((await httpGet(guardedUrl, {})).status, 401, 'with a token configured, the listener requires it');
  t.equal((await httpGet(guardedUrl, { authorization: 'Bearer nope' })).status, 401);
  t.ok((await scrape(guardedUrl, TOKEN)).has('livery_sockets'), 'and serves with it');
  t.equal((await httpGet(`${guarded.url}${PATH}`, { authorization: `Bearer ${TOKEN}` })).status, 404, 'still nothing on the app port, even with the token');
});

t.test('the metrics listener closes with the server', async (t) => {
  const s = await startServer({ routes, metrics: { port: 0 } });
  const url = `http://127.0.0.1:${s.server.app.livery.metricsListener!.port}${PATH}`;
  t.equal((await httpGet(url, {})).status, 200);
  await s.close();
  await t.rejects(httpGet(url, {}), 'nothing listens there after close');
});

const problems = (options: Parameters<typeof resolveConfig>[0], env: Record<string, string> = {}) => {
  try {
    resolveConfig(options, env);
    return [];
  } catch (error) {
    return (error as StartupError).problems.map((p) => p.id);
  }
};

t.test('livery.C035: a metrics token too short to be a credential', async (t) => {
  t.same(problems({}, { LIVERY_METRICS_TOKEN: 'short' }), ['livery.C035']);
  t.same(problems({}, { LIVERY_METRICS_TOKEN: TOKEN }), []);
  t.equal(resolveConfig({}, { LIVERY_METRICS_TOKEN: TOKEN }).metricsToken, TOKEN, 'read from the environment');
  t.ok(checks['livery.C035']);
});

t.test('livery.C055: a metrics port that is the app\'s, out of range, or taken', async (t) => {
  t.same(problems({ port: 4000, metrics: { port: 4000 } }), ['livery.C055']);
  t.same(problems({ metrics: { port: 70000 } }), ['livery.C055']);
  t.same(problems({}, { LIVERY_METRICS_PORT: 'nine' }), ['livery.C003']);
  t.same(problems({}, { LIVERY_METRICS_PORT: '9464' }), []);
  t.equal(resolveConfig({}, { LIVERY_METRICS_PORT: '9464' }).metrics.port, 9464, 'read from the environment');
  t.equal(resolveConfig({}, {}).metrics.port, undefined, 'unset by default');
  t.equal(resolveConfig({}, { LIVERY_METRICS_PORT: '9464', LIVERY_WORKER: '3', LIVERY_STATE_BACKEND: 'redis', LIVERY_PUBSUB: 'redis' }).metrics.port, 9466, 'worker 3 of --workers: its own port, 9464 + 2');
  const first = await startServer({ routes, metrics: { port: 0 } });
  t.teardown(() => first.close());
  const taken = first.server.app.livery.metricsListener!.port;
  const error = await startServer({ routes, metrics: { port: taken } }).then(() => undefined, (e: unknown) => e);
  t.type(error, StartupError, 'a port in use fails the start');
  t.same((error as StartupError).problems.map((p) => p.id), ['livery.C055']);
});

t.test('livery.C056: a metrics port beyond loopback without a token', async (t) => {
  t.same(problems({ metrics: { port: 9464, host: '0.0.0.0' } }), ['livery.C056']);
  t.same(problems({ metrics: { port: 9464, host: '10.0.0.5' } }), ['livery.C056']);
  t.same(problems({ metrics: { port: 9464, host: '0.0.0.0' }, metricsToken: TOKEN }), [], 'with a token it may');
  t.same(problems({ metrics: { port: 9464 } }, { LIVERY_METRICS_HOST: '::1' }), [], 'IPv6 loopback');
  t.same(problems({ metrics: { port: 9464, host: '127.0.0.2' } }), []);
  t.same(problems({ metrics: { host: '0.0.0.0' } }), [], 'the host matters only with a port');
});

t.test('livery.C057: tenant labels are a bounded count', async (t) => {
  t.same(problems({ metrics: { tenantLabels: -1 } }), ['livery.C057']);
  t.same(problems({ metrics: { tenantLabels: 2.5 } }), ['livery.C057']);
  t.same(problems({ metrics: { tenantLabels: 1001 } }), ['livery.C057']);
  t.same(problems({}, { LIVERY_METRICS_TENANT_LABELS: 'all' }), ['livery.C003', 'livery.C057'], 'not a number: both say so');
  t.equal(resolveConfig({}, { LIVERY_METRICS_TENANT_LABELS: '20' }).metrics.tenantLabels, 20);
  t.equal(resolveConfig({}, {}).metrics.tenantLabels, 0, 'off by default');
});
