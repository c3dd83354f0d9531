/**
 * The `date` filter with Django's format characters (English names).
 *
 * Accepted values: Date objects and epoch-millisecond numbers (formatted in UTC), and ISO 8601
 * strings. An ISO string with an offset (`…T10:00:00+02:00`) is formatted in that offset, as
 * written; one without an offset is taken as UTC. Anything else formats as ''.
 */
import type { FilterSpec } from './index.ts';
import { plain, toText, truthy } from '../values.ts';

interface DateParts {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micro: number;
  /** Minutes east of UTC. */
  readonly offset: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_AP = ['Jan.', 'Feb.', 'March', 'April', 'May', 'June', 'July', 'Aug.', 'Sept.', 'Oct.', 'Nov.', 'Dec.'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function fromDate(date: Date): DateParts | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    micro: date.getUTCMilliseconds() * 1000,
    offset: 0,
  };
}

function fromIso(text: string): DateParts | undefined {
  const m = ISO_RE.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  const tz = m[8];
  if (tz !== undefined && tz.toUpperCase() !== 'Z') {
    const digits = tz.replace(':', '');
    offset = (tz[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0));
  }
  const micro = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0').slice(0, 6));
  return { year, month, day, hour, minute, second, micro, offset };
}

export function toDateParts(value: unknown): DateParts | undefined {
  const v = plain(value);
  if (v instanceof Date) return fromDate(v);
  if (typeof v === 'number') return Number.isFinite(v) ? fromDate(new Date(v)) : undefined;
  if (typeof v === 'string') return fromIso(v);
  return undefined;
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

function utcDay(p: DateParts, dayDelta = 0): Date {
  return new Date(Date.UTC(p.year, p.month - 1, p.day + dayDelta));
}

function isoWeek(p: DateParts): [year: number, week: number] {
  const weekday = utcDay(p).getUTCDay() || 7; // Monday 1 … Sunday 7
  const thursday = utcDay(p, 4 - weekday);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return [thursday.getUTCFullYear(), Math.ceil(((thursday.getTime() - yearStart) / 86400000 + 1) / 7)];
}

function offsetText(p: DateParts, colon: boolean): string {
  const sign = p.offset < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(p.offset / 60))}${colon ? ':' : ''}${pad(p.offset % 60)}`;
}

function formatChar(c: string, p: DateParts): string {
  const h12 = p.hour % 12 || 12;
  switch (c) {
    case 'a': return p.hour < 12 ? 'a.m.' : 'p.m.';
    case 'A': return p.hour < 12 ? 'AM' : 'PM';
    case 'b': return MONTHS[p.month - 1].slice(0, 3).toLowerCase();
    case 'c': return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.micro ? `.${pad(p.micro, 6)}` : ''}${offsetText(p, true)}`;
    case 'd': return pad(p.day);
    case 'D': return DAYS[utcDay(p).getUTCDay()].slice(0, 3);
    case 'e': case 'T': return p.offset === 0 ? 'UTC' : `UTC${offsetText(p, true)}`;
    case 'E': case 'F': return MONTHS[p.month - 1];
    case 'f': return p.minute === 0 ? String(h12) : `${h12}:${pad(p.minute)}`;
    case 'g': return String(h12);
    case 'G': return String(p.hour);
    case 'h': return pad(h12);
    case 'H': return pad(p.hour);
    case 'i': return pad(p.minute);
    case 'I': return '0';
    case 'j': return String(p.day);
    case 'l': return DAYS[utcDay(p).getUTCDay()];
    case 'L': return new Date(Date.UTC(p.year, 1, 29)).getUTCDate() === 29 ? 'True' : 'False';
    case 'm': return pad(p.month);
    case 'M': return MONTHS[p.month - 1].slice(0, 3);
    case 'n': return String(p.month);
    case 'N': return MONTHS_AP[p.month - 1];
    case 'o': return String(isoWeek(p)[0]);
    case 'O': return offsetText(p, false);
    case 'P':
      if (p.minute === 0 && p.hour === 0) return 'midnight';
      if (p.minute === 0 && p.hour === 12) return 'noon';
      return `${formatChar('f', p)} ${formatChar('a', p)}`;
    case 'r': return formatDate(p, 'D, j M Y H:i:s O');
    case 's': return pad(p.second);
    case 'S': {
      if (p.day >= 11 && p.day <= 13) return 'th';
      return ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[p.day % 10] ?? 'th';
    }
    case 't': return String(new Date(Date.UTC(p.year, p.month, 0)).getUTCDate());
    case 'u': return pad(p.micro, 6);
    case 'U': return String(Math.floor((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - p.offset * 60000) / 1000));
    case 'w': return String(utcDay(p).getUTCDay());
    case 'W': return String(isoWeek(p)[1]);
    case 'y': return pad(p.year % 100);
    case 'Y': return pad(p.year, 4);
    case 'z': return String(Math.round((utcDay(p).getTime() - Date.UTC(p.year, 0, 1)) / 86400000) + 1);
    case 'Z': return String(p.offset * 60);
    default: return c;
  }
}

