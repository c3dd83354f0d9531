import { Cluster, Redis } from 'ioredis';
import { clusterTarget, invalidRedisUrl, isClusterUrl, redactUrl } from './redis-url.ts';

/**
 * Startup check: null when Redis at `url` answers within `timeoutMs` and is what the URL says —
 * a single server for `redis://`, a healthy cluster for `redis+cluster://` — else what is wrong.
 * Livery refuses to start when a configured Redis is unreachable; it never falls back to memory,
 * which would silently split state and messages per process.
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<string | null> {
  const invalid = invalidRedisUrl(url);
  if (invalid !== null) return `Invalid Redis URL: ${invalid}.`;
  const where = redactUrl(url);
  const cluster = isClusterUrl(url);
  const client = cluster ? probeCluster(url, timeoutMs) : probeServer(url, timeoutMs);
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const info = await Promise.race([client.connect().then(() => client.info('cluster')), deadline]);
    const enabled = /cluster_enabled:1/.test(info);
    if (!cluster && enabled) return `Redis at ${where} is a Redis Cluster node: name the cluster as redis+cluster://host:port,host:port,… so keys and channels are routed to their shards.`;
    if (cluster) {
      const state = /cluster_state:(\w+)/.exec(await Promise.race([(client as Cluster).cluster('INFO'), deadline]))?.[1];
      if (state !== 'ok') return `Redis Cluster at ${where} reports cluster_state:${state ?? 'unknown'}; every slot must be served (check \`redis-cli --cluster check\`).`;
    }
    return null;
  } catch (error) {
    if (cluster && (await seedIsSingleServer(url, timeoutMs))) return `Redis at ${where} is not a cluster node: use redis:// for a single Redis server.`;
    return `Redis at ${where} is unreachable: ${lastError || (error as Error).message}`;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Whether the cluster URL's first seed answers as a Redis server with cluster support off. */
async function seedIsSingleServer(url: string, timeoutMs: number): Promise<boolean> {
  const { nodes: [seed], username, password, tls } = clusterTarget(url);
  const client = new Redis({ ...probeOptions(timeoutMs), host: seed!.host, port: seed!.port, username, password, tls: tls ? {} : undefined });
  client.on('error', () => {});
  try {
    await client.connect();
    return /cluster_enabled:0/.test(await client.info('cluster'));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function probeOptions(timeoutMs: number) {
  return {
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  };
}

function probeServer(url: string, timeoutMs: number): Redis {
  return new Redis(url, probeOptions(timeoutMs));
}

function probeCluster(url: string, timeoutMs: number): Cluster {
  const target = clusterTarget(url);
  return new Cluster(target.nodes.map((node) => ({ ...node })), {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: timeoutMs,
    redisOptions: {
      username: target.username,
      password: target.password,
      tls: target.tls ? {} : undefined,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
    },
  });
}
