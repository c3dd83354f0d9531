/**
 * One Redis connection with Livery's production settings and a health signal.
 *
 * Settings and why:
 * - `enableAutoPipelining`: commands issued in one tick share one write and one round trip, so
 *   a broadcast or a burst of state writes costs one round trip, not one per command.
 * - Offline queue on, `commandTimeoutMs` (5 s): while Redis restarts, commands wait in order
 *   for the connection to come back instead of failing at once; after the timeout the caller
 *   gets `RedisUnavailableError` (via `redisCall`). ioredis keeps a timed-out command queued,
 *   so it may still run when Redis returns: a failed write's outcome is unknown, but writes are
 *   never reordered. `maxRetriesPerRequest` flushes the queue after 20 failed reconnects
 *   (~20 s), which bounds its memory during a long outage.
 * - Reconnect with exponential backoff from 50 ms, capped at 1 s, plus jitter so a fleet of
 *   processes does not reconnect in lockstep. `connectTimeout` 2 s: a black-holed host is retried
 *   rather than waited on for ioredis's default 10 s.
 * - `socketTimeout` = `commandTimeoutMs`: a connection that stops answering while commands are
 *   pending (a half-open socket) is destroyed and reconnected.
 *
 * `health()` is fed by connection events; an outage is logged once when it starts (however many
 * reconnect attempts fail) and once when it ends.
 */
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { invalidRedisUrl, redactUrl } from './redis-url.ts';

export interface Logger {
  warn(message: string): void;
  info(message: string): void;
  error(message: string): void;
}

export interface RedisHealth {
  readonly status: 'up' | 'down';
  /** `Date.now()` when the status last changed (or the connection was created). */
  readonly since: number;
}

export interface CreateRedisOptions {
  /** Names the connection in logs and in `CLIENT LIST` (`livery:<name>`). */
  name: string;
  logger?: Logger;
  /** How long a command may wait for an answer, including while Redis is down. Default 5000. */
  commandTimeoutMs?: number;
  /** Further ioredis options (e.g. `keyPrefix` in tests); they override Livery's. */
  redis?: Omit<RedisOptions, 'replyMapping'>;
}

const silent: Logger = { warn() {}, info() {}, error() {} };

function retryDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), 1000) + Math.floor(Math.random() * 100);
}

/** An ioredis client that also reports its health and counts the commands it sent. */
export class LiveryRedis extends Redis {
  readonly livery: { readonly name: string; readonly url: string };
  #health: RedisHealth = { status: 'down', since: Date.now() };
  #outageLogged = false;
  #lastError = '';
  #closing = false;
  #sent = 0;
  #trips = 0;
  #batch: unknown;

  constructor(url: string, options: CreateRedisOptions) {
    const invalid = invalidRedisUrl(url);
    if (invalid !== null) throw new TypeError(`Invalid Redis URL: ${invalid}.`);
    const timeout = options.commandTimeoutMs ?? 5000;
    super(url, {
      connectionName: `livery:${options.name}`,
      enableAutoPipelining: true,
      enableOfflineQueue: true,
      commandTimeout: timeout,
      socketTimeout: timeout,
      connectTimeout: 2000,
      maxRetriesPerRequest: 20,
      retryStrategy: retryDelay,
      ...options.redis,
    });
    this.livery = { name: options.name, url: redactUrl(url) };
    this.#watch(options.logger ?? silent);
  }

  health(): RedisHealth {
    return this.#health;
  }

  /** Commands handed to the connection so far (for accounting, e.g. Redis commands per event). */
  get commandsSent(): number {
    return this.#sent;
  }

  /** Round trips so far: a command sent alone is one, a pipelined batch (auto-pipelining: one tick's commands) is one. */
  get roundTrips(): number {
    return this.#trips;
  }

  override sendCommand(...args: Parameters<Redis['sendCommand']>): unknown {
    this.#sent++;
    // A pipeline hands each of its commands over with the same stream object, and writes once.
    const batch = args[1];
    if (batch === undefined || batch !== this.#batch) this.#trips++;
    this.#batch = batch;
    return super.sendCommand(...args);
  }

  /** Closes gracefully when connected, at once otherwise; queued commands then fail. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.status === 'ready') await this.quit().catch(() => {});
    if (this.#ended()) return;
    const ended = once(this, 'end');
    this.disconnect();
    if (this.status === 'reconnecting') {
      // Between two attempts there is no socket to close: ioredis would stay "reconnecting"
      // with its offline queue waiting out the command timeout. End it here instead.
      const internals = this as unknown as { flushQueue(error: Error): void; setStatus(status: string): void };
      internals.flushQueue(new Error('Connection is closed.'));
      internals.setStatus('end');
    }
    await ended;
  }

  #ended(): boolean {
    return this.status === 'end'; // a method, so TypeScript re-reads it after an await
  }

  #watch(logger: Logger): void {
    const label = `Redis "${this.livery.name}" (${this.livery.url})`;
    this.on('error', (error: Error) => {
      this.#lastError = error.message;
    });
    this.on('ready', () => {
      if (this.#outageLogged) logger.info(`${label} is back after ${Date.now() - this.#health.since} ms.`);
      this.#outageLogged = false;
      this.#health = { status: 'up', since: Date.now() };
    });
    const down = () => {
      if (this.#health.status === 'up') this.#health = { status: 'down', since: Date.now() };
      if (this.#closing || this.#outageLogged) return;
      this.#outageLogged = true;
      const reason = this.#lastError ? `: ${this.#lastError}` : '';
      logger.warn(`${label} is unreachable${reason}. Reconnecting; commands wait up to ${this.options.commandTimeout} ms.`);
    };
    this.on('close', down); // also after each failed attempt, including the very first
  }
}

/** A connection with Livery's production settings; see the header for the outage behaviour. */
export function createRedis(url: string, options: CreateRedisOptions): LiveryRedis {
  return new LiveryRedis(url, options);
}
