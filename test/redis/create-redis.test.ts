import t from 'tap';
import { createRedis, DEFAULT_REDIS_URL, redisUrl, type Logger } from '../../server/redis/index.ts';
import { freePort, startOwnRedis, waitFor } from './own-redis.ts';

function recordingLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    warn: (m) => lines.push(['warn', m]),
    info: (m) => lines.push(['info', m]),
    error: (m) => lines.push(['error', m]),
  };
}

t.test('REDIS_URL names the server, with a local default', async (t) => {
  t.equal(redisUrl({}), DEFAULT_REDIS_URL);
  t.equal(DEFAULT_REDIS_URL, 'redis://127.0.0.1:6379');
  t.equal(redisUrl({ REDIS_URL: 'redis://cache:6380/2' }), 'redis://cache:6380/2');
  t.equal(redisUrl({ REDIS_URL: '  ' }), DEFAULT_REDIS_URL, 'blank means unset');
});

t.test('health follows the connection; an outage is logged once when it starts and once when it ends', async (t) => {
  const server = await startOwnRedis(t);
  const logger = recordingLogger();
  // The URL carries a password to show it is never logged; the test server has none, so don't send it.
  const redis = createRedis(`redis://:secret@127.0.0.1:${server.port}`, { name: 'cache', logger, redis: { password: undefined } });
  t.teardown(() => redis.close());
  t.equal(redis.health().status, 'down', 'down until the first connection is ready');
  await waitFor('ready', () => redis.health().status === 'up');
  const upSince = redis.health().since;
  t.equal(await redis.ping(), 'PONG');

  let attempts = 0;
  redis.on('reconnecting', () => attempts++);
  await server.kill();
  await waitFor('several failed reconnects', () => attempts >= 4);
  t.equal(redis.health().status, 'down');
  t.ok(redis.health().since >= upSince, 'since moved to the start of the outage');
  t.equal(logger.lines.length, 1, `one line for ${attempts} failed attempts`);
  t.match(logger.lines[0], ['warn', /Redis "cache" \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\) is unreachable/]);
  t.notMatch(logger.lines[0][1], /secret/, 'the password is never logged');

  await server.start();
  await waitFor('back up', () => redis.health().status === 'up');
  t.equal(logger.lines.length, 2);
  t.match(logger.lines[1], ['info', /Redis "cache" .* is back after \d+ ms/]);
});

t.test('a Redis unreachable from the start is logged once, with the reason', async (t) => {
  const logger = recordingLogger();
  const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, { name: 'nowhere', logger });
  t.teardown(() => redis.close());
  let attempts = 0;
  redis.on('reconnecting', () => attempts++);
  await waitFor('several failed attempts', () => attempts >= 3);
  t.equal(redis.health().status, 'down');
  t.equal(logger.lines.length, 1);
  t.match(logger.lines[0], ['warn', /Redis "nowhere" .* is unreachable: connect ECONNREFUSED/]);
});

t.test('commands issued in one tick share one round trip (auto-pipelining), and are counted', async (t) => {
  const server = await startOwnRedis(t);
  const redis = createRedis(server.url, { name: 'pipelined' });
  t.teardown(() => redis.close());
  await redis.ping();
  const before = redis.commandsSent;
  const writes = [];
  for (let i = 0; i < 50; i++) writes.push(redis.set(`k${i}`, String(i)));
  t.equal(redis.autoPipelineQueueSize, 50, 'all fifty wait in one pipeline for the next tick');
  await Promise.all(writes);
  t.equal(redis.commandsSent - before, 50);
  t.equal(await redis.get('k49'), '49');
});

t.test('close() ends the connection even while Redis is down', async (t) => {
  const server = await startOwnRedis(t);
  const logger = recordingLogger();
  const redis = createRedis(server.url, { name: 'closing', logger });
  await redis.ping();
  await redis.close();
  t.equal(redis.status, 'end');
  t.same(logger.lines, [], 'a deliberate close is not an outage');
  const other = createRedis(server.url, { name: 'closing-down' });
  await other.ping();
  await server.kill();
  await waitFor('down', () => other.health().status === 'down');
  await other.close();
  t.equal(other.status, 'end');
});
