/**
 * `stringformat` (Python's `%` operator with one conversion) and `filesizeformat`. Where Python
 * would raise (a string for `%d`, an unknown conversion), the filter renders '' as Django's does.
 */
import type { FilterSpec } from './index.ts';
import { intArg, MAX_PAD } from './text.ts';
import { plain, repr, toText } from '../values.ts';

const SPEC_RE = /^([#0\- +]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa])$/;

function exponent(text: string): string {
  // JS writes e+5, Python e+05.
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's %e/%f/%g of a finite number, without sign. */
function formatFloat(n: number, conv: string, precision: number | undefined, alt: boolean): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : 'inf';
  const p = precision ?? 6;
  switch (conv.toLowerCase()) {
    case 'f': return n.toFixed(p);
    case 'e': return exponent(n.toExponential(p));
    default: {
      const sig = p === 0 ? 1 : p;
      const x = Number(n.toExponential(sig - 1).split('e')[1]);
      let text = x >= -4 && x < sig ? n.toFixed(Math.max(0, sig - 1 - x)) : exponent(n.toExponential(sig - 1));
      if (!alt && text.includes('.')) {
        const [mantissa, exp] = text.split('e');
        const trimmed = mantissa.replace(/0+$/, '').replace(/\.$/, '');
        text = exp === undefined ? trimmed : `${trimmed}e${exp}`;
      }
      return text;
    }
  }
}

/** Python's `('%' + spec) % value`, or undefined where Python raises. */
export function pyFormat(spec: string, value: unknown): string | undefined {
  const m = SPEC_RE.exec(spec);
  if (m === null) return undefined;
  const [, flags, widthText, precText, conv] = m;
  // Bounded like the padding filters (text.ts): a width or precision from data must not fill memory.
  if (Number(widthText ?? 0) > MAX_PAD || Number(precText ?? 0) > MAX_PAD) return undefined;
  const precision = precText === undefined ? undefined : Number(precText);
  const v = plain(value);
  const isNum = typeof v === 'number' || typeof v === 'boolean';
  const n = Number(v);
  let body: string;
  let negative = false;
  let numeric = true;
  switch (conv) {
    case 's': case 'r': case 'a': {
      const text = conv === 's' ? toText(value) : repr(value);
      body = precision === undefined ? text : Array.from(text).slice(0, precision).join('');
      numeric = false;
      break;
    }
    case 'c':
      if (typeof v === 'string' && Array.from(v).length === 1) body = v;
      else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10ffff) body = String.fromCodePoint(v);
      else return undefined;
      numeric = false;
      break;
    case 'd': case 'i': case 'u':
      if (!isNum || !Number.isFinite(n)) return undefined;
      negative = n < 0;
      body = String(Math.trunc(Math.abs(n)));
      if (precision !== undefined) body = body.padStart(precision, '0');
      break;
    case 'o': case 'x': case 'X':
      if (!isNum || !Number.isInteger(n)) return undefined;
      negative = n < 0;
      body = Math.abs(n).toString(conv === 'o' ? 8 : 16);
      if (conv === 'X') body = body.toUpperCase();
      if (precision !== undefined) body = body.padStart(precision, '0');
      if (flags.includes('#')) body = (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') + body;
      break;
    default:
      // JS writes at most 100 decimals (toFixed/toExponential throw past it); Python would go on.
      if (!isNum || (precision ?? 0) > 100) return undefined;
      negative = n < 0 || Object.is(n, -0);
      body = formatFloat(Math.abs(n), conv, precision, flags.includes('#'));
      if (conv === conv.toUpperCase()) body = body.toUpperCase();
  }
  const sign = !numeric ? '' : negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const width = widthText === undefined ? 0 : Number(widthText);
  const length = Array.from(sign + body).length;
  if (length >= width) return sign + body;
  if (flags.includes('-')) return sign + body + ' '.repeat(width - length);
  if (flags.includes('0') && numeric && Number.isFinite(n)) return sign + '0'.repeat(width - length) + body;
  return ' '.repeat(width - length) + sign + body;
}

const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'];

/** Python's round(x, 1) (ties to even on the exact value) written with one decimal. */
function oneDecimal(x: number): string {
  const scaled = x * 10;
  const floor = Math.floor(scaled);
  const rounded = scaled - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return (rounded / 10).toFixed(1);
}

/** Django's filesizeformat: "1023 bytes", "1.0 KB" … "2000.0 PB", with non-breaking spaces. */
function filesizeformat(value: unknown): string {
  const v = plain(value);
  const parsed = typeof v === 'number' ? (Number.isFinite(v) ? Math.trunc(v) : undefined) : intArg(v);
  let bytes = parsed ?? 0;
  const negative = bytes < 0;
  bytes = Math.abs(bytes);
  let text: string;
  if (bytes < 1024) text = `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  else {
    let unit = 0;
    let size = bytes / 1024;
    while (unit < UNITS.length - 1 && size >= 1024) (size /= 1024), unit++;
    text = `${oneDecimal(size)} ${UNITS[unit]}`;
  }
  return (negative ? `-${text}` : text).replace(/ /g, '\u00a0');
}

export const formatFilters: Record<string, FilterSpec> = {
  stringformat: { arg: 'required', isSafe: true, apply: (v, arg) => pyFormat(toText(arg), v) ?? '' },
  filesizeformat: { arg: 'none', isSafe: true, apply: filesizeformat },
};
