import { Redis } from 'ioredis';
import { invalidRedisUrl, redactUrl } from './redis-url.ts';

/**
 * Startup check: null when Redis at `url` answers PING within `timeoutMs`, else what is wrong.
 * Livery refuses to start when a configured Redis is unreachable; it never falls back to memory,
 * which would silently split state and messages per process.
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<string | null> {
  const invalid = invalidRedisUrl(url);
  if (invalid !== null) return `Invalid Redis URL: ${invalid}.`;
  const where = redactUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), deadline]);
    return null;
  } catch (error) {
    return `Redis at ${where} is unreachable: ${lastError || (error as Error).message}`;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
