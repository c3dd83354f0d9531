// The state backend's contract on the local Redis Cluster (scripts/redis-cluster.sh), in a
// namespace of its own, removed afterwards.
import t from 'tap';
import { RedisStateBackend } from '../../server/state/index.ts';
import { clusterConnection, deleteClusterKeys, requireCluster, uniquePrefix } from '../redis/cluster.ts';
import { stateBackendContract } from './state-backend.case.ts';

const url = await requireCluster();
const prefix = uniquePrefix('state');
const redis = clusterConnection(t, url, 'state-contract');
t.teardown(() => deleteClusterKeys(redis, `${prefix}:*`));

stateBackendContract(t, ({ ttlSeconds }) => new RedisStateBackend({ redis, ttlSeconds, prefix }));
