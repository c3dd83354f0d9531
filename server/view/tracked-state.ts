/**
 * Change tracking for view state.
 *
 * The view sees a Proxy over its plain state object. A write marks the key changed. A read of an
 * object-valued key also marks it, because the handler may mutate it in place
 * (`this.state.items.push(x)`); a false positive only costs re-evaluating the slots that read
 * that key, whose unchanged output the diff then drops. Renders read the raw object, not the
 * proxy, so rendering never marks anything.
 *
 * An array at a root key is tracked one level deeper (D61): `this.state.rows` is a proxy over
 * the array, so `this.state.rows[7].done = true` marks element 7 of `rows` and not the whole
 * list, and a loop over `rows` re-renders one item. Any write to the array itself (push, splice,
 * sort, an index set) marks the whole key, as before.
 */
import { LiveryError } from '../errors.ts';

export interface TrackedState<S extends object> {
  /** The object templates render from and the backend stores. */
  readonly raw: S;
  /** What the view writes through. */
  readonly proxy: S;
  /** Root keys touched since the last diff (read it; mark through {@link TrackedState.mark}). */
  readonly changed: ReadonlySet<string> & { clear(): void };
  /**
   * For a key in `changed` whose value is an array touched only element by element since the
   * last diff: the indexes of the elements that may have changed (read as objects, so possibly
   * mutated in place). A changed key without an entry changed as a whole. (D61)
   */
  readonly changedItems: ReadonlyMap<string, ReadonlySet<number>> | undefined;
  /** Marks a name changed that is not a state key (the template's `errors`). */
  mark(name: string): void;
  /** The diff has taken the changes: forget them. */
  clearChanges(): void;
  /** Starts recording each root key's value before its first touch (a handler is about to run). */
  begin(): void;
  /**
   * The handler succeeded: forget the recorded values — unless its changes would make the
   * serialized state longer than `maxBytes`. Then it throws LV_STATE_OVER_LIMIT and keeps the
   * record, so the caller's `rollback` restores the last good state (which stays saveable).
   */
  commit(maxBytes?: number): void;
  /**
   * Throws LV_STATE_OVER_LIMIT like `commit` would, but leaves the record open: the caller may
   * still `rollback` (a write-through store refused the change) or `commit()` it afterwards.
   */
  check(maxBytes: number): void;
  /**
   * The handler threw: put every touched key back as it was before `begin`, and unmark the keys
   * that were not already waiting to be diffed, so the rolled-back changes send nothing.
   */
  rollback(): void;
}

/** A root key's value before the running handler first touched it. */
interface Before {
  readonly had: boolean;
  /** The value itself (it was replaced), a deep copy (an object read), or the array (`array`). */
  readonly value: unknown;
  /** The key was already marked (a change not yet diffed, e.g. held back by backpressure). */
  readonly marked: boolean;
  /** When the first touch read an array: what the handler did to it, to undo in place. */
  readonly array?: ArrayJournal;
}

/**
 * What a handler did to an array reached through its proxy, recorded on first touch so it can
 * be undone without copying the whole array: each element read as an object is copied once
 * (`elements`, by identity, restored in place wherever it now is), and the first write to the
 * array itself keeps its elements' order (`order`, one shallow slice).
 */
class ArrayJournal {
  elements: Map<object, unknown> | undefined = undefined;
  order: unknown[] | undefined = undefined;

  element(element: object): void {
    const elements = (this.elements ??= new Map());
    if (!elements.has(element)) elements.set(element, copy(element));
  }

  write(array: readonly unknown[]): void {
    this.order ??= array.slice();
  }

  restore(array: unknown[]): void {
    for (const [element, before] of this.elements ?? []) restoreInPlace(element, before);
    const order = this.order;
    if (order === undefined) return;
    array.length = order.length;
    for (let i = 0; i < order.length; i++) array[i] = order[i];
  }

