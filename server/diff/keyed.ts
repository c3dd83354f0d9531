/**
 * The order part of a keyed list diff: which keys left, and which must be (re)inserted where.
 *
 * Keys that are in both the old and the new order and lie on a longest increasing subsequence of
 * old positions keep their place; every other surviving key is "moved" and every new key
 * "inserted" — both as `[newIndex, key]` in ascending index, which the client applies after
 * removing `removed` and the moved keys. One insert or one move therefore costs one entry, never
 * a re-send of the whole order.
 */

export interface OrderDiff {
  removed: string[];
  placed: Array<[number, string]>;
}

export function diffOrder(oldKeys: readonly string[], newKeys: readonly string[], newSet: ReadonlySet<string>): OrderDiff {
  const removed: string[] = [];
  const oldIndex = new Map<string, number>();
  for (let i = 0; i < oldKeys.length; i++) {
    const key = oldKeys[i];
    if (newSet.has(key)) oldIndex.set(key, i);
    else removed.push(key);
  }
  // Old positions of surviving keys, in new order (-1 for new keys).
  const positions = newKeys.map((key) => oldIndex.get(key) ?? -1);
  const stable = longestIncreasing(positions);
  const placed: Array<[number, string]> = [];
  for (let i = 0; i < newKeys.length; i++) {
    if (!stable.has(i)) placed.push([i, newKeys[i]]);
  }
  return { removed, placed };
}

export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Indexes (into `seq`) of one longest strictly increasing subsequence, ignoring negative
 * entries. Patience sorting with predecessor links: O(n log n).
 */
function longestIncreasing(seq: readonly number[]): Set<number> {
  const tails: number[] = []; // tails[len] = index in seq of the smallest tail of a run of len+1
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i];
    if (v < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const result = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) result.add(i);
  return result;
}
