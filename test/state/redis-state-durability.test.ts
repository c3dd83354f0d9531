/** Redis-only behaviour of RedisStateBackend: other processes, TTL refresh, the size guard. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { REDIS_STATE_HARD_LIMIT, RedisStateBackend, stateKey, StateTooLargeError } from '../../server/state/index.ts';
import { deleteKeys, SHARED_REDIS_URL, sharedConnection, uniqueTenant } from '../redis/shared-redis.ts';

const tenant = uniqueTenant('lvtest-state');
const redis = sharedConnection(t, 'state');
t.teardown(() => deleteKeys(redis, `lv:{${tenant}}:*`));
const backend = new RedisStateBackend({ redis, ttlSeconds: 100 });

t.test('a value written here is read by another process', async (t) => {
  const key = stateKey(tenant, 'durable');
  const value = JSON.stringify({ count: 41, name: 'ü ✓' });
  await backend.set(key, value);
  const reader = `
    import { createRedis } from ${JSON.stringify(new URL('../../server/redis/index.ts', import.meta.url).href)};
    import { RedisStateBackend } from ${JSON.stringify(new URL('../../server/state/index.ts', import.meta.url).href)};
    const redis = createRedis(process.env.URL, { name: 'child' });
    const value = await new RedisStateBackend({ redis, ttlSeconds: 100 }).get(process.env.KEY);
    process.stdout.write(JSON.stringify(value));
    await redis.close();`;
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', reader], {
    env: { ...process.env, URL: SHARED_REDIS_URL, KEY: key },
  });
  t.equal(JSON.parse(stdout), value, 'the child process read exactly what this one stored');
});

t.test('reads and writes refresh the TTL (PTTL)', async (t) => {
  const key = stateKey(tenant, 'ttl');
  await backend.set(key, '1');
  t.ok((await redis.pttl(key)) > 90_000, 'set stores with the TTL');
  await redis.pexpire(key, 5000);
  t.equal(await backend.get(key), '1');
  t.ok((await redis.pttl(key)) > 90_000, 'get (GETEX) pushed the expiry back to the full TTL');
  await redis.pexpire(key, 5000);
  await backend.set(key, '2');
  t.ok((await redis.pttl(key)) > 90_000, 'set refreshed it too');
  t.equal(await backend.get(stateKey(tenant, 'absent')), null);
  t.equal(await redis.exists(stateKey(tenant, 'absent')), 0, 'reading an absent key creates nothing');
});

t.test('an absurd state is refused before it reaches Redis', async (t) => {
  const key = stateKey(tenant, 'huge');
  const huge = 'x'.repeat(REDIS_STATE_HARD_LIMIT + 1);
  const error = await backend.set(key, huge).catch((e: unknown) => e);
  t.type(error, StateTooLargeError);
  t.equal((error as StateTooLargeError).code, 'LV_STATE_TOO_LARGE');
  t.match((error as Error).message, /16777217 bytes, over the Redis backend's hard limit/);
  t.equal(await backend.get(key), null, 'nothing stored');
  const multibyte = 'é'.repeat(REDIS_STATE_HARD_LIMIT / 2 + 1); // fewer characters than the limit, more bytes
  await t.rejects(backend.set(key, multibyte), StateTooLargeError, 'the limit counts UTF-8 bytes');
  await backend.set(key, 'é'.repeat(1000));
  t.equal(await backend.get(key), 'é'.repeat(1000), 'a normal multibyte value round-trips');
});

t.test('keys are the stateKey strings, the JSON readable by any client (field s; o is the owner)', async (t) => {
  const key = stateKey(tenant, 'raw');
  await backend.set(key, '{"a":1}');
  t.equal(await redis.hget(`lv:{${tenant}}:view:raw`, 's'), '{"a":1}');
  t.equal(await redis.hget(key, 'o'), null, 'a first paint has no owner yet');
  const { owner } = await backend.claim(key);
  t.equal(await redis.hget(key, 'o'), owner, 'the join owns it');
  await backend.delete(key);
  t.equal(await redis.exists(key), 0);
});

t.test('a state written before owners existed (a plain string) is adopted by the next join', async (t) => {
  const key = stateKey(tenant, 'legacy');
  await redis.set(key, '{"count":3}', 'EX', 100);
  const claim = await backend.claim(key);
  t.same([claim.value, claim.previous], ['{"count":3}', null]);
  t.ok(await backend.save(key, '{"count":4}', claim.owner));
  t.equal(await backend.get(key), '{"count":4}');
});
