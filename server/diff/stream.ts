/**
 * Streams (D82): a collection the server renders once and then only inserts into, deletes from
 * or resets — item by item — keeping none of it. A {@link Stream} holds the operations a view
 * made since the last render (`this.stream`, `streamInsert`, `streamDelete`); the diff engine
 * renders just those into item operations for the client, and the view clears them once sent.
 * The rendered tree keeps only an {@link RStream} marker for the loop: memory does not follow the
 * list, and nothing of it is in the view's state.
 *
 * Wire (docs/protocol.md, "Streams"): a full stream node is a full list node plus `n` (the
 * stream's name); a stream diff is `{i: [[at, key], …], e: {key: slots}, d?: [keys], l?: limit}`:
 * the client removes `d`, then places each `i` in order (`at` -1 appends, n ≥ 0 inserts at index
 * n; a key it already holds is replaced where it stands), then trims to `l` (negative: the last
 * |l| items, positive: the first l). A reset travels as a full node: the client's list is replaced.
 */

/** `at` of an insert: -1 appends; n ≥ 0 inserts before the item at index n. */
export const APPEND = -1;

type StreamOp =
  | { readonly kind: 'insert'; readonly key: string; readonly item: unknown; readonly at: number; readonly limit: number | undefined }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'reset' };

/** What one render sends of a stream: the coalesced operations since the last one. */
export interface StreamBatch {
  /** The client's items go first (a reset travels as a full node). */
  readonly reset: boolean;
  readonly deletes: readonly string[];
  /** Keyed inserts in the order first made; a key inserted twice keeps its first `at` and last item. */
  readonly inserts: ReadonlyMap<string, { readonly at: number; item: unknown }>;
  readonly limit: number | undefined;
}

const NO_OPS: readonly StreamOp[] = Object.freeze([]);

export class Stream implements Iterable<unknown> {
  readonly name: string;
  /** Operations since the last render; the shared empty array while there are none (an idle view's memory, D68). */
  #ops: StreamOp[] = NO_OPS as StreamOp[];

  constructor(name: string) {
    this.name = name;
  }

  insert(key: string, item: unknown, at: number, limit: number | undefined): void {
    this.#push({ kind: 'insert', key, item, at, limit });
  }

  delete(key: string): void {
    this.#push({ kind: 'delete', key });
  }

  reset(): void {
    this.#push({ kind: 'reset' });
  }

  #push(op: StreamOp): void {
    if (this.#ops === NO_OPS) this.#ops = [];
    this.#ops.push(op);
  }

  get pending(): boolean {
    return this.#ops.length > 0;
  }

  /** How many operations are pending: a handler's rollback truncates back to it. */
  get mark(): number {
    return this.#ops.length;
  }

  truncate(mark: number): void {
    if (mark === 0) this.#ops = NO_OPS as StreamOp[];
    else this.#ops.length = mark;
  }

  /** The render sent the operations: forget them (and the items they held). */
  clear(): void {
    this.#ops = NO_OPS as StreamOp[];
  }

  batch(): StreamBatch {
    const ops = this.#ops;
    let start = 0;
    for (let i = ops.length - 1; i >= 0; i--) {
      if (ops[i].kind === 'reset') {
        start = i + 1;
        break;
      }
    }
    const reset = start > 0;
    const deletes = new Set<string>();
    const inserts = new Map<string, { at: number; item: unknown }>();
    let limit: number | undefined;
    for (let i = start; i < ops.length; i++) {
      const op = ops[i];
      if (op.kind === 'delete') {
        inserts.delete(op.key);
        // After a reset the client holds only what this batch inserts: nothing to delete.
        if (!reset) deletes.add(op.key);
      } else if (op.kind === 'insert') {
        const pending = inserts.get(op.key);
        if (pending !== undefined) pending.item = op.item;
        else inserts.set(op.key, { at: op.at, item: op.item });
        if (op.limit !== undefined) limit = op.limit;
      }
    }
    return { reset, deletes: [...deletes], inserts, limit };
  }

  /**
   * The items a client starting with none shows after `batch` (a reset, a join, the first
   * paint): the inserts placed in order, then trimmed to the limit. Keys and items, in order.
   */
  static fresh(batch: StreamBatch): Array<[string, unknown]> {
    const keys: string[] = [];
    for (const [key, { at }] of batch.inserts) {
      if (at < 0 || at >= keys.length) keys.push(key);
      else keys.splice(at, 0, key);
    }
    const kept = trim(keys, batch.limit);
    return kept.map((key) => [key, batch.inserts.get(key)!.item]);
  }

  /** The pending items as a first render shows them: what `{% for %}` iterates over HTTP (renderToString). */
  *[Symbol.iterator](): Iterator<unknown> {
    for (const [, item] of Stream.fresh(this.batch())) yield item;
  }
}

/** `limit`: negative keeps the last |limit| keys, positive the first `limit` (Phoenix's rule). */
export function trim(keys: string[], limit: number | undefined): string[] {
  if (limit === undefined) return keys;
  if (limit < 0) return -limit >= keys.length ? keys : keys.slice(keys.length + limit);
  return keys.length <= limit ? keys : keys.slice(0, limit);
}
