import { DEFAULT_REDIS_URL, redisUrlFromEnv, type Env } from '../config/env.ts';

export { DEFAULT_REDIS_URL };

/** The Redis URL from `REDIS_URL`, or the local default. */
export function redisUrl(env?: Env): string {
  return redisUrlFromEnv(env);
}

/** What is wrong with `url` as a Redis URL, or null. ioredis would read other strings as socket paths. */
export function invalidRedisUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the value does not parse as a URL (not echoed: it may hold a password)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return `${redactUrl(url)} is not a redis:// or rediss:// URL`;
  }
  return null;
}

/** The URL without its password, for logs and startup errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
