/**
 * Change tracking for view state.
 *
 * The view sees a Proxy over its plain state object. A write marks the key changed. A read of an
 * object-valued key also marks it, because the handler may mutate it in place
 * (`this.state.items.push(x)`); a false positive only costs re-evaluating the slots that read
 * that key, whose unchanged output the diff then drops. Renders read the raw object, not the
 * proxy, so rendering never marks anything.
 */
import { LiveryError } from '../errors.ts';

export interface TrackedState<S extends object> {
  /** The object templates render from and the backend stores. */
  readonly raw: S;
  /** What the view writes through. */
  readonly proxy: S;
  /** Root keys touched since the last diff. */
  readonly changed: Set<string>;
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
  readonly value: unknown;
  /** The key was already marked (a change not yet diffed, e.g. held back by backpressure). */
  readonly marked: boolean;
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
  readonly changed: Set<string>;
  journaling = false;
  journal: Map<string, Before> | undefined = undefined;

  constructor(changed: Set<string>) {
    this.changed = changed;
  }

  get(target: object, key: string | symbol, receiver: unknown): unknown {
    const value = Reflect.get(target, key, receiver);
    // Only own keys: `__proto__` and friends are not state, to be neither diffed nor "restored".
    if (typeof key === 'string' && value !== null && typeof value === 'object' && Object.hasOwn(target, key)) {
      if (this.journaling && this.journal?.has(key) !== true) this.#record(key, true, copy(value));
      this.changed.add(key);
    }
    return value;
  }

  set(target: object, key: string | symbol, value: unknown): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.set(target, key, value);
  }

  deleteProperty(target: object, key: string | symbol): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.deleteProperty(target, key);
  }

  defineProperty(target: object, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (typeof key === 'string') this.#touch(target, key);
    return Reflect.defineProperty(target, key, descriptor);
  }

  #touch(target: object, key: string): void {
    if (this.journaling && this.journal?.has(key) !== true) {
      const had = Object.hasOwn(target, key);
      this.#record(key, had, had ? (target as Record<string, unknown>)[key] : undefined);
    }
    this.changed.add(key);
  }

  /** Records a key's value before its first touch (callers check it is the first). */
  #record(key: string, had: boolean, value: unknown): void {
    (this.journal ??= new Map()).set(key, { had, value, marked: this.changed.has(key) });
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
    this.#handler = new TrackingHandler(new Set());
    this.proxy = new Proxy(raw, this.#handler) as S;
  }

  get changed(): Set<string> {
    return this.#handler.changed;
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
        length += entryLength(key, Object.hasOwn(raw, key) ? raw[key] : undefined) - entryLength(key, before.had ? before.value : undefined);
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
      if (before.had) raw[key] = before.value;
      else delete raw[key];
      if (!before.marked) handler.changed.delete(key);
    }
    handler.journal = undefined;
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
 * Returns the path of the first offending value, or null.
 */
export function findNonPlainValue(value: unknown, path = 'state', seen = new Set<object>()): string | null {
  // undefined is allowed: JSON drops the key, and reading it back gives undefined again.
  if (value == null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (typeof value !== 'object') return path;
  if (seen.has(value)) return path;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonPlainValue(value[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return path;
    for (const key of Object.keys(value)) {
      const bad = findNonPlainValue((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
      if (bad) return bad;
    }
  }
  seen.delete(value);
  return null;
}
