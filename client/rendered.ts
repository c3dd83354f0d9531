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
import { A_COMPONENT, K_COMPONENTS, K_ENTRIES, K_INSERTS, K_KEYS, K_LIMIT, K_MOVED, K_REMOVED, K_RUNS, K_STATICS, K_STREAM, K_TEMPLATES } from '../server/protocol/index.ts';

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
  /** A stream's name (D82): the server keeps none of its items, its diffs are item operations. */
  n?: string;
}
/** A number shows the live component with that cid (D80): its tree is in `Rendered.comps`. */
export type Value = string | number | Block | List;

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
/** `[keep, drop, keep, …]` run lengths over the old order. */
const isRuns = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => Number.isInteger(n) && n >= 0);

/** Whether a root diff touches the view's own tree (slots or a whole node). */
export function touchesRoot(diff: WireNode): boolean {
  for (const key in diff) {
    const c = key.charCodeAt(0);
    if (key === K_STATICS || (c >= 48 && c <= 57)) return true;
  }
  return false;
}

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
  /** Live components' trees by cid (root `c`, D80); a whole root brings them all again. */
  comps = new Map<number, Value>();
  /** How many node strings were (re)built; lets tests prove the memoization. */
  builds = 0;
  /** Set while a node's HTML shows a component: such a node is not memoized (the component changes apart). */
  private live = false;

  /** Merges a root diff (join replies carry a full node with `s`). `p` must be merged first. */
  merge(diff: WireNode, statics: StaticsCache): void {
    if (diff[K_STATICS] !== undefined) {
      const node = full(diff, statics);
      if (isList(node)) throw bad('the root must be a block, not a list');
      this.root = node;
      this.comps.clear();
    } else if (this.root) {
      mergeSlots(this.root, diff, statics);
    } else {
      throw bad('partial diff before the view has a tree');
    }
    const c = diff[K_COMPONENTS];
    if (isObject(c)) for (const cid in c) c[cid] === null ? this.comps.delete(+cid) : this.comps.set(+cid, mergeValue(this.comps.get(+cid), c[cid], statics));
  }

  toHTML(): string {
    return this.root ? this.html(this.root) : '';
  }

  /** One list item's HTML (memoized like every node's): what the client patches on its own (D62). */
  itemHTML(list: List, item: Item): string {
    return this.html(item as Block, list.st);
  }

  /** `st`: a list item's statics (an item is a block without its own). */
  html(v: Value, st?: readonly string[]): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') {
      // A component's root element carries its cid (`lv-target` finds it there).
      const c = this.comps.get(v);
      const out = c ? this.html(c).replace(/^(\s*<[a-z][\w:-]*)/i, `$1 ${A_COMPONENT}="${v}"`) : '';
      this.live = true;
      return out;
    }
    if (v.h !== undefined) return v.h;
    const outer = this.live;
    this.live = false;
    let out = '';
    if (isList(v)) {
      for (const key of v.keys) out += this.itemHTML(v, v.items.get(key) as Item);
      this.builds++;
    } else out = this.join(st ?? v.st, v.v);
    if (!this.live) v.h = out;
    this.live ||= outer;
    return out;
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
  if (typeof diff === 'string' || typeof diff === 'number') return diff;
  if (!isObject(diff)) throw bad('a slot diff must be a string or an object');
  if (diff[K_STATICS] !== undefined) return full(diff, statics);
  if (cur === undefined || typeof cur !== 'object') throw bad('partial diff for a slot that holds no node');
  if (isList(cur)) (cur.n === undefined ? mergeList : mergeStream)(cur, diff, statics);
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
  const n = diff[K_STREAM];
  return typeof n === 'string' ? { st, keys: keys.slice(), items, n } : { st, keys: keys.slice(), items };
}

/**
 * Merges a stream's diff (D82; docs/protocol.md, "Streams"): removes the `d` keys, places each
 * `i` entry in order (`at` -1 appends; a key the list holds is replaced where it stands), then
 * trims to `l`. Shapes and entries are checked, and the new items built, before anything changes.
 */
