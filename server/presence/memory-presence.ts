import { MemoryPubSub } from '../pubsub/index.ts';
import { copyMeta, groupByKey } from './group.ts';
import type { Presence, PresenceDiff, PresenceEntry, PresenceMeta } from './index.ts';

export interface MemoryPresenceOptions {
  /** Called when a diff listener throws; the other listeners still get the diff. */
  onListenerError?: (error: unknown, topic: string) => void;
}

interface Tracked {
  readonly key: string;
  readonly meta: PresenceMeta;
}

/** One process only. Diffs travel through a private MemoryPubSub, so they are JSON copies too. */
export class MemoryPresence implements Presence {
  readonly #topics = new Map<string, Map<number, Tracked>>();
  readonly #diffs: MemoryPubSub;
  readonly #untracks = new Set<() => Promise<void>>();
  #seq = 0;

  constructor(options: MemoryPresenceOptions = {}) {
    this.#diffs = new MemoryPubSub({ onListenerError: options.onListenerError });
  }

  async track(topic: string, key: string, meta: PresenceMeta): Promise<() => Promise<void>> {
    const entry = { key, meta: copyMeta(meta) };
    let entries = this.#topics.get(topic);
    if (entries === undefined) this.#topics.set(topic, (entries = new Map()));
    const id = ++this.#seq;
    entries.set(id, entry);
    await this.#announce(topic, { joins: groupByKey([entry]), leaves: [] });
    const untrack = async (): Promise<void> => {
      this.#untracks.delete(untrack);
      if (!entries.delete(id)) return;
      if (entries.size === 0 && this.#topics.get(topic) === entries) this.#topics.delete(topic);
      await this.#announce(topic, { joins: [], leaves: groupByKey([entry]) });
    };
    this.#untracks.add(untrack);
    return untrack;
  }

  entryCount(): number {
    let n = 0;
    for (const entries of this.#topics.values()) n += entries.size;
    return n;
  }

  async list(topic: string): Promise<PresenceEntry[]> {
    const entries = this.#topics.get(topic);
    return entries === undefined ? [] : groupByKey(entries.values());
  }

  subscribe(topic: string, listener: (diff: PresenceDiff) => void): Promise<() => void> {
    return this.#diffs.subscribe(topic, (message) => listener(message as PresenceDiff));
  }

  async close(): Promise<void> {
    for (const untrack of [...this.#untracks]) await untrack();
    await this.#diffs.close();
  }

  #announce(topic: string, diff: PresenceDiff): Promise<void> {
    return this.#diffs.publish(topic, diff);
  }
}
