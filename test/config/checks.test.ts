import { readFileSync } from 'node:fs';
import t from 'tap';
import { checks, StartupError, type CheckId } from '../../server/config/index.ts';
import { resolveConfig } from '../../server/options/index.ts';

function problemsOf(env: Record<string, string>, options = {}): CheckId[] {
  try {
    resolveConfig(options, env);
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((p) => p.id);
  }
}

t.test('defaults resolve without problems', async (t) => {
  const config = resolveConfig({}, {});
  t.equal(config.port, 3000);
  t.equal(config.state.backend, 'memory');
  t.equal(config.production, false);
});

t.test('environment variables are read and typed', async (t) => {
  const config = resolveConfig({}, { PORT: '4001', LIVERY_COMPRESSION: 'true', LIVERY_ALLOWED_ORIGINS: 'https://a.test, https://b.test' });
  t.equal(config.port, 4001);
  t.equal(config.socket.compression, true);
  t.same(config.socket.allowedOrigins, ['https://a.test', 'https://b.test']);
  t.equal(resolveConfig({ port: 5000 }, { PORT: '4001' }).port, 5000, 'explicit options win over the environment');
});

t.test('livery.C001: production without a secret', async (t) => {
  t.same(problemsOf({ NODE_ENV: 'production' }), ['livery.C001']);
  t.same(problemsOf({ NODE_ENV: 'production', LIVERY_SECRET: 'x'.repeat(40) }), []);
});

t.test('livery.C002: a short secret', async (t) => {
  t.same(problemsOf({ LIVERY_SECRET: 'short' }), ['livery.C002']);
});

t.test('livery.C003: malformed environment values', async (t) => {
  t.same(problemsOf({ PORT: 'eighty' }), ['livery.C003', 'livery.C009']);
  t.same(problemsOf({ LIVERY_COMPRESSION: 'yes' }), ['livery.C003']);
  t.same(problemsOf({ LIVERY_LOG_LEVEL: 'loud' }), ['livery.C003']);
});

t.test('livery.C004: an unknown state backend never falls back to memory', async (t) => {
  t.same(problemsOf({ LIVERY_STATE_BACKEND: 'memcached' }), ['livery.C004']);
});

t.test('livery.C009: out-of-range options', async (t) => {
  t.same(problemsOf({}, { state: { ttlSeconds: 0 } }), ['livery.C009']);
  t.same(problemsOf({}, { socket: { maxFrameBytes: -1 } }), ['livery.C009']);
});

t.test('livery.C048: the Redis namespace is a plain name', async (t) => {
  t.equal(resolveConfig({}, {}).redisPrefix, 'lv', 'default lv');
  t.equal(resolveConfig({}, { LIVERY_REDIS_PREFIX: 'shop-prod' }).redisPrefix, 'shop-prod');
  t.same(problemsOf({ LIVERY_REDIS_PREFIX: 'shop:prod' }), ['livery.C048']);
  t.same(problemsOf({}, { redisPrefix: '{shop}' }), ['livery.C048']);
});

