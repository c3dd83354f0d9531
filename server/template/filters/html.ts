/**
 * Filters that write or read markup (linebreaks, striptags, unordered_list, json_script, …),
 * each following its Django namesake. Those that write markup return a SafeString and escape
 * their input themselves when autoescape is on and the input is not already safe (Django's
 * needs_autoescape).
 */
import type { FilterSpec } from './index.ts';
import { iterate } from './list.ts';
import { intArg } from './text.ts';
import { conditionalEscape, escapeHtml, isPlainObject, plain, SafeString, toText } from '../values.ts';

function linebreaks(v: unknown, autoescape: boolean): SafeString {
  const text = toText(v).replace(/\r\n?/g, '\n');
  const escape = autoescape && !(v instanceof SafeString);
  const paras = text.split(/\n{2,}/).map((p) => `<p>${(escape ? escapeHtml(p) : p).replace(/\n/g, '<br>')}</p>`);
  return new SafeString(paras.join('\n\n'));
}

/** A tag, comment, declaration or processing instruction, as Python's HTMLParser finds them. */
const MARKUP_RE = /<!--[\s\S]*?(?:-->|$)|<[!?][^>]*>|<\/?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>/g;

/** django.utils.html.strip_tags: removes markup until none is left; entities stay as written. */
export function stripTags(text: string): string {
  let value = text;
  while (value.includes('<') && value.includes('>')) {
    const next = value.replace(MARKUP_RE, '');
    if (next === value) break;
    value = next;
  }
  return value;
}

const SINGLETS = new Set(['br', 'col', 'link', 'base', 'img', 'param', 'area', 'hr', 'input']);
// A word is \w[\w-]* and an entity belongs to the word or counts as one character (Django's re_words, re_chars).
const WORD_RE = /<[^>]+?>|((?:[\p{L}\p{N}\p{M}_][\p{L}\p{N}\p{M}_-]*|&.*?;)+)/gsu;
const CHAR_RE = /<[^>]+?>|(&.*?;|.)/gsu;
const TAG_RE = /^<(\/)?(\S+?)(?:(\s*\/)|\s.*?)?>$/s;

/**
 * Django's Truncator._truncate_html: counts words or characters outside tags, cuts after the
 * `truncateLen`-th, appends the ellipsis and closes the tags still open there.
 */
function truncateHtml(text: string, length: number, words: boolean): string {
  if (length <= 0) return '';
  const ellipsis = words ? ' …' : '…';
  const truncateLen = words ? length : length - 1;
  const re = new RegExp(words ? WORD_RE : CHAR_RE);
  let currentLen = 0;
  let endTextPos = 0;
  let openTags: string[] = [];
  while (currentLen <= length) {
    const m = re.exec(text);
    if (m === null) break;
    if (m[1] !== undefined) {
      currentLen++;
      if (currentLen === truncateLen) endTextPos = re.lastIndex;
      continue;
    }
    const tag = TAG_RE.exec(m[0]);
    if (tag === null || currentLen >= truncateLen) continue;
    const name = tag[2].toLowerCase();
    if (tag[3] !== undefined || SINGLETS.has(name)) continue;
    if (tag[1] !== undefined) {
      const i = openTags.indexOf(name);
      if (i >= 0) openTags = openTags.slice(i + 1);
    } else {
      openTags.unshift(name);
    }
  }
  if (currentLen <= length) return text;
  return text.slice(0, endTextPos) + ellipsis + openTags.map((t) => `</${t}>`).join('');
}

function truncateHtmlFilter(words: boolean): FilterSpec {
  return {
    arg: 'required',
    isSafe: true,
    stringInput: true,
    apply: (v, arg) => {
      const n = intArg(arg);
      return n === undefined ? v : truncateHtml((v as string).normalize('NFC'), n, words);
    },
  };
}

const isSublist = (v: unknown): boolean => Array.isArray(plain(v));

/**
 * Nesting levels unordered_list turns into <ul>s, at most; deeper lists print as text. Data may
 * nest arrays thousands deep, and the recursion would overflow the stack.
 */
const MAX_LIST_DEPTH = 100;