function mergeStream(list: List, diff: WireNode, statics: StaticsCache): void {
  const { [K_INSERTS]: inserts = [], [K_REMOVED]: removed = [], [K_ENTRIES]: entries = {}, [K_LIMIT]: limit = 1e9 } = diff;
  const fresh = Array.isArray(inserts) && inserts.every(Array.isArray) && isKeys(removed) && isObject(entries) && Number.isInteger(limit) && inserts.map(([at, key]) => {
    const entry = Object.prototype.hasOwnProperty.call(entries, key) && entries[key];
    if (!isMove([at + 1, key]) || !isObject(entry)) throw bad('stream diff of the wrong shape');
    return [at, key, { v: fullSlots(list.st, entry, statics) }] as const;
  });
  if (!fresh) throw bad('stream diff of the wrong shape');
  list.h = undefined;
  const keys = list.keys.filter((key) => !removed.includes(key));
  for (const key of removed) list.items.delete(key);
  for (const [at, key, item] of fresh) {
    if (!list.items.has(key)) keys.splice(at < 0 ? keys.length : at, 0, key);
    list.items.set(key, item);
  }
  // Negative: keep the last -limit (from the other end of an append); positive: the first limit.
  for (const key of (limit as number) < 0 ? keys.splice(0, Math.max(0, keys.length + (limit as number))) : keys.splice(limit as number)) list.items.delete(key);
  list.keys = keys;
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
 * Merges a list diff (docs/protocol.md, "Diffs"). Everything is checked before the list changes:
 * the order members' shapes and fit (`reorder`), one place per key, a full entry for every key
 * new to the list (or removed and placed again), and entries only for keys the new order holds.
 * A diff that fails any of it raises RenderedError (the client rejoins) before the list's keys or
 * items change; so the order and the items always agree, and the tree always renders.
 */
function mergeList(list: List, diff: WireNode, statics: StaticsCache): void {
  const entries = diff[K_ENTRIES] ?? {};
  if (!isObject(entries)) throw bad('list diff of the wrong shape');
  const order = reorder(list.keys, diff);
  const next = order && new Set(order.keys);
  const stays = (key: string) => list.items.has(key) && !order?.gone.has(key);
  const added = new Map<string, Item>();
  if (order && next!.size < order.keys.length) throw bad('a key twice in the list order');
  for (const key of order?.keys ?? []) {
    // Own entries only: a key such as "constructor" must not find the prototype's.
    const entry = Object.prototype.hasOwnProperty.call(entries, key) && entries[key];
    if (stays(key)) continue;
    if (!isObject(entry)) throw bad(`inserted key "${key}" has no entry`);
    added.set(key, { v: fullSlots(list.st, entry, statics) });
  }
  for (const key in entries) {
    if (!added.has(key) && (!stays(key) || next?.has(key) === false || !isObject(entries[key]))) throw bad(`entry "${key}" fits no key of the list`);
  }
  list.h = undefined;
  if (order) {
    for (const key of list.keys) if (!next!.has(key)) list.items.delete(key);
    for (const [key, item] of added) list.items.set(key, item);
    list.keys = order.keys;
  }
  for (const key in entries) if (!added.has(key)) mergeSlots(list.items.get(key)!, entries[key] as WireNode, statics);
}

/**
 * The list's order after a diff, and the keys it removed (`gone`: they keep no item, even if
 * placed again), or undefined when the diff keeps the order. Pure, so a bad diff throws before
 * anything changes. `k` is the whole new order. Otherwise the removals — `d` by key or `r` by runs
 * over the old order, not both — go first, then the `m` keys are taken out and each is inserted
 * at its index, in the order given (ascending indexes: each lands at its final place). Keys
 * neither removed nor placed keep their relative order.
 */
export function reorder(keys: readonly string[], diff: WireNode): { keys: string[]; gone: Set<string> } | undefined {
  const has = (member: string) => diff[member] !== undefined;
  const whole = diff[K_KEYS];
  const removed = diff[K_REMOVED] ?? [];
  const runs = diff[K_RUNS] ?? [];
  const moved = diff[K_MOVED] ?? [];
  const gone = new Set<string>();
  if (whole !== undefined) {
    if (!isKeys(whole) || has(K_REMOVED) || has(K_RUNS) || has(K_MOVED)) throw bad('list diff of the wrong shape');
    return { keys: whole.slice(), gone };
  }
  if (!has(K_REMOVED) && !has(K_RUNS) && !has(K_MOVED)) return undefined;
  if (!isKeys(removed) || !isRuns(runs) || (has(K_REMOVED) && has(K_RUNS)) || !Array.isArray(moved) || !moved.every(isMove)) {
    throw bad('list diff of the wrong shape');
  }
  const out: string[] = [];
  let at = 0;
  runs.forEach((run, i) => {
    if (at + run > keys.length) throw bad('list diff past the end of the list');
    for (const end = at + run; at < end; at++) {
      if (i % 2) gone.add(keys[at]);
      else out.push(keys[at]);
    }
  });
  for (const key of removed) gone.add(key);
  for (; at < keys.length; at++) if (!gone.has(keys[at])) out.push(keys[at]);
  const placed = new Set(moved.map(([, key]) => key));
  const result = out.filter((k) => !placed.has(k));
  for (const [index, key] of moved) {
    if (index > result.length) throw bad('list diff past the end of the list');
    result.splice(index, 0, key);
  }
  return { keys: result, gone };
}
