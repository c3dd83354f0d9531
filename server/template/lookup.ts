/**
 * Dot lookups (`tenant.name`, `items.0`, `row.items`), in Django's order: key, attribute, index.
 *
 * Safety rules: names starting with `_` are refused at compile time; members of
 * Object.prototype (`constructor`, `toString`, …) are never read unless the object has them as
 * its own keys; functions are never called (they resolve to nothing — use a getter instead).
 */
import { isPlainObject, SafeString } from './values.ts';

export function readProperty(obj: object, key: string): unknown {
  if (Object.hasOwn(obj, key)) return (obj as Record<string, unknown>)[key];
  if (key in Object.prototype) return undefined;
  return (obj as Record<string, unknown>)[key];
}

/** `dict.items` / `.keys` / `.values` on plain objects and Maps, like Python's dict views. */
function dictView(obj: Record<string, unknown> | Map<unknown, unknown>, bit: string): unknown {
  if (obj instanceof Map) {
    if (bit === 'items') return [...obj.entries()];
    if (bit === 'keys') return [...obj.keys()];
    if (bit === 'values') return [...obj.values()];
    return undefined;
  }
  if (bit === 'items') return Object.entries(obj);
  if (bit === 'keys') return Object.keys(obj);
  if (bit === 'values') return Object.values(obj);
  return undefined;
}

/**
 * One step of a lookup. `index` is the bit as a non-negative integer, or -1 when the bit is not
 * one; it is computed once at compile time so the hot path does no parsing.
 */
export function lookupBit(current: unknown, bit: string, index: number): unknown {
  if (typeof current === 'string') {
    if (index >= 0) return current[index];
    return bit === 'length' ? current.length : undefined;
  }
  if (typeof current !== 'object' || current === null) return undefined;
  if (Array.isArray(current)) {
    if (index >= 0) return current[index];
    return bit === 'length' ? current.length : undefined;
  }
  if (current instanceof SafeString) return lookupBit(current.value, bit, index);
  if (current instanceof Map) {
    if (current.has(bit)) return current.get(bit);
    if (index >= 0 && current.has(index)) return current.get(index);
    return dictView(current, bit);
  }
  const value = readProperty(current, bit);
  if (value === undefined && isPlainObject(current)) return dictView(current, bit);
  return typeof value === 'function' ? undefined : value;
}