  /** The array as it was before the handler (a reconstruction: for measuring, not for keeping). */
  before(array: readonly unknown[]): readonly unknown[] {
    const base = this.order ?? array;
    const elements = this.elements;
    if (elements === undefined) return base;
    return base.map((e) => (typeof e === 'object' && e !== null && elements.has(e) ? elements.get(e) : e));
  }

  /**
   * How much longer the array's JSON got, when only its elements changed in place: the sum of
   * each touched element's change (each element is assumed to appear once, as in JSON data).
   */
  delta(): number {
    let delta = 0;
    for (const [element, before] of this.elements ?? []) delta += jsonLength(element) - jsonLength(before);
    return delta;
  }
}

function jsonLength(value: unknown): number {
  return (JSON.stringify(value) as string | undefined)?.length ?? 4; // an array writes undefined as null
}

/** Puts a touched element's contents back, keeping its identity (it may sit anywhere by now). */
function restoreInPlace(target: object, before: unknown): void {
  if (before === null || typeof before !== 'object') return;
  if (Array.isArray(target)) {
    if (!Array.isArray(before)) return;
    target.length = before.length;
    for (let i = 0; i < before.length; i++) target[i] = before[i];
    return;
  }
  const proto = Object.getPrototypeOf(target);
  // Not plain data (a Date, a Map): invalid state, refused at the next save; nothing to restore into.
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(before)) return;
  const record = target as Record<string, unknown>;
  const keys = Object.keys(record);
  const wanted = Object.keys(before);
  // Same keys in the same order (the usual case: values changed): assign, keeping the object's
  // shape. Otherwise empty it first, so the keys come back in their old order (JSON is exact).
  if (keys.length !== wanted.length || keys.some((key, i) => key !== wanted[i])) for (const key of keys) delete record[key];
  Object.assign(record, before);
}

/** `"7"` → 7; anything that is not an array index → -1. */
function arrayIndex(key: string): number {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 4294967295 && String(n) === key ? n : -1;
}

/** What an array proxy answers with its array, so storing one back into the state stores the array itself. */
const TARGET = Symbol('tracked array');

function unwrap(value: unknown): unknown {
  return Array.isArray(value) ? ((value as { [TARGET]?: unknown[] })[TARGET] ?? value) : value;
}

/**
 * The proxy over one array at a root key. A read of an element that is an object marks that
 * element (the handler may mutate it in place) and journals it; a write to the array marks the
 * whole key. Reads of primitives, `length` and methods mark nothing: a method that changes the
 * array does it through `set`/`deleteProperty` on this proxy.
 */
class ArrayHandler implements ProxyHandler<unknown[]> {
  readonly owner: TrackingHandler;
  readonly key: string;
  readonly target: unknown[];
  readonly proxy: unknown[];

  constructor(owner: TrackingHandler, key: string, target: unknown[]) {
    this.owner = owner;
    this.key = key;
    this.target = target;
    this.proxy = new Proxy(target, this);
  }

  get(target: unknown[], key: string | symbol, receiver: unknown): unknown {
    if (key === TARGET) return target;
    const value = Reflect.get(target, key, receiver);
    // (A proxy kept past its array's replacement is no longer state: it marks nothing.)
    if (typeof key === 'string' && value !== null && typeof value === 'object' && Object.hasOwn(target, key) && this.owner.raw[this.key] === target) {
      const index = arrayIndex(key);
      const journal = this.owner.arrayJournal(this.key, target);
      journal?.element(value);
      if (index >= 0) {
        this.owner.markItem(this.key, index);
      } else {
        // An object under a non-index name: JSON drops it, but be exact about the rest.
        journal?.write(target);
        this.owner.markWhole(this.key);
      }
    }
    return value;
  }

  set(target: unknown[], key: string | symbol, value: unknown): boolean {
    this.#write(target);
    return Reflect.set(target, key, unwrap(value));
  }

  deleteProperty(target: unknown[], key: string | symbol): boolean {
    this.#write(target);
    return Reflect.deleteProperty(target, key);
  }

