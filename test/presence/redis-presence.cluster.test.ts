// The presence contract on the local Redis Cluster (scripts/redis-cluster.sh): each topic's two
// keys share the tenant's hash tag, so its scripts run on one shard.
import t from 'tap';
import { requireCluster } from '../redis/cluster.ts';
import { presenceContract } from './presence.case.ts';
import { presenceProcess } from './redis-harness.ts';

const url = await requireCluster();
presenceContract(t, async (t) => presenceProcess(t, 100, url));
