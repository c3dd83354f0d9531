/**
 * The client's copy of one view's rendered tree (pure: no DOM, unit-tested in Node).
 *
 * Data model (see docs/protocol.md, "Rendered nodes"): a block is static strings interleaved with
 * slot values; a value is an escaped string, a nested block or a keyed list whose items share the
 * loop body's statics. Statics arrive once per fingerprint per socket (root `p`), so nodes keep a
 * reference to their statics array, resolved when the node arrives: an unknown fingerprint fails
 * the merge, never a later render.
 *
 * Every node and list item memoizes its HTML string (`h`). Merging a diff clears `h` only on the
 * nodes the diff touched (and, implicitly, their ancestors, which the diff also passes through),
 * so after a one-row change in a 1000-row list `toHTML()` rebuilds the root, the list and that row
 * and re-joins the other 999 cached strings.
 */
import { K_ENTRIES, K_KEYS, K_MOVED, K_REMOVED, K_STATICS, K_TEMPLATES } from '../server/protocol/index.ts';

/** A diff or full node as it arrives on the wire. */
export type WireNode = { [key: string]: unknown };
/** Fingerprint → statics, kept per socket. */
export type StaticsCache = Map<string, readonly string[]>;

export interface Block {
  st: readonly string[];
  v: Value[];
  h?: string;
}
export interface Item {
  v: Value[];
  h?: string;
  /** The element the client found this item renders (patch.ts, D62); the tree itself knows no DOM. */
  el?: unknown;
}
export interface List {
  st: readonly string[];
  keys: string[];
  items: Map<string, Item>;
  h?: string;
}
export type Value = string | Block | List;

export const E_UNKNOWN_FINGERPRINT = 'LV_CLIENT_UNKNOWN_FINGERPRINT';
export const E_BAD_DIFF = 'LV_CLIENT_BAD_DIFF';

/** The tree and the diff disagree: the client cannot continue on this socket. */
export class RenderedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const bad = (message: string) => new RenderedError(E_BAD_DIFF, message);
const isObject = (x: unknown): x is WireNode => typeof x === 'object' && x !== null && !Array.isArray(x);
export const isList = (n: Block | List): n is List => 'keys' in n;
const isKeys = (x: unknown): x is string[] => Array.isArray(x) && x.every((k) => typeof k === 'string');
/** `[index, key]`: where a moved or inserted key lands. */
const isMove = (x: unknown): x is [number, string] => Array.isArray(x) && Number.isInteger(x[0]) && x[0] >= 0 && typeof x[1] === 'string';

/** Adds the root-level `p` statics of a frame's diff to the socket's cache. */
export function mergeStatics(statics: StaticsCache, diff: WireNode): void {
  const p = diff[K_TEMPLATES];
  if (!isObject(p)) return;
  for (const fp in p) {
    const st = p[fp];
    if (!Array.isArray(st) || st.length === 0 || !st.every((x) => typeof x === 'string')) throw bad(`statics for "${fp}" are not strings`);
    statics.set(fp, st);
  }
}

export class Rendered {
  root: Block | undefined;
  /** How many node strings were (re)built; lets tests prove the memoization. */
  builds = 0;

  /** Merges a root diff (join replies carry a full node with `s`). `p` must be merged first. */
  merge(diff: WireNode, statics: StaticsCache): void {
    if (diff[K_STATICS] !== undefined) {
      const node = full(diff, statics);
      if (isList(node)) throw bad('the root must be a block, not a list');
      this.root = node;
    } else if (this.root) {
      mergeSlots(this.root, diff, statics);
    } else {
      throw bad('partial diff before the view has a tree');
    }
  }

  toHTML(): string {
    return this.root ? this.html(this.root) : '';
  }

  /** One list item's HTML (memoized like every node's): what the client patches on its own (D62). */
  itemHTML(list: List, item: Item): string {
    return (item.h ??= this.join(list.st, item.v));
  }

  html(v: Value): string {
    if (typeof v === 'string') return v;
    if (v.h !== undefined) return v.h;
    if (isList(v)) {
      let out = '';
      for (const key of v.keys) {
        const item = v.items.get(key) as Item;
        out += item.h ??= this.join(v.st, item.v);
      }
      this.builds++;
      return (v.h = out);
    }
    return (v.h = this.join(v.st, v.v));
  }

