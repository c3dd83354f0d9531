/**
 * How template values behave: Python's truthiness and `str()`, Django's escaping and its
 * "safe string" marker. Values are plain JS data; these rules make them act as Django expects.
 */

/** A string that must not be escaped again (Django's SafeData): literals, `|safe`, escaped output. */
export class SafeString {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function hasOwnKeys(obj: object): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true;
  return false;
}

/** Python truthiness: empty strings, lists, dicts, maps and sets, 0, null and undefined are false. */
export function truthy(value: unknown): boolean {
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value !== '';
    case 'number':
      return value !== 0;
    case 'undefined':
      return false;
    case 'bigint':
      return value !== 0n;
    case 'object':
      if (value === null) return false;
      if (Array.isArray(value)) return value.length > 0;
      if (value instanceof SafeString) return value.value !== '';
      if (value instanceof Map || value instanceof Set) return value.size > 0;
      if (isPlainObject(value)) return hasOwnKeys(value);
      return true;
    default:
      return true;
  }
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * Python's `str()` of a value, with one deliberate difference: null and undefined render as ''
 * (Django would print "None"; in JS data null means "nothing to show").
 */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return numberText(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return '';
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return '';
      if (value instanceof SafeString) return value.value;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
      return repr(value);
    default:
      return '';
  }
}

function quote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** Python's `repr()`, used for containers (`[1, 2, 'a']`, `{'k': True}`) as Django would print them. */
export function repr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return quote(value);
  if (value instanceof SafeString) return quote(value.value);
  if (typeof value !== 'object') return toText(value);
  if (Array.isArray(value)) return `[${value.map(repr).join(', ')}]`;
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${[...value].map(repr).join(', ')}}`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(', ')}}`;
  if (value instanceof Date) return toText(value);
  if (isPlainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${quote(k)}: ${repr(v)}`).join(', ')}}`;
  // A class instance: its own toString if it has one, else nothing (never "[object Object]").
  return value.toString === Object.prototype.toString ? '' : String(value);
}

/** Django's `escape`: & < > " '. A char-code scan: no copy when nothing needs escaping. */
export function escapeHtml(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: entity = '&amp;'; break;
      case 60: entity = '&lt;'; break;
      case 62: entity = '&gt;'; break;
      case 34: entity = '&quot;'; break;
      case 39: entity = '&#x27;'; break;
      default: continue;
    }
    out += text.slice(last, i) + entity;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Django's `conditional_escape`: escape unless already safe; the result is safe. */
export function conditionalEscape(value: unknown): SafeString {
  return value instanceof SafeString ? value : new SafeString(escapeHtml(toText(value)));
}

/** Python's `len()`, or undefined for values without a length. Strings count code points. */
export function pyLen(value: unknown): number | undefined {
  if (typeof value === 'string') return codePointLength(value);
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return value.length;
  if (value instanceof SafeString) return codePointLength(value.value);
  if (value instanceof Map || value instanceof Set) return value.size;
  if (isPlainObject(value)) return Object.keys(value).length;
  return undefined;
}

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Unwraps a SafeString; other values pass through. */
export function plain(value: unknown): unknown {
  return value instanceof SafeString ? value.value : value;
}
