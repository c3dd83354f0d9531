import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, fromNamespace, inNamespace } from '../keys.ts';
import { redisCall } from '../redis/index.ts';
import type { ListenerErrorHandler, PubSub } from './index.ts';
import { LocalListeners, reportToConsole, serialize } from './local-listeners.ts';

export interface RedisPubSubOptions {
  /** The command connection, for PUBLISH (shared with the other backends). Never closed here. */
  publisher: Redis | Cluster;
  /**
   * A connection for SUBSCRIBE, one per process, used by nothing else. On a Redis Cluster, the
   * cluster client itself (it may be the publisher too): it keeps one subscriber per master.
   * Never closed here.
   */
  subscriber: Redis | Cluster;
  onListenerError?: ListenerErrorHandler;
  /** The deployment's namespace (`redisPrefix`) for channel names; default `lv`. */
  prefix?: string;
}

/** The commands and event of classic or sharded pub/sub, on Redis names. */
interface Mode {
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  publish(channel: string, payload: string): Promise<unknown>;
  readonly event: 'message' | 'smessage';
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}

const ORIGIN_LENGTH = 16;

/**
 * Pub/sub across processes through Redis.
 *
 * One Redis subscription per channel per process, whatever the number of local listeners: the
 * local map fans a message out. Exactly once: every payload starts with this instance's origin
 * id (16 hex characters, then the JSON). `publish` delivers to local listeners at once, in
 * process, and the copy Redis sends back to this process is recognised by its origin and
 * skipped; other processes deliver theirs. One PUBLISH per `publish` call.
 *
 * After a reconnect ioredis subscribes the connection's channels again (`autoResubscribe`, on
 * by default and required here), including SUBSCRIBEs still unanswered when it dropped. A
 * SUBSCRIBE that timed out may still land later; a message arriving for a channel nobody here
 * listens to unsubscribes it.
 *
 * On a Redis Cluster it uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7): a message travels
 * only within the shard that owns its channel's slot, and the tenant hash tag puts all of a
 * tenant's channels on one shard. ioredis subscribes again on the new master after a failover.
 *
 * Channel names go to Redis in the deployment's namespace ({@link inNamespace}) and come back
 * out of it; everything else here uses the names callers gave.
 */
export class RedisPubSub implements PubSub {
  readonly name = 'redis';
  readonly #origin = randomBytes(ORIGIN_LENGTH / 2).toString('hex');
  readonly #subscriber: Redis | Cluster;
  readonly #mode: Mode;
  readonly #prefix: string;
  readonly #listeners: LocalListeners;
  readonly #onError: ListenerErrorHandler;
  /** Channels with a SUBSCRIBE issued, and its acknowledgement. */
  readonly #live = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: RedisPubSubOptions) {
    const { publisher, subscriber } = options;
    this.#subscriber = subscriber;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    if (isCluster(subscriber)) {
      if (!isCluster(publisher) || !subscriber.options.shardedSubscribers) {
        throw new Error('RedisPubSub on a Redis Cluster needs cluster clients with shardedSubscribers on (createRedis sets it).');
      }
      this.#mode = {
        subscribe: (channel) => subscriber.ssubscribe(channel),
        unsubscribe: (channel) => subscriber.sunsubscribe(channel),
        publish: (channel, payload) => publisher.spublish(channel, payload),
        event: 'smessage',
      };
    } else {
      if (subscriber.options.autoResubscribe === false) {
        throw new Error('RedisPubSub needs a subscriber connection with autoResubscribe on (the ioredis default).');
      }
      this.#mode = {
        subscribe: (channel) => subscriber.subscribe(channel),
        unsubscribe: (channel) => subscriber.unsubscribe(channel),
        publish: (channel, payload) => publisher.publish(channel, payload),
        event: 'message',
      };
    }
    this.#onError = options.onListenerError ?? reportToConsole;
    this.#listeners = new LocalListeners(this.#onError);
    this.#subscriber.on(this.#mode.event, this.#receive);
  }

  listenerCount(): number {
    return this.#listeners.count();
  }

  async subscribe(channel: string, listener: (message: unknown) => void): Promise<() => void> {
    if (this.#closed) throw new Error('RedisPubSub is closed.');
    const { remove } = this.#listeners.add(channel, listener);
    let live = this.#live.get(channel);
    if (live === undefined) {
      live = redisCall(this.#mode.subscribe(this.#redisName(channel)), `SUBSCRIBE ${channel}`);
      this.#live.set(channel, live);
    }
    try {
      await live;
    } catch (error) {
      if (remove()) this.#drop(channel);
      throw error;
    }
    return () => {
      if (remove()) this.#drop(channel);
    };
  }

  async publish(channel: string, message: unknown): Promise<void> {
    if (this.#closed) throw new Error('RedisPubSub is closed.');
    const json = serialize(message);
    const sent = redisCall(this.#mode.publish(this.#redisName(channel), this.#origin + json), `PUBLISH ${channel}`);
    if (this.#listeners.has(channel)) this.#listeners.deliver(channel, JSON.parse(json));
    await sent;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriber.off(this.#mode.event, this.#receive);
    const channels = [...this.#live.keys()];
    this.#live.clear();
    this.#listeners.clear();
    if (this.#subscriber.status === 'ready') {
      // One channel per command: sharded channels of different slots cannot share one.
      await Promise.all(channels.map((channel) => this.#mode.unsubscribe(this.#redisName(channel)).catch(() => {})));
    }
  }

  readonly #receive = (redisName: string, payload: string): void => {
    if (payload.startsWith(this.#origin)) return; // delivered locally when published
    const channel = fromNamespace(this.#prefix, redisName);
    if (channel === undefined || !this.#listeners.has(channel)) {
      if (channel === undefined || !this.#live.has(channel)) this.#mode.unsubscribe(redisName).catch(() => {});
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(payload.slice(ORIGIN_LENGTH));
    } catch (error) {
      this.#onError(error, channel);
      return;
    }
    this.#listeners.deliver(channel, message);
  };

  #drop(channel: string): void {
    this.#live.delete(channel);
    this.#mode.unsubscribe(this.#redisName(channel)).catch(() => {});
  }

  #redisName(channel: string): string {
    return inNamespace(this.#prefix, channel);
  }
}
