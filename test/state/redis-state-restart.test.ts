/** RedisStateBackend across a Redis crash, on a redis-server of its own (persistence off). */
import t from 'tap';
import { createRedis, RedisUnavailableError } from '../../server/redis/index.ts';
import { RedisStateBackend, stateKey } from '../../server/state/index.ts';
import { startOwnRedis, waitFor } from '../redis/own-redis.ts';

t.test('a crash loses state (no persistence); a write issued while down lands once Redis is back', async (t) => {
  const server = await startOwnRedis(t);
  const redis = createRedis(server.url, { name: 'state-restart' });
  t.teardown(() => redis.close());
  const backend = new RedisStateBackend({ redis, ttlSeconds: 60 });
  const key = stateKey('acme', 'view-1');

  await backend.set(key, '{"count":1}');
  await server.kill();
  await server.start();
  t.equal(await backend.get(key), null, 'persistence is off: the restarted Redis is empty, as expected');

  await server.kill();
  await waitFor('the client to notice the outage', () => redis.health().status === 'down');
  const write = backend.set(key, '{"count":2}');
  await server.start();
  await write;
  t.pass('the set issued during the outage completed once Redis was back');
  t.equal(await backend.get(key), '{"count":2}', 'and a get after it returns it');
});

t.test('when Redis stays down, a write fails with LV_REDIS_UNAVAILABLE after the bounded wait', async (t) => {
  const server = await startOwnRedis(t);
  const redis = createRedis(server.url, { name: 'state-down', commandTimeoutMs: 300 });
  t.teardown(() => redis.close());
  const backend = new RedisStateBackend({ redis, ttlSeconds: 60 });
  await backend.set(stateKey('acme', 'x'), '1');
  await server.kill();
  const error = await backend.set(stateKey('acme', 'x'), '2').catch((e: unknown) => e);
  t.type(error, RedisUnavailableError);
  t.equal((error as RedisUnavailableError).code, 'LV_REDIS_UNAVAILABLE');
  t.match((error as Error).message, /state put lv:\{acme\}:view:x: Command timed out/);
  await t.rejects(backend.get(stateKey('acme', 'x')), RedisUnavailableError, 'reads fail the same way');
});
