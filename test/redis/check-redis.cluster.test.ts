// The startup check against the local Redis Cluster (scripts/redis-cluster.sh): a healthy cluster
// passes, and a URL of the wrong kind for the node it names is refused (livery.C019's detail).
import t from 'tap';
import { checkRedis } from '../../server/redis/index.ts';
import { requireCluster } from './cluster.ts';
import { SHARED_REDIS_URL } from './shared-redis.ts';

const url = await requireCluster();
const seed = /^redis\+cluster:\/\/([^,/]+)/.exec(url)![1];

t.test('a healthy cluster passes', async (t) => {
  t.equal(await checkRedis(url, 3000), null);
});

t.test('a cluster node named by redis:// is refused, and a single server named by redis+cluster://', async (t) => {
  t.match(await checkRedis(`redis://${seed}`, 3000), /is a Redis Cluster node: name the cluster as redis\+cluster:\/\//);
  t.match(await checkRedis(SHARED_REDIS_URL.replace(/^redis:/, 'redis+cluster:'), 3000), /is not a cluster node: use redis:\/\//);
});