t.test('livery.C043: trustProxy is a hop count or proxy addresses', async (t) => {
  t.equal(resolveConfig({}, {}).trustProxy, undefined, 'unset: no proxy trusted');
  t.equal(resolveConfig({}, { LIVERY_TRUST_PROXY: '2' }).trustProxy, 2);
  t.same(resolveConfig({}, { LIVERY_TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy, ['10.0.0.0/8', 'loopback']);
  t.same(problemsOf({ LIVERY_TRUST_PROXY: 'the load balancer' }), ['livery.C043']);
  t.same(problemsOf({ LIVERY_TRUST_PROXY: '0' }), ['livery.C043']);
  t.same(problemsOf({}, { trustProxy: ['10.0.0.300'] }), ['livery.C043']);
});

t.test('livery.C044: socket admission caps are whole numbers ≥ 1', async (t) => {
  t.same(problemsOf({}, { socket: { maxViews: 0 } }), ['livery.C044']);
  t.same(problemsOf({}, { socket: { maxPerIp: 1.5 } }), ['livery.C044']);
  t.same(problemsOf({ LIVERY_MAX_SOCKETS_PER_SESSION: '0' }), ['livery.C044']);
  const config = resolveConfig({}, { LIVERY_MAX_VIEWS: '8' });
  t.same([config.socket.maxViews, config.socket.maxPerSession, config.socket.maxPerIp], [8, 32, 256], 'read from the environment, else the defaults');
});

t.test('livery.C051: the page-render budget is whole numbers ≥ 1', async (t) => {
  t.same(problemsOf({}, { pages: { ratePerSecond: 0 } }), ['livery.C051']);
  t.same(problemsOf({}, { pages: { burst: 0.5 } }), ['livery.C051']);
  t.same(problemsOf({ LIVERY_PAGE_RATE_BURST: 'lots' }), ['livery.C003', 'livery.C051']);
  const config = resolveConfig({}, { LIVERY_PAGE_RATE_PER_SECOND: '4' });
  t.same(config.pages, { ratePerSecond: 4, burst: 100 }, 'read from the environment, else the defaults');
});

t.test('livery.C040: a memory bound that cannot hold one state of the largest size', async (t) => {
  t.same(problemsOf({ LIVERY_STATE_MAX_MEMORY: '1000', LIVERY_STATE_MAX_BYTES: '4096' }), ['livery.C040']);
  t.same(problemsOf({}, { state: { maxMemoryBytes: 0 } }), ['livery.C009'], 'zero is out of range, not C040');
  t.same(problemsOf({ LIVERY_STATE_MAX_MEMORY: '1048576', LIVERY_STATE_MAX_BYTES: '4096' }), [], 'a bound holding many states is fine');
  t.equal(resolveConfig({}, { LIVERY_STATE_MAX_MEMORY: '1048576' }).state.maxMemoryBytes, 1048576, 'read from the environment');
});

t.test('livery.C045: a tenant state budget that cannot hold one state of the largest size', async (t) => {
  t.same(problemsOf({ LIVERY_STATE_TENANT_MAX_BYTES: '4000', LIVERY_STATE_MAX_BYTES: '4096' }), ['livery.C045']);
  t.same(problemsOf({}, { state: { maxBytes: 1000, tenantMaxBytes: 1000 + 511 } }), ['livery.C045'], 'Redis\'s bookkeeping counts too');
  t.same(problemsOf({}, { state: { maxBytes: 1000, tenantMaxBytes: 1000 + 512 } }), []);
  t.same(problemsOf({}, { state: { tenantMaxBytes: 0 } }), ['livery.C009'], 'zero is out of range, not C045');
  t.equal(resolveConfig({}, {}).state.tenantMaxBytes, 256 * 1024 * 1024, 'default: 256 MiB');
});

t.test('livery.C041: a pre-join TTL longer than the state TTL', async (t) => {
  t.same(problemsOf({ LIVERY_STATE_PREJOIN_TTL: '7200', LIVERY_STATE_TTL: '3600' }), ['livery.C041']);
  t.same(problemsOf({}, { state: { preJoinTtlSeconds: 0 } }), ['livery.C009']);
  t.equal(resolveConfig({}, {}).state.preJoinTtlSeconds, 120, 'two minutes by default');
  t.equal(resolveConfig({ state: { ttlSeconds: 30 } }, {}).state.preJoinTtlSeconds, 30, 'by default never longer than a shorter state TTL');
  t.same(problemsOf({}, { state: { ttlSeconds: 30, preJoinTtlSeconds: 60 } }), ['livery.C041'], 'but a chosen one is refused');
});

t.test('every problem is reported at once, each with its hint', async (t) => {
  try {
    resolveConfig({}, { NODE_ENV: 'production', LIVERY_STATE_BACKEND: 'nope', PORT: 'x' });
    t.fail('should throw');
  } catch (error) {
    t.ok(error instanceof StartupError);
    const message = (error as Error).message;
    for (const id of ['livery.C001', 'livery.C003', 'livery.C004'] as const) {
      t.match(message, id);
      t.match(message, checks[id], `${id} hint shown`);
    }
  }
});

t.test('docs/checks.md lists every check', async (t) => {
  const docs = readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8');
  for (const id of Object.keys(checks)) t.match(docs, `| \`${id}\` |`, `${id} documented`);
  const documented = [...docs.matchAll(/^\| `(livery\.C\d+)` \|/gm)].map((m) => m[1]);
  t.same(documented.sort(), Object.keys(checks).sort(), 'and nothing else');
});
