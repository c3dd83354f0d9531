/**
 * Turns ioredis's connection failures into one error callers can match on.
 *
 * `LV_REDIS_UNAVAILABLE` covers "Redis did not answer in time", "gave up reconnecting" and "the
 * connection was closed". Errors Redis itself replied with (wrong type, out of memory, a script
 * error) pass through unchanged: they are bugs or capacity problems, not outages.
 */
import { LiveryError } from '../errors.ts';

export class RedisUnavailableError extends LiveryError {
  declare readonly code: 'LV_REDIS_UNAVAILABLE';

  constructor(what: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : 'unreachable';
    super('LV_REDIS_UNAVAILABLE', undefined, {
      cause: options?.cause,
      message: `Redis is unavailable (${what}: ${reason}); the operation may or may not have been applied.`,
    });
    this.name = 'RedisUnavailableError';
  }
}

function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Command timed out' ||
    error.message === 'Connection is closed.' ||
    error.message.startsWith("Stream isn't writeable") ||
    // A Redis Cluster failing over or unreachable (retried by ioredis until these).
    error.message.startsWith('Too many Cluster redirections') ||
    error.message.startsWith('CLUSTERDOWN') ||
    error.message === 'Cluster is ended.' ||
    error.message.startsWith('None of startup nodes is available') ||
    error.message.startsWith('Failed to refresh slots cache')
  );
}

/**
 * A hard bound on any wait, whatever state the connection is in: ioredis's own `commandTimeout`
 * does not reliably cover a command still sitting in the offline queue, and a caller — a join,
 * an event's acknowledgement — must never wait forever.
 */
export const REDIS_DEADLINE_MS = 6000;

/** Awaits a Redis command, reporting an outage (or a wait past the deadline) as {@link RedisUnavailableError}. */
export async function redisCall<T>(command: Promise<T>, what: string, deadlineMs = REDIS_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(what, { cause: new Error(`no answer within ${deadlineMs} ms`) })), deadlineMs);
  });
  try {
    return await Promise.race([command, deadline]);
  } catch (error) {
    throw isOutage(error) ? new RedisUnavailableError(what, { cause: error }) : error;
  } finally {
    clearTimeout(timer);
  }
}