export function formatDate(p: DateParts, format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '\\' && i + 1 < format.length) out += format[++i];
    else out += formatChar(c, p);
  }
  return out;
}

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$/;

/** A time of day ("16:25", "16:25:30.5") as DateParts on no particular date, for the `time` filter. */
function timeOnly(value: unknown): DateParts | undefined {
  const v = plain(value);
  const m = typeof v === 'string' ? TIME_RE.exec(v.trim()) : null;
  if (m === null) return undefined;
  const [hour, minute, second] = [1, 2, 3].map((i) => Number(m[i] ?? 0));
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const micro = m[4] === undefined ? 0 : Number(m[4].padEnd(6, '0'));
  return { year: 1900, month: 1, day: 1, hour, minute, second, micro, offset: 0 };
}

/** Format characters that need a date (Django's DateFormat only): `time` renders '' when its format has one. */
const DATE_ONLY = /[bcdDEFIjlLmMnNorStUwWyYz]/;

function formatTime(value: unknown, arg: unknown): string {
  const format = arg === undefined ? 'P' : toText(arg);
  if (DATE_ONLY.test(format.replace(/\\./g, ''))) return '';
  const time = timeOnly(value);
  // A time of day has no zone: Django's e, O, T and Z render '' for it.
  if (time !== undefined) return formatDate(time, format.replace(/\\.|[eOTZ]/g, (c) => (c.length === 2 ? c : '')));
  const v = plain(value);
  if (typeof v === 'string' && /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(v)) return ''; // a date has no time to format
  const parts = toDateParts(value);
  return parts === undefined ? '' : formatDate(parts, format);
}

function epochMs(p: DateParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - p.offset * 60000 + p.micro / 1000;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const UNITS: readonly (readonly [string, number])[] = [['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];
const nbsp = (n: number, unit: string): string => `${n}\u00a0${unit}${n === 1 ? '' : 's'}`;

/**
 * Django's timesince: the two largest adjacent units between `from` and `to` ("2 weeks, 3 days"),
 * calendar-aware for years and months, "0 minutes" when `to` is not after `from`. In UTC.
 */
export function timesince(fromMs: number, toMs: number): string {
  if (Math.floor((toMs - fromMs) / 1000) <= 0) return nbsp(0, 'minute');
  const d = new Date(fromMs);
  const now = new Date(toMs);
  const timeOfDay = (x: Date) => x.getTime() - Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate());
  let totalMonths = (now.getUTCFullYear() - d.getUTCFullYear()) * 12 + (now.getUTCMonth() - d.getUTCMonth());
  if (d.getUTCDate() > now.getUTCDate() || (d.getUTCDate() === now.getUTCDate() && timeOfDay(d) > timeOfDay(now))) totalMonths--;
  const years = Math.floor(totalMonths / 12);
  const months = totalMonths % 12;
  let pivot = fromMs;
  if (years > 0 || months > 0) {
    let year = d.getUTCFullYear() + years;
    let month = d.getUTCMonth() + 1 + months;
    if (month > 12) (month -= 12), year++;
    const day = Math.min(MONTH_DAYS[month - 1], d.getUTCDate());
    pivot = Date.UTC(year, month - 1, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  }
  let remaining = (toMs - pivot) / 1000;
  const partials: [string, number][] = [['year', years], ['month', months]];
  for (const [unit, seconds] of UNITS) {
    const n = Math.floor(remaining / seconds);
    partials.push([unit, n]);
    remaining -= n * seconds;
  }
  const first = partials.findIndex(([, n]) => n !== 0);
  if (first < 0) return nbsp(0, 'minute');
  const out: string[] = [];
  for (let i = first; i < partials.length && out.length < 2 && partials[i][1] !== 0; i++) out.push(nbsp(partials[i][1], partials[i][0]));
  return out.join(', ');
}

/** `timesince`/`timeuntil`: from the value to the argument (default: now, at render time). */
function since(value: unknown, arg: unknown, until: boolean): string {
  if (!truthy(value)) return '';
  const d = toDateParts(value);
  const other = arg !== undefined && truthy(arg) ? toDateParts(arg) : undefined;
  if (d === undefined || (arg !== undefined && truthy(arg) && other === undefined)) return '';
  const now = other === undefined ? Date.now() : epochMs(other);
  return until ? timesince(now, epochMs(d)) : timesince(epochMs(d), now);
}

export const dateFilters: Record<string, FilterSpec> = {
  time: { arg: 'optional', apply: formatTime },
  // Both read the clock when given no argument: see docs/templates.md (a slot re-renders only when its inputs change).
  timesince: { arg: 'optional', apply: (v, arg) => since(v, arg, false) },
  timeuntil: { arg: 'optional', apply: (v, arg) => since(v, arg, true) },
  date: {
    arg: 'optional',
    apply: (v, arg) => {
      const parts = toDateParts(v);
      return parts === undefined ? '' : formatDate(parts, arg === undefined ? 'N j, Y' : toText(arg));
    },
  },
};