/** Django's unordered_list: an item followed by a list is that item's sub-list. */
function listItems(items: readonly unknown[], tabs: number, escape: (v: unknown) => string): string {
  const indent = '\t'.repeat(tabs);
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const nests = tabs < MAX_LIST_DEPTH && i + 1 < items.length && isSublist(items[i + 1]);
    const children = nests ? (plain(items[++i]) as unknown[]) : null;
    const sub = children !== null && children.length > 0
      ? `\n${indent}<ul>\n${listItems(children, tabs + 1, escape)}\n${indent}</ul>\n${indent}`
      : '';
    out.push(`${indent}<li>${escape(item)}${sub}</li>`);
  }
  return out.join('\n');
}

const JS_ESCAPES: Record<string, string> = {};
for (const c of '\\\'"><&=-;`\u2028\u2029') JS_ESCAPES[c] = `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
for (let i = 0; i < 32; i++) JS_ESCAPES[String.fromCharCode(i)] = `\\u${i.toString(16).toUpperCase().padStart(4, '0')}`;

/** django.utils.html.escapejs: safe inside a JavaScript string literal, in a script or an attribute. */
export function escapeJs(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\\'"><&=\-;`\u2028\u2029\u0000-\u001f]/g, (c) => JS_ESCAPES[c]);
}

/** Python's json.dumps (", " and ": " separators, non-ASCII as \uXXXX), as Django's json_script writes it. */
export function pyJson(value: unknown, depth = 0): string {
  // State is JSON, so never cyclic; this only keeps data nested absurdly deep off the stack.
  if (depth > 1000) throw new RangeError('json_script: the value is nested more than 1,000 levels deep');
  const v = plain(value);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (v instanceof Date) return pyJson(Number.isNaN(v.getTime()) ? null : v.toISOString());
  if (Array.isArray(v) || v instanceof Set) return `[${[...v].map((x) => pyJson(x, depth + 1)).join(', ')}]`;
  const entries = v instanceof Map ? [...v] : isPlainObject(v) ? Object.entries(v) : null;
  if (entries === null) return pyJson(toText(v));
  return `{${entries.map(([k, x]) => `${pyJson(toText(k))}: ${pyJson(x, depth + 1)}`).join(', ')}}`;
}

function jsonScript(value: unknown, id: unknown): SafeString {
  const json = pyJson(value).replace(/[<>&]/g, (c) => JS_ESCAPES[c]);
  const idAttr = id === undefined || toText(id) === '' ? '' : ` id="${conditionalEscape(id).value}"`;
  return new SafeString(`<script${idAttr} type="application/json">${json}</script>`);
}

/** Python's urllib.parse.quote(text, safe): UTF-8 percent-encoding of everything not alphanumeric, `_.-~` or in `safe`. */
export function pyQuote(text: string, safe: string): string {
  let out = '';
  for (const c of text) {
    if (/[A-Za-z0-9_.\-~]/.test(c) || safe.includes(c)) out += c;
    else for (const byte of Buffer.from(c, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const htmlFilters: Record<string, FilterSpec> = {
  linebreaks: { arg: 'none', isSafe: true, apply: (v, _arg, autoescape) => linebreaks(v, autoescape) },
  striptags: { arg: 'none', isSafe: true, stringInput: true, apply: (v) => stripTags(v as string) },
  truncatewords_html: truncateHtmlFilter(true),
  truncatechars_html: truncateHtmlFilter(false),
  unordered_list: {
    arg: 'none',
    isSafe: true,
    apply: (v, _arg, autoescape) => {
      const items = iterate(v) ?? [];
      const escape = autoescape ? (x: unknown) => conditionalEscape(x).value : toText;
      return new SafeString(listItems(items, 1, escape));
    },
  },
  escapejs: { arg: 'none', stringInput: true, apply: (v) => new SafeString(escapeJs(v as string)) },
  json_script: { arg: 'optional', isSafe: true, apply: jsonScript },
  iriencode: { arg: 'none', isSafe: true, stringInput: true, apply: (v) => pyQuote(v as string, "/#%[]=:;$&()+,!?*@'~") },
};
