import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisCall } from '../redis/index.ts';
import type { ListenerErrorHandler, PubSub } from './index.ts';
import { LocalListeners, reportToConsole, serialize } from './local-listeners.ts';

export interface RedisPubSubOptions {
  /** The command connection, for PUBLISH (shared with the other backends). Never closed here. */
  publisher: Redis;
  /** A connection for SUBSCRIBE, one per process, used by nothing else. Never closed here. */
  subscriber: Redis;
  onListenerError?: ListenerErrorHandler;
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
 */
export class RedisPubSub implements PubSub {
  readonly name = 'redis';
  readonly #origin = randomBytes(ORIGIN_LENGTH / 2).toString('hex');
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #listeners: LocalListeners;
  readonly #onError: ListenerErrorHandler;
  /** Channels with a SUBSCRIBE issued, and its acknowledgement. */
  readonly #live = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: RedisPubSubOptions) {
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    if (this.#subscriber.options.autoResubscribe === false) {
      throw new Error('RedisPubSub needs a subscriber connection with autoResubscribe on (the ioredis default).');
    }
    this.#onError = options.onListenerError ?? reportToConsole;
    this.#listeners = new LocalListeners(this.#onError);
    this.#subscriber.on('message', this.#receive);
  }

  listenerCount(): number {
    return this.#listeners.count();
  }

  async subscribe(channel: string, listener: (message: unknown) => void): Promise<() => void> {
    if (this.#closed) throw new Error('RedisPubSub is closed.');
    const { remove } = this.#listeners.add(channel, listener);
    let live = this.#live.get(channel);
    if (live === undefined) {
      live = redisCall(this.#subscriber.subscribe(channel), `SUBSCRIBE ${channel}`);
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
    const sent = redisCall(this.#publisher.publish(channel, this.#origin + json), `PUBLISH ${channel}`);
    if (this.#listeners.has(channel)) this.#listeners.deliver(channel, JSON.parse(json));
    await sent;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriber.off('message', this.#receive);
    const channels = [...this.#live.keys()];
    this.#live.clear();
    this.#listeners.clear();
    if (channels.length > 0 && this.#subscriber.status === 'ready') {
      await this.#subscriber.unsubscribe(...channels).catch(() => {});
    }
  }

  readonly #receive = (channel: string, payload: string): void => {
    if (payload.startsWith(this.#origin)) return; // delivered locally when published
    if (!this.#listeners.has(channel)) {
      if (!this.#live.has(channel)) this.#subscriber.unsubscribe(channel).catch(() => {});
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
    this.#subscriber.unsubscribe(channel).catch(() => {});
  }
}