  defineProperty(target: unknown[], key: string | symbol, descriptor: PropertyDescriptor): boolean {
    this.#write(target);
    return Reflect.defineProperty(target, key, 'value' in descriptor ? { ...descriptor, value: unwrap(descriptor.value) } : descriptor);
  }

  #write(target: unknown[]): void {
    if (this.owner.raw[this.key] !== target) return;
    this.owner.arrayJournal(this.key, target)?.write(target);
    this.owner.markWhole(this.key);
  }
}

/**
 * The Proxy handler: a class, so its traps live once on the prototype and each view pays for one
 * small object holding its `changed` set, not four closures (idle-session memory counts).
 *
 * While a handler runs (`journaling`), the first touch of each root key records its value, so a
 * handler that throws can be undone exactly (D18). Copy-on-first-touch keeps this off the hot
 * path: a write records the old value by reference (it is replaced, not mutated); only a read of
 * an object-valued key — the handler may mutate it in place — pays a deep copy, once per event.
 * The journal map itself is allocated on the first record, so an idle view holds none.
 */
class TrackingHandler implements ProxyHandler<object> {
  readonly raw: Record<string, unknown>;
  /**
   * NO_CHANGES (shared, never added to) while nothing is marked: an idle view holds no Set of
   * its own, ~150 bytes (D68). The first mark after a diff allocates one.
   */
  changed: Set<string> = NO_CHANGES;
  /** Tracker.changedItems; allocated on the first element-wise change. */
  items: Map<string, Set<number>> | undefined = undefined;
  journaling = false;
  journal: Map<string, Before> | undefined = undefined;
  /**
   * The proxy of each root array handed out while a handler runs, by key: one identity per array
   * within the handler. Dropped when it ends (an idle view holds none); a key's entry also goes
   * when the key is written (it would keep the old array alive).
   */
  arrays: Map<string, ArrayHandler> | undefined = undefined;

  constructor(raw: object) {
    this.raw = raw as Record<string, unknown>;
  }

  get(target: object, key: string | symbol, receiver: unknown): unknown {
    const value = Reflect.get(target, key, receiver);
    // Only own keys: `__proto__` and friends are not state, to be neither diffed nor "restored".
    if (typeof key === 'string' && value !== null && typeof value === 'object' && Object.hasOwn(target, key)) {
      if (Array.isArray(value)) return this.#arrayProxy(key, value);
      if (this.journaling && this.journal?.has(key) !== true) this.#record(key, true, copy(value));
      this.markWhole(key);
    }
    return value;
  }

  set(target: object, key: string | symbol, value: unknown): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.set(target, key, unwrap(value));
  }

  deleteProperty(target: object, key: string | symbol): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.deleteProperty(target, key);
  }

  defineProperty(target: object, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.defineProperty(target, key, 'value' in descriptor ? { ...descriptor, value: unwrap(descriptor.value) } : descriptor);
  }

  markWhole(key: string): void {
    this.#changes().add(key);
    this.items?.delete(key);
  }

  #changes(): Set<string> {
    return this.changed === NO_CHANGES ? (this.changed = new Set()) : this.changed;
  }

  /** Element `index` of the array at `key` may have changed in place. */
  markItem(key: string, index: number): void {
    if (!this.changed.has(key)) {
      this.#changes().add(key);
      (this.items ??= new Map()).set(key, new Set([index]));
    } else {
      this.items?.get(key)?.add(index);
    }
  }

  /**
   * The journal of the array at `key` while a handler runs, recording the key's first touch if
   * this is it; undefined when nothing needs undoing (no handler, or the key's value was
   * replaced first: then the rollback puts the old value back and this array does not matter).
   */
  arrayJournal(key: string, array: unknown[]): ArrayJournal | undefined {
    if (!this.journaling) return undefined;
    let before = this.journal?.get(key);
    if (before === undefined) {
      if (this.raw[key] !== array) return undefined; // a proxy kept from an earlier handler, no longer state
      before = this.#record(key, true, array, new ArrayJournal());
    }
    return before.value === array ? before.array : undefined;
  }

  #arrayProxy(key: string, array: unknown[]): unknown[] {
    if (this.journaling && this.journal?.has(key) !== true) this.#record(key, true, array, new ArrayJournal());
    let handler = this.arrays?.get(key);
    if (handler === undefined || handler.target !== array) {
      handler = new ArrayHandler(this, key, array);
      (this.arrays ??= new Map()).set(key, handler);
    }
    return handler.proxy;
  }

  #touch(target: object, key: string): void {
    this.arrays?.delete(key);
    if (this.journaling && this.journal?.has(key) !== true) {
      const had = Object.hasOwn(target, key);
      this.#record(key, had, had ? (target as Record<string, unknown>)[key] : undefined);
    }
    this.markWhole(key);
  }

  /** Records a key's value before its first touch (callers check it is the first). */
  #record(key: string, had: boolean, value: unknown, array?: ArrayJournal): Before {
    const before: Before = { had, value, marked: this.changed.has(key), array };
    (this.journal ??= new Map()).set(key, before);
    return before;
  }
}