  private join(st: readonly string[], values: Value[]): string {
    this.builds++;
    let out = st[0];
    for (let i = 0; i < values.length; i++) out += this.html(values[i]) + st[i + 1];
    return out;
  }
}

/** The new value of a slot, given what it held and the diff for it. */
function mergeValue(cur: Value | undefined, diff: unknown, statics: StaticsCache): Value {
  if (typeof diff === 'string') return diff;
  if (!isObject(diff)) throw bad('a slot diff must be a string or an object');
  if (diff[K_STATICS] !== undefined) return full(diff, statics);
  if (cur === undefined || typeof cur === 'string') throw bad('partial diff for a slot that holds no node');
  if (isList(cur)) mergeList(cur, diff, statics);
  else mergeSlots(cur, diff, statics);
  return cur;
}

/** Merges the numeric keys of `diff` into a block (or list item); touched nodes lose `h`. */
function mergeSlots(node: Block | Item, diff: WireNode, statics: StaticsCache): void {
  node.h = undefined;
  for (let i = 0; i < node.v.length; i++) {
    const d = diff[i];
    if (d !== undefined) node.v[i] = mergeValue(node.v[i], d, statics);
  }
}

/** Builds a node from a full wire node (one with `s`). */
function full(diff: WireNode, statics: StaticsCache): Block | List {
  const fp = String(diff[K_STATICS]);
  const st = statics.get(fp);
  if (!st) throw new RenderedError(E_UNKNOWN_FINGERPRINT, `no statics for fingerprint "${fp}"`);
  const keys = diff[K_KEYS];
  if (keys === undefined) return { st, v: fullSlots(st, diff, statics) };
  if (!isKeys(keys)) throw bad(`list "${fp}" has no key array`);
  const entries = isObject(diff[K_ENTRIES]) ? (diff[K_ENTRIES] as WireNode) : {};
  const items = new Map<string, Item>();
  for (const key of keys) {
    const entry = entries[key];
    if (!isObject(entry)) throw bad(`list "${fp}" has no entry for key "${key}"`);
    items.set(key, { v: fullSlots(st, entry, statics) });
  }
  return { st, keys: keys.slice(), items };
}

function fullSlots(st: readonly string[], diff: WireNode, statics: StaticsCache): Value[] {
  const values: Value[] = [];
  for (let i = 0; i < st.length - 1; i++) {
    if (diff[i] === undefined) throw bad(`full node is missing slot ${i}`);
    values.push(mergeValue(undefined, diff[i], statics));
  }
  return values;
}

/**
 * Applies `d`, `m`, `e` exactly as docs/protocol.md orders them: delete the removed keys, take the
 * moved keys out, then insert each moved key at its index in the order given (ascending indexes,
 * so each insert lands at its final position).
 */
function mergeList(list: List, diff: WireNode, statics: StaticsCache): void {
  list.h = undefined;
  const removed = diff[K_REMOVED] ?? [];
  const moved = diff[K_MOVED] ?? [];
  const entries = diff[K_ENTRIES] ?? {};
  // Checked before anything changes: a diff of the wrong shape fails the merge (the client rejoins).
  if (!isKeys(removed) || !Array.isArray(moved) || !moved.every(isMove) || !isObject(entries)) throw bad('list diff of the wrong shape');
  for (const key of removed) list.items.delete(key);
  if (removed.length || moved.length) {
    const out = new Set(removed);
    for (const [, key] of moved) out.add(key);
    const keys = list.keys.filter((k) => !out.has(k));
    for (const [index, key] of moved) keys.splice(index, 0, key);
    list.keys = keys;
  }
  for (const key in entries) {
    const entry = entries[key];
    if (!isObject(entry)) throw bad(`list entry "${key}" is not an object`);
    const item = list.items.get(key);
    if (item) mergeSlots(item, entry, statics);
    else list.items.set(key, { v: fullSlots(list.st, entry, statics) });
  }
  for (const [, key] of moved) {
    if (!list.items.has(key)) throw bad(`inserted key "${key}" has no entry`);
  }
}
