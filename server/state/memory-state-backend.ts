import { LRUCache } from 'lru-cache';
import type { StateBackend } from './index.ts';

export interface MemoryStateOptions {
  /** Seconds an entry lives after its last read or write. */
  ttlSeconds: number;
  /** Upper bound on entries; the least recently used is evicted first. */
  maxEntries: number;
}

/**
 * The default backend: bounded by entry count and TTL, evicting least recently used first, so a
 * long-running process cannot grow without limit. Process-local, hence not write-through.
 */
export class MemoryStateBackend implements StateBackend {
  readonly name = 'memory';
  readonly writeThrough = false;
  readonly #cache: LRUCache<string, string>;

  constructor(options: MemoryStateOptions) {
    this.#cache = new LRUCache<string, string>({
      max: options.maxEntries,
      ttl: options.ttlSeconds * 1000,
      updateAgeOnGet: true,
      ttlAutopurge: false,
    });
  }

  async get(key: string): Promise<string | null> {
    return this.#cache.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.#cache.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.#cache.delete(key);
  }

  get size(): number {
    return this.#cache.size;
  }

  /**
   * Every entry with its remaining lifetime, for the dev loop's hand-over to the next process
   * (`server/dev/snapshot.ts`); `load` takes it back.
   */
  dump(): Array<[string, LRUCache.Entry<string>]> {
    return this.#cache.dump();
  }

  load(entries: Array<[string, LRUCache.Entry<string>]>): void {
    this.#cache.load(entries);
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }
}
