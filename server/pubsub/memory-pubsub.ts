import type { ListenerErrorHandler, PubSub } from './index.ts';
import { LocalListeners, serialize } from './local-listeners.ts';

export interface MemoryPubSubOptions {
  onListenerError?: ListenerErrorHandler;
}

/** One process only: delivery is a synchronous call of each local listener. */
export class MemoryPubSub implements PubSub {
  readonly name = 'memory';
  readonly #listeners: LocalListeners;

  constructor(options: MemoryPubSubOptions = {}) {
    this.#listeners = new LocalListeners(options.onListenerError);
  }

  async subscribe(channel: string, listener: (message: unknown) => void): Promise<() => void> {
    const { remove } = this.#listeners.add(channel, listener);
    return () => void remove();
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const json = serialize(message); // even with no listener: a bad message fails the same everywhere
    if (this.#listeners.has(channel)) this.#listeners.deliver(channel, JSON.parse(json));
  }

  listenerCount(): number {
    return this.#listeners.count();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
