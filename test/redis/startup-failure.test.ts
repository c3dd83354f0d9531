// A startup check failing after the Redis backends connected (here: tenancy without a database,
// livery.C015) closes their connections: left open, they kept the failed process alive forever.
import t from 'tap';
import { LiveryRedis } from '../../server/redis/index.ts';
import { startServer } from '../live/harness.ts';
import { startOwnRedis, waitFor } from './own-redis.ts';

t.test('a startup failure after Redis connected leaves no Livery connection open', async (t) => {
  const redis = await startOwnRedis(t);
  const inspect = new LiveryRedis(redis.url, { name: 'inspect' });
  t.teardown(() => inspect.close());
  const livery = async () => String(await inspect.client('LIST')).split('\n').filter((line) => / name=livery:(commands|subscriber)/.test(line));
  await t.rejects(startServer({
    state: { backend: 'redis' }, pubsub: 'redis', redisUrl: redis.url,
    tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
  }), /livery\.C015/);
  await waitFor('the backends\' connections to close', async () => (await livery()).length === 0);
  t.pass('no livery:commands or livery:subscriber connection is left');
});
