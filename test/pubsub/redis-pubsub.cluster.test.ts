// The pub/sub contract on the local Redis Cluster (scripts/redis-cluster.sh): sharded pub/sub.
import t from 'tap';
import { requireCluster, uniquePrefix } from '../redis/cluster.ts';
import { pubsubContract } from './pubsub.case.ts';
import { redisProcess } from './redis-harness.ts';

const url = await requireCluster();
const prefix = uniquePrefix('pubsub');
pubsubContract(t, async (t, options) => redisProcess(t, { ...options, prefix }, url));
