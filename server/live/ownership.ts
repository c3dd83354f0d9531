/**
 * One live owner per view instance (D34, D35), the process's half. The guarantee itself is the state
 * backend's: a join claims the instance and saves carry the claim's owner token, so a copy left
 * on another process can never overwrite what the new owner stored. These two pieces make it
 * prompt and local:
 *
 * - {@link InstanceLocks}: joins of one instance in this process take turns, so two racing joins
 *   never both go live; the later one takes over from the earlier.
 * - {@link TakeoverNotices}: a process that took an instance over says so on the tenant's
 *   takeover channel, and the process holding the old copy closes it at once rather than at its
 *   next save. Best effort (pub/sub is at most once): the owner token is what guarantees.
 */
import type { FastifyBaseLogger } from 'fastify';
import { takeoverChannel } from '../keys.ts';
import type { PubSub } from '../pubsub/index.ts';

export class InstanceLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for the joins of `key` queued before this one; returns the release (call it once). */
  async acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous === undefined ? done : previous.then(() => done);
    this.#tails.set(key, tail);
    if (previous !== undefined) await previous;
    return () => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}

/** What a takeover notice carries: the instance; its tenant is the channel's. */
interface Notice {
  readonly instance: string;
}

export class TakeoverNotices {
  readonly #pubsub: PubSub;
  readonly #log: FastifyBaseLogger;
  readonly #onNotice: (tenant: string, instance: string) => void;
  /** Tenants with live views here: how many, and their channel's subscription. */
  readonly #tenants = new Map<string, { views: number; subscribed: Promise<(() => void) | undefined> }>();

  constructor(pubsub: PubSub, log: FastifyBaseLogger, onNotice: (tenant: string, instance: string) => void) {
    this.#pubsub = pubsub;
    this.#log = log;
    this.#onNotice = onNotice;
  }

  /**
   * Counts a live view of `tenant` (synchronously, so `unwatch` always pairs with it); resolves
   * once the tenant's channel is subscribed — one subscription per tenant and process.
   */
  watch(tenant: string): Promise<unknown> {
    let entry = this.#tenants.get(tenant);
    if (entry === undefined) {
      const subscribed = this.#pubsub.subscribe(takeoverChannel(tenant), (message) => this.#receive(tenant, message)).catch((error: unknown) => {
        this.#log.warn({ err: error, tenant }, 'takeover notices unavailable; stale copies close at their next save');
        return undefined;
      });
      this.#tenants.set(tenant, (entry = { views: 0, subscribed }));
    }
    entry.views++;
    return entry.subscribed;
  }

  unwatch(tenant: string): void {
    const entry = this.#tenants.get(tenant);
    if (entry === undefined || --entry.views > 0) return;
    this.#tenants.delete(tenant);
    void entry.subscribed.then((unsubscribe) => unsubscribe?.());
  }

  announce(tenant: string, instance: string): void {
    const notice: Notice = { instance };
    this.#pubsub.publish(takeoverChannel(tenant), notice).catch((error: unknown) => {
      this.#log.warn({ err: error, tenant }, 'takeover notice not sent; the old copy closes at its next save');
    });
  }

  #receive(tenant: string, message: unknown): void {
    const instance = (message as Partial<Notice> | null)?.instance;
    if (typeof instance === 'string') this.#onNotice(tenant, instance);
  }
}
