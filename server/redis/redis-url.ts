import { DEFAULT_REDIS_URL, redisUrlFromEnv, type Env } from '../config/env.ts';

export { DEFAULT_REDIS_URL };

/** The Redis URL from `REDIS_URL`, or the local default. */
export function redisUrl(env?: Env): string {
  return redisUrlFromEnv(env);
}

/**
 * A Redis Cluster named by `redis+cluster://[user:password@]host:port,host:port,…` (or
 * `rediss+cluster://` for TLS): the seed nodes Livery asks for the cluster's layout. Any few
 * nodes do; the cluster has only db 0, so the URL has no path.
 */
export interface ClusterTarget {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

const CLUSTER_SCHEMES: Record<string, boolean> = { 'redis+cluster:': false, 'rediss+cluster:': true };

function schemeOf(url: string): string {
  const end = url.indexOf('://');
  return end < 0 ? '' : url.slice(0, end + 1).toLowerCase();
}

/** True for a `redis+cluster://` or `rediss+cluster://` URL. */
export function isClusterUrl(url: string): boolean {
  return schemeOf(url) in CLUSTER_SCHEMES;
}

/** The seed nodes and credentials of a cluster URL; throws a TypeError saying what is wrong. */
export function clusterTarget(url: string): ClusterTarget {
  const scheme = schemeOf(url);
  if (!(scheme in CLUSTER_SCHEMES)) throw new TypeError(`${redactUrl(url)} is not a redis+cluster:// URL`);
  let rest = url.slice(scheme.length + 2);
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    if (!/^\/0?$/.test(rest.slice(slash))) throw new TypeError(`${redactUrl(url)} names a path or db number; a Redis Cluster has only db 0`);
    rest = rest.slice(0, slash);
  }
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at + 1) : '';
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).split(',');
  const nodes = hosts.map((host) => {
    let parsed: URL;
    try {
      parsed = new URL(`redis://${userinfo}${host}`);
    } catch {
      throw new TypeError(`${redactUrl(url)} has a seed node that is not host:port (${JSON.stringify(host)})`);
    }
    if (parsed.hostname === '' || host.trim() === '') throw new TypeError(`${redactUrl(url)} has an empty seed node`);
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port === '' ? 6379 : Number(parsed.port) };
  });
  const credentials = new URL(`redis://${userinfo}x`);
  return {
    nodes,
    username: credentials.username === '' ? undefined : decodeURIComponent(credentials.username),
    password: credentials.password === '' ? undefined : decodeURIComponent(credentials.password),
    tls: CLUSTER_SCHEMES[scheme]!,
  };
}

/** The same Redis with db `db` (a cluster URL, which has only db 0, as it is). */
export function withDb(url: string, db: number): string {
  if (isClusterUrl(url)) return url;
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  parsed.searchParams.delete('db');
  return parsed.toString();
}

/** What is wrong with `url` as a Redis URL, or null. ioredis would read other strings as socket paths. */
export function invalidRedisUrl(url: string): string | null {
  if (isClusterUrl(url)) {
    try {
      clusterTarget(url);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the value does not parse as a URL (not echoed: it may hold a password)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return `${redactUrl(url)} is not a redis://, rediss:// or redis+cluster:// URL`;
  }
  return null;
}

/** The URL without its password, for logs and startup errors. */
export function redactUrl(url: string): string {
  if (isClusterUrl(url)) {
    const start = url.indexOf('://') + 3;
    const at = url.lastIndexOf('@');
    const colon = url.indexOf(':', start);
    return at > start && colon >= start && colon < at ? `${url.slice(0, colon + 1)}***${url.slice(at)}` : url;
  }
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
