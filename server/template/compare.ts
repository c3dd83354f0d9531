/**
 * Python's comparison operators for `{% if %}`. Where Python raises TypeError (`1 < "a"`,
 * `1 in None`) these return undefined and the if-operator turns that into False, as Django does.
 */
import { isPlainObject, plain } from './values.ts';

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

export function pyEq(a: unknown, b: unknown): boolean {
  a = plain(a);
  b = plain(b);
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return false;
}

/** Python `is`: identity; null and undefined are both None. */
export function pyIs(a: unknown, b: unknown): boolean {
  return a === b || (a == null && b == null);
}

/** Python ordering: negative, zero or positive; undefined when Python would raise TypeError. */
export function pyCompare(a: unknown, b: unknown): number | undefined {
  a = plain(a);
  b = plain(b);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : na === nb ? 0 : undefined;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (pyEq(a[i], b[i])) continue;
      return pyCompare(a[i], b[i]);
    }
    return a.length - b.length;
  }
  return undefined;
}

/** Python `x in y`; undefined when `y` is not a container (TypeError). */
export function pyIn(x: unknown, y: unknown): boolean | undefined {
  x = plain(x);
  y = plain(y);
  if (typeof y === 'string') return typeof x === 'string' ? y.includes(x) : undefined;
  if (Array.isArray(y)) return y.some((item) => pyEq(item, x));
  if (y instanceof Set) return y.has(x) || [...y].some((item) => pyEq(item, x));
  if (y instanceof Map) return y.has(x);
  if (isPlainObject(y)) return (typeof x === 'string' || typeof x === 'number') && Object.hasOwn(y, String(x));
  return undefined;
}
