import type { ListenerErrorHandler } from './index.ts';

type Listener = (message: unknown) => void;

export const reportToConsole: ListenerErrorHandler = (error, channel) => {
  console.error(`livery: a listener of ${channel} threw`, error);
};

/**
 * The listeners of each channel in this process. Each subscription is its own entry, so the
 * same function subscribed twice is called twice and each unsubscribe removes only its own.
 */
export class LocalListeners {
  readonly #channels = new Map<string, Set<{ listener: Listener }>>();
  readonly #onError: ListenerErrorHandler;

  constructor(onError: ListenerErrorHandler = reportToConsole) {
    this.#onError = onError;
  }

  /** Adds a listener; returns its removal function and whether it is the channel's first. */
  add(channel: string, listener: Listener): { first: boolean; remove: () => boolean } {
    let set = this.#channels.get(channel);
    const first = set === undefined;
    if (set === undefined) this.#channels.set(channel, (set = new Set()));
    const entry = { listener };
    set.add(entry);
    let removed = false;
    const remove = (): boolean => {
      if (removed) return false;
      removed = true;
      set.delete(entry);
      if (set.size > 0 || this.#channels.get(channel) !== set) return false;
      this.#channels.delete(channel);
      return true; // the channel's last listener left
    };
    return { first, remove };
  }

  has(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /** Listeners across all channels. */
  count(): number {
    let n = 0;
    for (const set of this.#channels.values()) n += set.size;
    return n;
  }

  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** Calls each listener subscribed at this moment; one that throws does not stop the rest. */
  deliver(channel: string, message: unknown): void {
    const set = this.#channels.get(channel);
    if (set === undefined) return;
    for (const { listener } of [...set]) {
      try {
        listener(message);
      } catch (error) {
        this.#onError(error, channel);
      }
    }
  }

  clear(): void {
    this.#channels.clear();
  }
}

/** JSON text of a message, refusing what JSON cannot carry (undefined, functions, symbols). */
export function serialize(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError('A pub/sub message must be JSON-serializable (got undefined or a function).');
  return json;
}
