/**
 * Topic messages between views, within one process (memory) or across processes (Redis).
 *
 * Guarantees every implementation keeps (`test/pubsub/pubsub.case.ts` checks them):
 * - A message reaches every subscriber of its channel exactly once, in every process that is
 *   subscribed, and never a subscriber of another channel. Channels carry the tenant
 *   ({@link topicChannel}), so a tenant's messages stay inside it.
 * - Messages from one publisher arrive in the order it published them (there is no order
 *   between publishers: a process's own message may overtake one still in flight from another).
 * - Listeners receive a JSON copy of the message (what the publisher passed through
 *   `JSON.stringify`/`JSON.parse`); all local listeners of one message share that copy, so they
 *   must treat it as read-only.
 * - Local listeners run synchronously inside `publish`, before it resolves; a listener that
 *   throws is reported (`onListenerError`) and never stops delivery to the others.
 * - Across processes delivery is at most once: a message published while a process's
 *   subscription is down (a Redis restart) is lost for that process; its subscriptions come
 *   back by themselves.
 */
export interface PubSub {
  readonly name: string;
  /** Resolves when the subscription is live (for Redis: SUBSCRIBE acknowledged). Returns the unsubscribe function. */
  subscribe(channel: string, listener: (message: unknown) => void): Promise<() => void>;
  /** Delivers `message` (JSON-serializable) to every subscriber of `channel` in every process — exactly once each. One PUBLISH per call, whatever the number of subscribers. */
  publish(channel: string, message: unknown): Promise<void>;
  close(): Promise<void>;
  /** Listeners subscribed in this process (runtime.counts(): a leak shows as growth). */
  listenerCount?(): number;
}

/** Called when a listener throws; delivery to the other listeners goes on. */
export type ListenerErrorHandler = (error: unknown, channel: string) => void;

/** The channel of a topic inside a tenant (built in `server/keys.ts`). */
export { topicChannel } from '../keys.ts';

export { MemoryPubSub, type MemoryPubSubOptions } from './memory-pubsub.ts';
export { RedisPubSub, type RedisPubSubOptions } from './redis-pubsub.ts';
