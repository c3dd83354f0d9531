/** Sequence filters (dictsort, slice, make_list, …), each following its Django namesake. */
import type { FilterSpec } from './index.ts';
import { readProperty } from '../lookup.ts';
import { intArg } from './text.ts';
import { conditionalEscape, isPlainObject, plain, SafeString, toText } from '../values.ts';

/** The items of an iterable value as Python would iterate it (dicts: their keys), or undefined. */
export function iterate(value: unknown): unknown[] | undefined {
  const v = plain(value);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Set) return [...v];
  if (v instanceof Map) return [...v.keys()];
  if (isPlainObject(v)) return Object.keys(v);
  return undefined;
}

/** Python's comparison `a < b` for the types template data holds; throws where Python raises TypeError. */
function compare(a: unknown, b: unknown): number {
  const x = plain(a);
  const y = plain(b);
  const isNum = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (isNum(x) && isNum(y)) return Number(x) - Number(y);
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (x instanceof Date && y instanceof Date) return x.getTime() - y.getTime();
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new TypeError('not comparable');
}

const MISSING = Symbol('missing');

/** One step of Django's _property_resolver: an item (key or index), else an attribute; never a private name. */
function step(value: unknown, part: string | number): unknown {
  const v = plain(value);
  if (Array.isArray(v) || typeof v === 'string') {
    const i = typeof part === 'number' ? part : /^-?\d+$/.test(part) ? Number(part) : NaN;
    const seq = typeof v === 'string' ? Array.from(v) : v;
    const at = i < 0 ? seq.length + i : i;
    return Number.isInteger(at) && at >= 0 && at < seq.length ? seq[at] : MISSING;
  }
  if (v instanceof Map) return v.has(part) ? v.get(part) : v.has(String(part)) ? v.get(String(part)) : MISSING;
  if (typeof v === 'object' && v !== null) {
    // lookup.ts's rule: members of Object.prototype only when they are the object's own keys.
    const key = String(part);
    const value = readProperty(v, key);
    return value === undefined && !Object.hasOwn(v, key) ? MISSING : typeof value === 'function' ? MISSING : value;
  }
  return MISSING;
}

/** Django's _property_resolver: a number is an item index or key, text a dotted path (no `_` names). */
function resolver(arg: unknown): ((item: unknown) => unknown) | undefined {
  const a = plain(arg);
  if (typeof a === 'number') return (item) => step(item, a);
  const text = toText(a);
  if (text === '') return undefined;
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text)) return (item) => step(item, text);
  if (text.startsWith('_') || text.includes('._')) return undefined;
  const parts = text.split('.');
  return (item) => {
    let value = item;
    for (const part of parts) {
      value = step(value, part);
      if (value === MISSING) break;
    }
    return value;
  };
}

/** sorted(value, key=…, reverse=…), or '' where Django's would raise (then dictsort renders ''). */
function dictsort(value: unknown, arg: unknown, reverse: boolean): unknown {
  const items = iterate(value);
  const key = resolver(arg);
  if (items === undefined || key === undefined) return '';
  const keyed = items.map((item) => ({ item, key: key(item) }));
  if (keyed.some((k) => k.key === MISSING)) return '';
  try {
    // Python's reverse=True keeps equal items in their original order: negate, do not reverse.
    keyed.sort(reverse ? (a, b) => compare(b.key, a.key) : (a, b) => compare(a.key, b.key));
  } catch {
    return '';
  }
  return keyed.map((k) => k.item);
}

/** Python's slice(*bits) applied to a list or string; the value itself when the spec is invalid. */
function slice(value: unknown, arg: unknown): unknown {
  const bits = toText(arg).split(':');
  if (bits.length > 3) return value;
  const nums: (number | undefined)[] = [];
  for (const bit of bits) {
    if (bit === '') nums.push(undefined);
    else {
      const n = intArg(bit);
      if (n === undefined) return value;
      nums.push(n);
    }
  }
  const [start, stop, step_] = nums.length === 1 ? [undefined, nums[0], undefined] : nums;
  const v = plain(value);
  const seq = Array.isArray(v) ? v : typeof v === 'string' ? Array.from(v) : undefined;
  if (seq === undefined || step_ === 0) return value;
  const out = pySlice(seq, start, stop, step_ ?? 1);
  return typeof v === 'string' ? out.join('') : out;
}

function pySlice<T>(seq: readonly T[], start: number | undefined, stop: number | undefined, step_: number): T[] {
  const n = seq.length;
  const clamp = (i: number, lo: number, hi: number) => Math.min(Math.max(i < 0 ? i + n : i, lo), hi);
  const out: T[] = [];
  if (step_ > 0) {
    const from = start === undefined ? 0 : clamp(start, 0, n);
    const to = stop === undefined ? n : clamp(stop, 0, n);
    for (let i = from; i < to; i += step_) out.push(seq[i]);
  } else {
    const from = start === undefined ? n - 1 : clamp(start, -1, n - 1);
    const to = stop === undefined ? -1 : clamp(stop, -1, n - 1);
    for (let i = from; i > to; i += step_) out.push(seq[i]);
  }
  return out;
}

export const listFilters: Record<string, FilterSpec> = {
  dictsort: { arg: 'required', apply: (v, arg) => dictsort(v, arg, false) },
  dictsortreversed: { arg: 'required', apply: (v, arg) => dictsort(v, arg, true) },
  slice: { arg: 'required', isSafe: true, apply: slice },
  // Not stringInput: Django's list(str(value)) keeps the characters of a SafeString unmarked.
  make_list: { arg: 'none', apply: (v) => Array.from(toText(v)) },
  // Non-deterministic: a re-render may pick another item even when nothing changed (docs/templates.md).
  random: {
    arg: 'none',
    isSafe: true,
    apply: (v) => {
      const items = iterate(v);
      return items === undefined || items.length === 0 ? '' : items[Math.floor(Math.random() * items.length)];
    },
  },
  safeseq: {
    arg: 'none',
    isSafe: true,
    apply: (v) => iterate(v)?.map((item) => (item instanceof SafeString ? item : new SafeString(toText(item)))) ?? v,
  },
  escapeseq: { arg: 'none', isSafe: true, apply: (v) => iterate(v)?.map((item) => conditionalEscape(item)) ?? v },
};
