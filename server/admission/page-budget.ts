/**
 * What one client address may cost in page renders (D42). Rendering a live page mounts its view
 * (the app's queries), stores its state for the pre-join TTL and — without a session cookie —
 * issues a session: a client looping over cookie-less GETs would otherwise cost all three
 * without bound. Each address has a token bucket (`pages.burst` at once, refilled at
 * `pages.ratePerSecond`); past it the page is answered HTTP 429 LV_PAGE_RATE_LIMITED with
 * Retry-After, before any session, lookup or mount. The address is the one trustProxy yields,
 * as for the socket caps. Per process, like the socket caps (D32).
 */
import { LRUCache } from 'lru-cache';

/** Addresses tracked; the least recently seen is forgotten, which hands it a full bucket again. */
const CLIENTS_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class PageBudget {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new LRUCache<string, Bucket>({ max: CLIENTS_TRACKED });

  constructor(options: { readonly ratePerSecond: number; readonly burst: number }) {
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
  }

  /** Spends one render for `client`: 0 when allowed, else the whole seconds until one is. */
  take(client: string): number {
    const now = performance.now();
    let bucket = this.#buckets.get(client);
    if (bucket === undefined) this.#buckets.set(client, (bucket = { tokens: this.#burst, refilledAt: now }));
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.refilledAt) * this.#rate) / 1000);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
  }
}
