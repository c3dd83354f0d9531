import { LRUCache } from 'lru-cache';
import type { SessionData, SessionStore } from './index.ts';

/** Process-local sessions, bounded by count and idle TTL. */
export class MemorySessionStore implements SessionStore {
  readonly #cache: LRUCache<string, SessionData>;

  constructor(options: { ttlSeconds: number; maxEntries: number }) {
    this.#cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000, updateAgeOnGet: true });
  }

  async get(id: string): Promise<SessionData | undefined> {
    return this.#cache.get(id);
  }

  async set(id: string, data: SessionData): Promise<void> {
    this.#cache.set(id, data);
  }

  async delete(id: string): Promise<void> {
    this.#cache.delete(id);
  }

  /**
   * Every entry with its remaining lifetime, for the dev loop's hand-over to the next process
   * (`server/dev/snapshot.ts`); `load` takes it back.
   */
  dump(): Array<[string, LRUCache.Entry<SessionData>]> {
    return this.#cache.dump();
  }

  load(entries: Array<[string, LRUCache.Entry<SessionData>]>): void {
    this.#cache.load(entries);
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }
}
