/**
 * The order part of a keyed list diff (docs/protocol.md, "Diffs"; D63): how the client gets from
 * the old key order to the new one, in the shortest of three forms.
 *
 * - `d` + `m` — the keys that left, then placements (below). Costs what went, in keys.
 * - `r` + `m` — the same removals as runs over the old order, `[keep, drop, keep, drop, …]`
 *   (keys past the last run stay): costs the number of runs, whatever the keys are. Narrowing a
 *   search drops hundreds of keys in a few dozen runs.
 * - `k` — the whole new order. Costs what is left; it needs no placements, so it also wins when
 *   most of the list moved or arrived.
 *
 * Placements (`m`): surviving keys on a longest increasing subsequence of old positions keep
 * their place; every other surviving key is "moved" and every new key "inserted" — both as
 * `[newIndex, key]` in ascending index, which the client applies after the removals. One insert
 * or one move therefore costs one entry, never a re-send of the whole order.
 *
 * The choice compares the exact bytes each form adds to the frame; ties keep the earlier form
 * in the list above, so the frames of small edits read as before.
 */
import { K_KEYS, K_MOVED, K_REMOVED, K_RUNS } from '../protocol/index.ts';
import type { WireNode } from './encode.ts';

export interface OrderDiff {
  removed: string[];
  placed: Array<[number, string]>;
}

export interface OrderEdit {
  /** Keys that left the list: the caller drops their items. */
  removed: string[];
  /** The diff's order members, in the shortest form. */
  wire: WireNode;
}

export function encodeOrder(oldKeys: readonly string[], newKeys: readonly string[], newSet: ReadonlySet<string>): OrderEdit {
  const { removed, placed } = diffOrder(oldKeys, newKeys, newSet);
  const runs = removed.length > 0 ? keepRuns(oldKeys, newSet) : [];
  // Each member costs `"x":` (4 bytes), its array and a separating comma.
  const member = (bytes: number) => (bytes === 0 ? 0 : 5 + bytes);
  const moves = member(placed.length > 0 ? placedBytes(placed) : 0);
  const byKeys = member(removed.length > 0 ? keysBytes(removed) : 0) + moves;
  const byRuns = member(runs.length > 0 ? numbersBytes(runs) : 0) + moves;
  const best = Math.min(byKeys, byRuns);
  // Each key takes at least 3 bytes (`"",`): most edits of long lists rule `k` out unmeasured.
  const whole = 5 + 3 * newKeys.length + 1 >= best ? best : member(keysBytes(newKeys));
  const wire: WireNode = {};
  if (whole < best) wire[K_KEYS] = newKeys.slice();
  else {
    if (byRuns < byKeys) wire[K_RUNS] = runs;
    else if (removed.length > 0) wire[K_REMOVED] = removed;
    if (placed.length > 0) wire[K_MOVED] = placed;
  }
  return { removed, wire };
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

/**
 * Run lengths over the old order, alternating kept and dropped keys and starting with a kept run
 * (0 when the first key went); the last kept run is left out, as keys past the runs stay.
 */
export function keepRuns(oldKeys: readonly string[], newSet: ReadonlySet<string>): number[] {
  const runs: number[] = [];
  let keeping = true;
  let length = 0;
  for (const key of oldKeys) {
    if (newSet.has(key) === keeping) length++;
    else {
      runs.push(length);
      keeping = !keeping;
      length = 1;
    }
  }
  if (!keeping) runs.push(length);
  return runs;
}

export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytes of a JSON array of these keys. */
function keysBytes(keys: readonly string[]): number {
  let bytes = 1 + keys.length; // brackets and commas
  for (const key of keys) bytes += jsonBytes(key);
  return keys.length === 0 ? 2 : bytes;
}

function numbersBytes(numbers: readonly number[]): number {
  let bytes = 1 + numbers.length;
  for (const n of numbers) bytes += digits(n);
  return bytes;
}

/** Bytes of `[[index,"key"],…]`. */
function placedBytes(placed: ReadonlyArray<[number, string]>): number {
  let bytes = 1 + placed.length;
  for (const [index, key] of placed) bytes += 3 + digits(index) + jsonBytes(key);
  return bytes;
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/** UTF-8 bytes of `JSON.stringify(key)`: quotes, escapes, multi-byte characters. */
export function jsonBytes(key: string): number {
  let bytes = 2;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < key.length && isLow(key.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) bytes += 6; // a lone surrogate: JSON.stringify writes \udxxx
    else bytes += 3;
  }
  return bytes;
}

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

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
