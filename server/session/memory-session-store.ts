import { LRUCache } from 'lru-cache';
import type { SessionData, SessionStore } from './index.ts';

type Entries = Array<[string, LRUCache.Entry<SessionData>]>;

/**
 * Process-local sessions, bounded by count (`maxEntries`, across both kinds below) and idle TTL.
 *
 * Every page load without a cookie issues a session (D33), so a client looping over cookie-less
 * GETs creates sessions as fast as it can send requests. Such sessions hold nothing yet; signed-in
 * ones (and any the app stored data in) are worth far more. So they are kept apart: at the bound
 * the least recently used session *holding no data* is evicted first, and one holding data only
 * when no empty one is left. A flood of page loads churns the flood's own sessions and never
 * signs anyone out (D42).
 */
export class MemorySessionStore implements SessionStore {
  /** Sessions holding no data: what a page load issues. */
  readonly #empty: LRUCache<string, SessionData>;
  /** Sessions the app stored something in (a signed-in user, a cart…). */
  readonly #kept: LRUCache<string, SessionData>;
  readonly #max: number;

  constructor(options: { ttlSeconds: number; maxEntries: number }) {
    const settings = { max: options.maxEntries, ttl: options.ttlSeconds * 1000, updateAgeOnGet: true };
    this.#empty = new LRUCache(settings);
    this.#kept = new LRUCache(settings);
    this.#max = options.maxEntries;
  }

  async get(id: string): Promise<SessionData | undefined> {
    return this.#kept.get(id) ?? this.#empty.get(id);
  }

  async set(id: string, data: SessionData): Promise<void> {
    const [into, other] = isEmpty(data) ? [this.#empty, this.#kept] : [this.#kept, this.#empty];
    other.delete(id);
    into.set(id, data);
    this.#evict();
  }

  async delete(id: string): Promise<void> {
    this.#kept.delete(id);
    this.#empty.delete(id);
  }

  /** Sessions held (expired ones not yet swept included), and how many of them hold no data. */
  get size(): { total: number; empty: number } {
    return { total: this.#kept.size + this.#empty.size, empty: this.#empty.size };
  }

  #evict(): void {
    while (this.#kept.size + this.#empty.size > this.#max) {
      if (this.#empty.size > 0) this.#empty.pop();
      else this.#kept.pop();
    }
  }

  /**
   * Every entry with its remaining lifetime, for the dev loop's hand-over to the next process
   * (`server/dev/snapshot.ts`); `load` takes it back.
   */
  dump(): Entries {
    return [...this.#kept.dump(), ...this.#empty.dump()];
  }

  load(entries: Entries): void {
    this.#kept.load(entries.filter(([, entry]) => !isEmpty(entry.value)));
    this.#empty.load(entries.filter(([, entry]) => isEmpty(entry.value)));
    this.#evict();
  }

  async close(): Promise<void> {
    this.#kept.clear();
    this.#empty.clear();
  }
}

function isEmpty(data: SessionData): boolean {
  return Object.keys(data).length === 0;
}
