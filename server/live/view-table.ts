/**
 * A socket's joined views by vid. Nearly every socket holds one view, and a Map costs ~180 bytes
 * even holding one entry (its hash table is allocated for several): the first view is kept in two
 * fields, and a Map is made only when a second one joins (D68).
 */
export class ViewTable<V> {
  #vid = 0;
  #view: V | undefined;
  #more: Map<number, V> | undefined;

  get size(): number {
    return this.#more?.size ?? (this.#view === undefined ? 0 : 1);
  }

  get(vid: number): V | undefined {
    if (this.#more !== undefined) return this.#more.get(vid);
    return vid === this.#vid ? this.#view : undefined;
  }

  has(vid: number): boolean {
    return this.get(vid) !== undefined;
  }

  set(vid: number, view: V): this {
    if (this.#more !== undefined) this.#more.set(vid, view);
    else if (this.#view === undefined || vid === this.#vid) {
      this.#vid = vid;
      this.#view = view;
    } else {
      this.#more = new Map([[this.#vid, this.#view], [vid, view]]);
      this.#view = undefined;
    }
    return this;
  }

  delete(vid: number): boolean {
    if (this.#more !== undefined) return this.#more.delete(vid);
    if (this.#view === undefined || vid !== this.#vid) return false;
    this.#view = undefined;
    return true;
  }

  /** The views in join order (a Map keeps insertion order; one view is trivially in order). */
  values(): IterableIterator<V> {
    if (this.#more !== undefined) return this.#more.values();
    return (this.#view === undefined ? [] : [this.#view]).values();
  }
}
