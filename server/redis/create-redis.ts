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
 *
 * A `redis+cluster://` URL gives a {@link LiveryCluster} instead (see its comment): the same
 * interface, so the backends take either ({@link RedisClient}).
 */
import { once, type EventEmitter } from 'node:events';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { clusterTarget, invalidRedisUrl, isClusterUrl, redactUrl } from './redis-url.ts';

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

/** What the backends hold: one Redis server or a Redis Cluster, with Livery's additions. */
export type RedisClient = LiveryRedis | LiveryCluster;

const silent: Logger = { warn() {}, info() {}, error() {} };

function retryDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), 1000) + Math.floor(Math.random() * 100);
}

/** Up/down from connection events, an outage logged once when it starts and once when it ends. */
class HealthWatch {
  health: RedisHealth = { status: 'down', since: Date.now() };
  closing = false;
  #outageLogged = false;
  #lastError = '';

  constructor(connection: EventEmitter, label: string, logger: Logger, timeoutMs: number) {
    connection.on('error', (error: Error) => {
      this.#lastError = error.message;
    });
    connection.on('ready', () => {
      if (this.#outageLogged) logger.info(`${label} is back after ${Date.now() - this.health.since} ms.`);
      this.#outageLogged = false;
      this.health = { status: 'up', since: Date.now() };
    });
    const down = () => {
      if (this.health.status === 'up') this.health = { status: 'down', since: Date.now() };
      if (this.closing || this.#outageLogged) return;
      this.#outageLogged = true;
      const reason = this.#lastError ? `: ${this.#lastError}` : '';
      logger.warn(`${label} is unreachable${reason}. Reconnecting; commands wait up to ${timeoutMs} ms.`);
    };
    connection.on('close', down); // also after each failed attempt, including the very first
  }
}

/** Commands handed to a connection and the round trips they took (for accounting). */
class Tally {
  sent = 0;
  /** A command sent alone is one round trip, a pipelined batch (auto-pipelining: one tick's commands) is one. */
  trips = 0;
  #batch: unknown;

  /** `batch`: the stream a pipeline hands each of its commands over with (it writes once). */
  count(batch: unknown): void {
    this.sent++;
    if (batch === undefined || batch !== this.#batch) this.trips++;
    this.#batch = batch;
  }
}

/** An ioredis client that also reports its health and counts the commands it sent. */
export class LiveryRedis extends Redis {
  readonly livery: { readonly name: string; readonly url: string };
  readonly #watch: HealthWatch;
  readonly #tally = new Tally();

  constructor(url: string, options: CreateRedisOptions) {
    const invalid = invalidRedisUrl(url);
    if (invalid !== null) throw new TypeError(`Invalid Redis URL: ${invalid}.`);
    if (isClusterUrl(url)) throw new TypeError('A redis+cluster:// URL needs LiveryCluster: use createRedis.');
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
    this.#watch = new HealthWatch(this, `Redis "${options.name}" (${this.livery.url})`, options.logger ?? silent, timeout);
  }

  health(): RedisHealth {
    return this.#watch.health;
  }

  /** The db number this connection uses (pub/sub ignores it; see namespace-registry.ts). */
  get db(): number {
    return this.options.db ?? 0;
  }

  /** Commands handed to the connection so far (for accounting, e.g. Redis commands per event). */
  get commandsSent(): number {
    return this.#tally.sent;
  }

  /** Round trips so far: a command sent alone is one, a pipelined batch (auto-pipelining: one tick's commands) is one. */
  get roundTrips(): number {
    return this.#tally.trips;
  }

  override sendCommand(...args: Parameters<Redis['sendCommand']>): unknown {
    this.#tally.count(args[1]);
    return super.sendCommand(...args);
  }

  /** Closes gracefully when connected, at once otherwise; queued commands then fail. */
  async close(): Promise<void> {
    this.#watch.closing = true;
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
}

/**
 * A Redis Cluster client with the same additions as {@link LiveryRedis}. Settings and why:
 * - `shardedSubscribers`: pub/sub uses SPUBLISH/SSUBSCRIBE, so a message travels only inside the
 *   shard owning its channel's slot; ioredis keeps one subscriber connection per master.
 * - During a failover (a master unreachable until its replica is promoted: the cluster's
 *   `cluster-node-timeout` plus an election), commands are retried every 200 ms instead of
 *   failing at the first refused connection or CLUSTERDOWN; `redisCall`'s deadline still bounds
 *   every wait. Retries of one kind run in order (ioredis's delay queue is FIFO).
 * - Health is the cluster's: up while ioredis knows a slot map and can reach it; a single master
 *   failing over shows as slow commands, not as "down".
 */
export class LiveryCluster extends Cluster {
  readonly livery: { readonly name: string; readonly url: string };
  readonly #watch: HealthWatch;
  readonly #tally = new Tally();

  constructor(url: string, options: CreateRedisOptions) {
    const invalid = invalidRedisUrl(url);
    if (invalid !== null) throw new TypeError(`Invalid Redis URL: ${invalid}.`);
    const target = clusterTarget(url);
    const timeout = options.commandTimeoutMs ?? 5000;
    super(target.nodes.map((node) => ({ ...node })), {
      enableOfflineQueue: true,
      enableAutoPipelining: true,
      shardedSubscribers: true,
      clusterRetryStrategy: retryDelay,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      maxRedirections: 50,
      redisOptions: {
        connectionName: `livery:${options.name}`,
        username: target.username,
        password: target.password,
        tls: target.tls ? {} : undefined,
        commandTimeout: timeout,
        socketTimeout: timeout,
        connectTimeout: 2000,
        maxRetriesPerRequest: 20,
        ...options.redis,
      },
    });
    this.livery = { name: options.name, url: redactUrl(url) };
    this.#watch = new HealthWatch(this, `Redis Cluster "${options.name}" (${this.livery.url})`, options.logger ?? silent, timeout);
  }

  health(): RedisHealth {
    return this.#watch.health;
  }

  /** A cluster has only db 0. */
  get db(): number {
    return 0;
  }

  get commandsSent(): number {
    return this.#tally.sent;
  }

  /** As counted by the cluster client (a command retried on another node after MOVED is one). */
  get roundTrips(): number {
    return this.#tally.trips;
  }

  override sendCommand(...args: Parameters<Cluster['sendCommand']>): unknown {
    this.#tally.count(args[1]);
    return super.sendCommand(...args);
  }

  async close(): Promise<void> {
    this.#watch.closing = true;
    if (this.status === 'end') return;
    const ended = once(this, 'end');
    if (this.status === 'ready') await this.quit().catch(() => this.disconnect());
    else this.disconnect();
    if (this.#status() !== 'end') await ended;
  }

  #status(): string {
    return this.status; // re-read after an await
  }
}

/** A connection with Livery's production settings; a `redis+cluster://` URL gives a cluster client. */
export function createRedis(url: string, options: CreateRedisOptions): RedisClient {
  return isClusterUrl(url) ? new LiveryCluster(url, options) : new LiveryRedis(url, options);
}
