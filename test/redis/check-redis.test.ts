import t from 'tap';
import { checkRedis, clusterTarget, createRedis, invalidRedisUrl, redactUrl, withDb } from '../../server/redis/index.ts';
import { freePort } from './own-redis.ts';
import { SHARED_REDIS_URL } from './shared-redis.ts';

t.test('a reachable Redis passes', async (t) => {
  t.equal(await checkRedis(SHARED_REDIS_URL, 2000), null);
});

t.test('an unreachable Redis is a problem, never a silent fallback', async (t) => {
  const port = await freePort(); // nothing listens there
  const problem = await checkRedis(`redis://user:hunter2@127.0.0.1:${port}`, 1000);
  t.match(problem, new RegExp(`Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port} is unreachable: .*ECONNREFUSED`));
  t.notMatch(problem, /hunter2/, 'the password stays out of the message');
});

t.test('a host that never answers fails within the timeout', async (t) => {
  // 10.255.255.1 is a non-routable address: the connection attempt hangs until the timeout.
  const problem = await checkRedis('redis://10.255.255.1:6379', 300);
  t.match(problem, /Redis at redis:\/\/10\.255\.255\.1:6379 is unreachable/);
});

t.test('a malformed URL is a problem too, and never echoed with its password', async (t) => {
  t.match(await checkRedis('redis://:pw@host:notaport', 500), /^Invalid Redis URL: the value does not parse as a URL/);
  t.notMatch(await checkRedis('redis://:pw@host:notaport', 500), /pw/);
  t.match(await checkRedis('', 500), /^Invalid Redis URL/, 'empty is not "localhost"');
  t.match(await checkRedis('http://127.0.0.1:6379', 500), /is not a redis:\/\/, rediss:\/\/ or redis\+cluster:\/\/ URL/);
  t.throws(() => createRedis('127.0.0.1:6379', { name: 'x' }), TypeError, 'createRedis refuses it too');
});

t.test('redis+cluster:// URLs name seed nodes; their passwords stay out of messages', async (t) => {
  t.same(clusterTarget('redis+cluster://127.0.0.1:7000,127.0.0.1:7001'), {
    nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }], username: undefined, password: undefined, tls: false,
  });
  t.match(clusterTarget('rediss+cluster://app:p%40ss@[::1]:7000,cache/'), { nodes: [{ host: '::1', port: 7000 }, { host: 'cache', port: 6379 }], username: 'app', password: 'p@ss', tls: true });
  t.equal(redactUrl('redis+cluster://app:hunter2@a:7000,b:7001'), 'redis+cluster://app:***@a:7000,b:7001');
  t.match(invalidRedisUrl('redis+cluster://a:7000/3'), /only db 0/);
  t.match(invalidRedisUrl('redis+cluster://a:7000,,b:7001'), /empty seed node/);
  t.match(invalidRedisUrl('redis+cluster://:hunter2@a:x'), /not host:port/);
  t.notMatch(invalidRedisUrl('redis+cluster://:hunter2@a:x'), /hunter2/);
  t.equal(withDb('redis://:pw@cache:6379/7?db=7', 0), 'redis://:pw@cache:6379/0', 'the registry connection uses db 0');
});