/**
 * A deep copy of a state value. State is plain JSON data, so a hand-written walk is exact and
 * several times faster than structuredClone or a JSON round trip (D18 has the numbers).
 */
function copy(value: object): unknown {
  try {
    return copyPlain(value);
  } catch {
    // A cycle (stack overflow): invalid state, refused at the next save anyway. Keep the
    // reference, so a rollback at least restores the key's identity.
    return value;
  }
}

function copyPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  // Not plain data (a Date, a Map): invalid state, but copy it faithfully if the platform can.
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * What a root key adds to the state's JSON text: `"key":value,` (0 when JSON drops it). The sum
 * over all keys plus one (the braces, minus the last comma) is exactly `JSON.stringify(state).length`.
 */
function entryLength(key: string, value: unknown): number {
  // A finite number's JSON is its string (the common case: a counter, a last-seen id), which
  // spares a JSON.stringify per touched key on every event and every broadcast recipient.
  const json = typeof value === 'number' && Number.isFinite(value) ? String(value) : value === undefined ? undefined : (JSON.stringify(value) as string | undefined);
  return json === undefined ? 0 : JSON.stringify(key).length + json.length + 2;
}

/** The `changed` of every view with nothing marked: always empty (only `#changes` adds, to a view's own Set). */
const NO_CHANGES: Set<string> = new Set();

class Tracker<S extends object> implements TrackedState<S> {
  readonly raw: S;
  readonly proxy: S;
  readonly #handler: TrackingHandler;
  /**
   * The serialized length of the last committed state, measured once in full on the first
   * bounded commit and then kept up to date from the touched keys alone: an event that changes
   * a counter re-serializes the counter, not the whole state.
   */
  #length: number | undefined = undefined;

