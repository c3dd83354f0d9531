/**
 * The local Redis Cluster (three masters, three replicas on 7000-7005) that
 * `scripts/redis-cluster.sh start` runs, and `.ci/run` starts before the tests. Tests that need it
 * fail with that instruction when it is not running: CI never skips them.
 * LIVERY_TEST_REDIS_CLUSTER points them at another cluster (a redis+cluster:// URL).
 */
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { checkRedis, LiveryCluster } from '../../server/redis/index.ts';

export const CLUSTER_URL = process.env.LIVERY_TEST_REDIS_CLUSTER ?? 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002';

/** The cluster's URL, once it answers healthy; otherwise throws saying how to start it. */
export async function requireCluster(): Promise<string> {
  const problem = await checkRedis(CLUSTER_URL, 3000);
  if (problem !== null) {
    throw new Error(`This test needs the local Redis Cluster: run \`scripts/redis-cluster.sh start\` (CI's .ci/run does). ${problem}`);
  }
  return CLUSTER_URL;
}

/** A namespace no other run uses, e.g. `lvtest-state-3f9a…`: the test's keys and channels stay in it. */
export function uniquePrefix(name: string): string {
  return `lvtest-${name}-${randomBytes(6).toString('hex')}`;
}

/** A cluster connection, closed in teardown. */
export function clusterConnection(t: Test, url: string, name: string): LiveryCluster {
  const cluster = new LiveryCluster(url, { name: `test-${name}` });
  t.teardown(() => cluster.close());
  return cluster;
}

/** Deletes every key matching `pattern` on every master (SCAN is per node on a cluster). */
export async function deleteClusterKeys(cluster: LiveryCluster, pattern: string): Promise<void> {
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) await node.del(key);
    } while (cursor !== '0');
  }
}
