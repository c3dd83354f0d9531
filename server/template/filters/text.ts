/** String and sequence filters, each following its Django namesake (defaultfilters.py). */
import type { FilterSpec } from './index.ts';
import { conditionalEscape, escapeHtml, isPlainObject, plain, pyLen, SafeString, toText, truthy } from '../values.ts';

const COMBINING = /\p{M}/u;

/** Python's `int()` of a filter argument, or undefined where Python raises ValueError. */
export function intArg(arg: unknown): number | undefined {
  const v = plain(arg);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ''));
  return undefined;
}

function truncateChars(text: string, length: number): string {
  if (length <= 0) return '';
  const chars = Array.from(text.normalize('NFC'));
  const truncateLen = length - 1; // room for the one-character ellipsis
  let seen = 0;
  let end = -1;
  for (let i = 0; i < chars.length; i++) {
    if (COMBINING.test(chars[i])) continue;
    seen++;
    if (end < 0 && seen > truncateLen) end = i;
    if (seen > length) return `${chars.slice(0, Math.max(end, 0)).join('')}…`;
  }
  return text.normalize('NFC');
}

function truncateWords(text: string, length: number): string {
  if (length <= 0) return '';
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length <= length) return words.join(' ');
  const kept = words.slice(0, length).join(' ');
  return kept.endsWith(' …') ? kept : `${kept} …`;
}

/** Python's str.title(): a cased letter after a non-cased character starts a word. */
function pyTitle(s: string): string {
  let out = '';
  let previousCased = false;
  for (const c of s) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    const cased = lower !== upper;
    out += cased ? (previousCased ? lower : upper) : c;
    previousCased = cased;
  }
  return out;
}

function sequence(value: unknown): unknown[] | undefined {
  const v = plain(value);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Set || v instanceof Map) return [...(v instanceof Map ? v.keys() : v)];
  if (isPlainObject(v)) return Object.keys(v);
  return undefined;
}

function urlQuote(s: string, safe: string): string {
  const quoted = encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (safe === '') return quoted;
  return quoted.replace(/%[0-9A-F]{2}/g, (hex) => {
    const c = String.fromCharCode(parseInt(hex.slice(1), 16));
    return safe.includes(c) ? c : hex;
  });
}

/**
 * Widths a padding filter writes out, at most. The width may come from data (`ljust:width`), and
 * a billion spaces would take the process's memory before failing; past it the value renders as
 * it is (like floatformat's bounds).
 */
export const MAX_PAD = 10_000;

/** Python's str.center/ljust/rjust: pads with spaces to `width` code points. */
function pad(text: string, width: number, how: 'center' | 'left' | 'right'): string {
  const margin = width - Array.from(text).length;
  if (margin <= 0 || width > MAX_PAD) return text;
  // CPython's centering rule: the odd space goes left when the width is odd.
  const left = how === 'right' ? margin : how === 'left' ? 0 : Math.floor(margin / 2) + (margin & width & 1);
  return ' '.repeat(left) + text + ' '.repeat(margin - left);
}

function padFilter(how: 'center' | 'left' | 'right'): FilterSpec {
  return {
    arg: 'required',
    isSafe: true,
    stringInput: true,
    apply: (v, arg) => {
      const width = intArg(arg);
      return width === undefined ? v : pad(v as string, width, how);
    },
  };
}

/** django.utils.text.wrap: breaks lines at spaces so none is longer than `width`, keeping long words whole. */
function wrap(text: string, width: number): string {
  let out = '';
  for (let line of text.split(/(?<=\n)/)) {
    while (line.length > width) {
      let space = line.slice(0, width + 1).lastIndexOf(' ') + 1;
      if (space === 0) space = line.indexOf(' ') + 1;
      if (space === 0) break;
      out += `${line.slice(0, space - 1)}\n`;
      line = line.slice(space);
    }
    out += line;
  }
  return out;
}

/** Python's str.split() with no argument: words between runs of whitespace. */
export function pySplit(text: string): string[] {
  return text.split(/[\s\u001c-\u001f\u0085]+/u).filter((w) => w !== '');
}