  constructor(raw: S) {
    this.raw = raw;
    this.#handler = new TrackingHandler(raw);
    this.proxy = new Proxy(raw, this.#handler) as S;
  }

  get changed(): ReadonlySet<string> & { clear(): void } {
    return this.#handler.changed;
  }

  mark(name: string): void {
    this.#handler.markWhole(name);
  }

  get changedItems(): ReadonlyMap<string, ReadonlySet<number>> | undefined {
    return this.#handler.items;
  }

  clearChanges(): void {
    this.#handler.changed = NO_CHANGES;
    this.#handler.items = undefined;
  }

  begin(): void {
    this.#handler.journaling = true;
    this.#handler.journal = undefined;
  }

  /** The length `check` measured, kept by the `commit` that follows it. */
  #checked: number | undefined = undefined;

  commit(maxBytes?: number): void {
    if (maxBytes !== undefined) this.check(maxBytes);
    if (this.#checked !== undefined) this.#length = this.#checked;
    this.#checked = undefined;
    this.#handler.journaling = false;
    this.#handler.journal = undefined;
    this.#handler.arrays = undefined;
  }

  check(maxBytes: number): void {
    const length = this.#measure();
    if (length > maxBytes) {
      throw new LiveryError('LV_STATE_OVER_LIMIT', `the change would make the state ${length} bytes > state.maxBytes (${maxBytes})`);
    }
    this.#checked = length;
  }

  /** The serialized length of the state as the running handler left it. */
  #measure(): number {
    const raw = this.raw as Record<string, unknown>;
    const journal = this.#handler.journal;
    try {
      if (this.#length === undefined) return JSON.stringify(raw).length;
      if (journal === undefined) return this.#length;
      let length = this.#length;
      for (const [key, before] of journal) {
        const now = Object.hasOwn(raw, key) ? raw[key] : undefined;
        const array = before.array;
        if (array !== undefined && array.order === undefined && now === before.value) {
          length += array.delta(); // only elements changed, in place: no need to serialize the list
          continue;
        }
        const was = array !== undefined ? array.before(before.value as unknown[]) : before.value;
        length += entryLength(key, now) - entryLength(key, before.had ? was : undefined);
      }
      return length;
    } catch (error) {
      // A cycle or a BigInt: the state could never be saved; refuse the change that made it so.
      throw new LiveryError('LV_STATE_INVALID', error instanceof Error ? error.message : String(error));
    }
  }

  rollback(): void {
    this.#checked = undefined;
    const handler = this.#handler;
    handler.journaling = false;
    const raw = this.raw as Record<string, unknown>;
    for (const [key, before] of handler.journal ?? []) {
      before.array?.restore(before.value as unknown[]);
      if (before.had) raw[key] = before.value;
      else delete raw[key];
      if (!before.marked) {
        handler.changed.delete(key);
        handler.items?.delete(key);
      }
    }
    handler.journal = undefined;
    handler.arrays = undefined;
  }
}

export function trackState<S extends object>(raw: S): TrackedState<S> {
  return new Tracker(raw);
}

/**
 * The state as the backend stores it: plain JSON data (see `findNonPlainValue`) within
 * `state.maxBytes`. Every save goes through here — the first paint's and the live view's alike.
 */
export function serializeState(viewName: string, state: object, maxBytes: number): string {
  const bad = findNonPlainValue(state);
  if (bad !== null) throw new LiveryError('LV_STATE_INVALID', `${viewName}: ${bad}`);
  const json = JSON.stringify(state);
  if (json.length > maxBytes) throw new LiveryError('LV_STATE_OVER_LIMIT', `${viewName}: ${json.length} bytes > state.maxBytes (${maxBytes})`);
  return json;
}

/**
 * Checks that state is plain JSON data before it is stored, so a Date or class instance fails
 * loudly at the first save instead of silently coming back as something else after a reconnect.
 * Returns the path of the first offending value, or null. Every write-through save runs this, so
 * the walk allocates nothing for plain data: the path is spelled out only for a value it refuses.
 */
export function findNonPlainValue(value: unknown, path = 'state'): string | null {
  const trail: string[] = [];
  return plain(value, [], trail) ? null : path + trail.reverse().join('');
}

/** False when `value` (or something in it) is not plain data; `trail` then gets its path, innermost first. */
function plain(value: unknown, ancestors: object[], trail: string[]): boolean {
  // undefined is allowed: JSON drops the key, and reading it back gives undefined again.
  if (value == null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (ancestors.includes(value)) return false; // a cycle (an object shared elsewhere is fine)
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (plain(value[i], ancestors, trail)) continue;
      trail.push(`[${i}]`);
      return false;
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const key in value) {
      if (!Object.hasOwn(value, key) || plain((value as Record<string, unknown>)[key], ancestors, trail)) continue;
      trail.push(`.${key}`);
      return false;
    }
  }
  ancestors.pop();
  return true;
}
