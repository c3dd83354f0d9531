/** Live sockets per key (a client address, a session, a tenant), for the per-key caps. Process-local. */
export class SocketCounts {
  readonly #counts = new Map<string, number>();

  /** Counts one more socket for `key` unless it already has `max`; false when refused. */
  tryAdd(key: string, max: number): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= max) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  /** One socket for `key` closed; a key with none left is forgotten (no growth with churn). */
  remove(key: string): void {
    const count = this.#counts.get(key) ?? 0;
    if (count <= 1) this.#counts.delete(key);
    else this.#counts.set(key, count - 1);
  }

  /** Sockets counted for `key` now. */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  get size(): number {
    return this.#counts.size;
  }
}
