/**
 * Change tracking for view state.
 *
 * The view sees a Proxy over its plain state object. A write marks the key changed. A read of an
 * object-valued key also marks it, because the handler may mutate it in place
 * (`this.state.items.push(x)`); a false positive only costs re-evaluating the slots that read
 * that key, whose unchanged output the diff then drops. Renders read the raw object, not the
 * proxy, so rendering never marks anything.
 */

export interface TrackedState<S extends object> {
  /** The object templates render from and the backend stores. */
  readonly raw: S;
  /** What the view writes through. */
  readonly proxy: S;
  /** Root keys touched since the last `take()`. */
  readonly changed: Set<string>;
}

/**
 * The Proxy handler: a class, so its traps live once on the prototype and each view pays for one
 * small object holding its `changed` set, not four closures (idle-session memory counts).
 */
class TrackingHandler implements ProxyHandler<object> {
  readonly changed: Set<string>;

  constructor(changed: Set<string>) {
    this.changed = changed;
  }

  get(target: object, key: string | symbol, receiver: unknown): unknown {
    const value = Reflect.get(target, key, receiver);
    if (typeof key === 'string' && value !== null && typeof value === 'object') this.changed.add(key);
    return value;
  }

  set(target: object, key: string | symbol, value: unknown): boolean {
    if (typeof key === 'string') this.changed.add(key);
    return Reflect.set(target, key, value);
  }

  deleteProperty(target: object, key: string | symbol): boolean {
    if (typeof key === 'string') this.changed.add(key);
    return Reflect.deleteProperty(target, key);
  }

  defineProperty(target: object, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (typeof key === 'string') this.changed.add(key);
    return Reflect.defineProperty(target, key, descriptor);
  }
}

export function trackState<S extends object>(raw: S): TrackedState<S> {
  const changed = new Set<string>();
  return { raw, proxy: new Proxy(raw, new TrackingHandler(changed)) as S, changed };
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