function slugify(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  return ascii
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/[-\s]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

const PHONE: Record<string, string> = {};
for (const [digit, letters] of Object.entries({ 2: 'abc', 3: 'def', 4: 'ghi', 5: 'jkl', 6: 'mno', 7: 'pqrs', 8: 'tuv', 9: 'wxyz' })) {
  for (const c of letters) PHONE[c] = digit;
}

export const textFilters: Record<string, FilterSpec> = {
  default: { arg: 'required', apply: (v, arg) => (truthy(v) ? v : arg) },
  default_if_none: { arg: 'required', apply: (v, arg) => (v == null ? arg : v) },
  escape: { arg: 'none', isSafe: true, apply: (v) => conditionalEscape(v) },
  force_escape: { arg: 'none', isSafe: true, apply: (v) => new SafeString(escapeHtml(toText(v))) },
  safe: { arg: 'none', isSafe: true, apply: (v) => (v instanceof SafeString ? v : new SafeString(toText(v))) },
  // Not isSafe, as in Django: upper-casing would turn entities (&amp;) into invalid ones.
  upper: { arg: 'none', stringInput: true, apply: (v) => (v as string).toUpperCase() },
  lower: { arg: 'none', isSafe: true, stringInput: true, apply: (v) => (v as string).toLowerCase() },
  capfirst: {
    arg: 'none',
    isSafe: true,
    stringInput: true,
    apply: (v) => {
      const s = v as string;
      return s === '' ? s : s[0].toUpperCase() + s.slice(1);
    },
  },
  title: {
    arg: 'none',
    isSafe: true,
    stringInput: true,
    apply: (v) =>
      pyTitle(v as string)
        .replace(/([a-z])'([A-Z])/g, (m) => m.toLowerCase())
        .replace(/\d([A-Z])/g, (m) => m.toLowerCase()),
  },
  length: { arg: 'none', apply: (v) => pyLen(v) ?? 0 },
  first: { arg: 'none', apply: (v) => sequence(v)?.[0] ?? '' },
  last: {
    arg: 'none',
    isSafe: true,
    apply: (v) => {
      const seq = sequence(v);
      return seq === undefined || seq.length === 0 ? '' : seq[seq.length - 1];
    },
  },
  join: {
    arg: 'required',
    isSafe: true,
    apply: (v, arg, autoescape) => {
      const seq = sequence(v);
      if (seq === undefined) return v;
      if (!autoescape) return new SafeString(seq.map(toText).join(toText(arg)));
      return new SafeString(seq.map((item) => conditionalEscape(item).value).join(conditionalEscape(arg).value));
    },
  },
  truncatechars: {
    arg: 'required',
    isSafe: true,
    stringInput: true,
    apply: (v, arg) => {
      const n = intArg(arg);
      return n === undefined ? v : truncateChars(v as string, n);
    },
  },
  truncatewords: {
    arg: 'required',
    isSafe: true,
    stringInput: true,
    apply: (v, arg) => {
      const n = intArg(arg);
      return n === undefined ? v : truncateWords(v as string, n);
    },
  },
  // Not stringInput: cut keeps a safe input safe itself (unless it cut ";", which could break an entity).
  cut: {
    arg: 'required',
    apply: (v, arg) => {
      const cutAway = toText(arg);
      const result = toText(v).replaceAll(cutAway, '');
      return v instanceof SafeString && cutAway !== ';' ? new SafeString(result) : result;
    },
  },
  yesno: {
    arg: 'optional',
    apply: (v, arg) => {
      const bits = (arg === undefined ? 'yes,no,maybe' : toText(arg)).split(',');
      if (bits.length < 2) return v;
      const maybe = bits.length === 3 ? bits[2] : bits[1];
      if (v == null) return maybe;
      return truthy(v) ? bits[0] : bits[1];
    },
  },
  linebreaksbr: {
    arg: 'none',
    isSafe: true,
    apply: (v, _arg, autoescape) => {
      const text = toText(v).replace(/\r\n?/g, '\n');
      const escaped = autoescape && !(v instanceof SafeString) ? escapeHtml(text) : text;
      return new SafeString(escaped.replace(/\n/g, '<br>'));
    },
  },
  urlencode: {
    arg: 'optional',
    stringInput: true,
    apply: (v, arg) => urlQuote(v as string, arg === undefined ? '/' : toText(arg)),
  },
  center: padFilter('center'),
  ljust: padFilter('left'),
  rjust: padFilter('right'),
  wordwrap: {
    arg: 'required',
    isSafe: true,
    stringInput: true,
    apply: (v, arg) => {
      const width = intArg(arg);
      return width === undefined ? v : wrap(v as string, width);
    },
  },
  wordcount: { arg: 'none', stringInput: true, apply: (v) => pySplit(v as string).length },
  slugify: { arg: 'none', isSafe: true, stringInput: true, apply: (v) => slugify(v as string) },
  addslashes: {
    arg: 'none',
    isSafe: true,
    stringInput: true,
    apply: (v) => (v as string).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'"),
  },
  phone2numeric: { arg: 'none', isSafe: true, apply: (v) => Array.from(toText(v).toLowerCase(), (c) => PHONE[c] ?? c).join('') },
  linenumbers: {
    arg: 'none',
    isSafe: true,
    apply: (v, _arg, autoescape) => {
      const lines = toText(v).split('\n');
      const width = String(lines.length).length;
      const escape = autoescape && !(v instanceof SafeString);
      return new SafeString(lines.map((line, i) => `${String(i + 1).padStart(width, '0')}. ${escape ? escapeHtml(line) : line}`).join('\n'));
    },
  },
};
