/**
 * Number filters. `floatformat` reproduces Django's Decimal arithmetic on the shortest decimal
 * form of the number (what Python's repr and JS's String agree on), with ROUND_HALF_UP, so
 * 18.125|floatformat:2 is "18.13" as in Django, not "18.12" as toFixed would say.
 */
import type { FilterSpec } from './index.ts';
import { intArg } from './text.ts';
import { plain, pyLen, SafeString, toText } from '../values.ts';

/** A decimal as Python's Decimal.as_tuple(): sign, digit string without leading zeros, exponent. */
interface Decimal {
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

const DECIMAL_RE = /^\s*([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?\s*$/;

function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_RE.exec(text.replace(/(\d)_(?=\d)/g, '$1'));
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fraction = m[3] ?? m[4] ?? '';
  const digits = (intPart + fraction).replace(/^0+(?=\d)/, '');
  return { negative: m[1] === '-', digits, exponent: Number(m[5] ?? 0) - fraction.length };
}

function toDecimal(value: unknown): Decimal | undefined {
  const v = plain(value);
  if (typeof v === 'number') return Number.isFinite(v) ? parseDecimal(String(v)) : undefined;
  if (typeof v === 'boolean') return parseDecimal(v ? '1' : '0');
  if (typeof v === 'string') return parseDecimal(v);
  return undefined;
}

function isIntegral(d: Decimal): boolean {
  return d.exponent >= 0 || /^0*$/.test(d.digits.slice(d.exponent));
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') chars[i--] = '0';
  if (i < 0) return `1${chars.join('')}`;
  chars[i] = String(Number(chars[i]) + 1);
  return chars.join('');
}

/** Decimal.quantize(10**-places, ROUND_HALF_UP), as a digit string with exactly `places` decimals. */
function quantize(d: Decimal, places: number): string {
  const target = -places;
  if (d.exponent >= target) return d.digits + '0'.repeat(d.exponent - target);
  const drop = target - d.exponent;
  const keep = d.digits.length - drop;
  const kept = keep > 0 ? d.digits.slice(0, keep) : '0';
  const firstDropped = keep >= 0 ? d.digits.charCodeAt(keep) - 48 : 0;
  return firstDropped >= 5 ? incrementDigits(kept) : kept;
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Bounds on what floatformat writes out. Both the value (`"1e400000000"` from user input) and the
 * places (`floatformat:precision` from data) may come from a visitor, and each would otherwise be
 * written digit by digit — half a gigabyte of zeros, then a RangeError. Past either bound the
 * value renders as it is, like a value floatformat cannot read.
 */
const MAX_PLACES = 100;
const MAX_DIGITS = 1000;

function floatformat(value: unknown, arg: unknown): unknown {
  let grouping = false;
  let places: unknown = arg ?? -1;
  if (typeof places === 'string' || places instanceof SafeString) {
    let s = toText(places);
    if (s.endsWith('gu') || s.endsWith('ug')) (grouping = true), (s = s.slice(0, -2));
    else if (s.endsWith('g')) (grouping = true), (s = s.slice(0, -1));
    else if (s.endsWith('u')) s = s.slice(0, -1);
    places = s === '' ? -1 : s;
  }
  const d = toDecimal(value);
  if (d === undefined) return '';
  const p = intArg(places);
  if (p === undefined) return toText(value);
  if (Math.abs(p) > MAX_PLACES || d.digits.length + Math.abs(d.exponent) > MAX_DIGITS) return toText(value);
  if (p <= 0 && isIntegral(d)) {
    const intDigits = d.exponent >= 0 ? d.digits + '0'.repeat(d.exponent) : d.digits.slice(0, d.exponent) || '0';
    const int = intDigits.replace(/^0+(?=\d)/, '');
    const text = grouping ? group(int) : int;
    return d.negative && int !== '0' ? `-${text}` : text;
  }
  const places_ = Math.abs(p);
  const digits = quantize(d, places_).padStart(places_ + 1, '0');
  const intPart = digits.slice(0, digits.length - places_).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(digits.length - places_);
  const number = (grouping ? group(intPart) : intPart) + (places_ > 0 ? `.${fraction}` : '');
  return new SafeString(d.negative && /[1-9]/.test(digits) ? `-${number}` : number);
}

/** Python's `float()` of a value, or which error Python would raise. */
function pyFloat(value: unknown): number | 'value-error' | 'type-error' {
  const v = plain(value);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return 'type-error';
  const d = parseDecimal(v);
  return d === undefined ? 'value-error' : Number(v.trim().replace(/_/g, ''));
}

function pyAdd(a: unknown, b: unknown): unknown {
  const x = plain(a);
  const y = plain(b);
  if (typeof x === 'string' && typeof y === 'string') return x + y;
  if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
  const isNum = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (isNum(x) && isNum(y)) return Number(x) + Number(y);
  return '';
}

export const numberFilters: Record<string, FilterSpec> = {
  floatformat: { arg: 'optional', isSafe: true, apply: floatformat },
  add: {
    arg: 'required',
    apply: (v, arg) => {
      const a = intArg(v);
      const b = intArg(arg);
      return a !== undefined && b !== undefined ? a + b : pyAdd(v, arg);
    },
  },
  divisibleby: {
    arg: 'required',
    apply: (v, arg) => {
      const a = intArg(v);
      const b = intArg(arg);
      return a !== undefined && b !== undefined && b !== 0 && a % b === 0;
    },
  },
  pluralize: {
    arg: 'optional',
    apply: (v, arg) => {
      const spec = arg === undefined ? 's' : toText(arg);
      const bits = (spec.includes(',') ? spec : `,${spec}`).split(',');
      if (bits.length > 2) return '';
      const [singular, plural] = bits;
      const n = pyFloat(v);
      if (typeof n === 'number') return n === 1 ? singular : plural;
      if (n === 'value-error') return '';
      const len = pyLen(v);
      return len === undefined ? '' : len === 1 ? singular : plural;
    },
  },
  get_digit: {
    arg: 'required',
    apply: (v, arg) => {
      const digit = intArg(arg);
      const n = intArg(v);
      if (digit === undefined || n === undefined || digit < 1) return v;
      const text = String(n);
      return digit > text.length ? 0 : Number(text[text.length - digit]);
    },
  },
};
