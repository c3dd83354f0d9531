/**
 * `urlize` and `urlizetrunc`: Django's Urlizer (django/utils/html.py), word by word. A word that
 * looks like a URL (http(s)://…, www.…, or a name ending in .com/.org/…) or an email address
 * becomes a link; everything else is escaped as the autoescape setting says. The href is
 * normalised like Django's smart_urlquote (IDN hosts to punycode, path re-quoted, query
 * re-encoded) and always escaped.
 */
import { domainToASCII } from 'node:url';
import type { FilterSpec } from './index.ts';
import { pyQuote } from './html.ts';
import { intArg } from './text.ts';
import { escapeHtml, SafeString, toText } from '../values.ts';

const MAX_URL_LENGTH = 2048;
const TRAILING = /[.,:;!]+$/;
const WRAPPING: readonly (readonly [string, string])[] = [['(', ')'], ['[', ']']];
const SIMPLE_URL = /^https?:\/\/\[?[\p{L}\p{N}\p{M}_]/iu;
const SIMPLE_URL_2 = /^www\.|^(?!http)[\p{L}\p{N}\p{M}_][^@]+\.(com|edu|gov|int|mil|net|org)($|\/.*)$/iu;
const WORD_SPLIT = /([\s<>"']+)/u;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Python's html.unescape for the entities URLs meet: the basic named ones and numeric references. */
function unescape(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos|nbsp));?/gi, (m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return ENTITIES[name.toLowerCase()] ?? m;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

/** Python's urllib.parse.unquote: %XX runs decoded as UTF-8 (invalid bytes become U+FFFD). */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

const unquoteQuote = (segment: string): string => pyQuote(unquote(segment), "!$&'()*+,;=:/?#[]@~");
const quotePlus = (text: string): string => pyQuote(text, ' ').replace(/ /g, '+');

/** IDN host → ASCII (punycode), or undefined where Python's idna codec would fail. */
function punycode(host: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(host)) return host;
  const ascii = domainToASCII(host);
  return ascii === '' ? undefined : ascii;
}

/** django.utils.html.smart_urlquote. */
function smartUrlQuote(url: string): string {
  const m = /^(?:([a-z][a-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/is.exec(url);
  if (m === null) return unquoteQuote(url);
  const [, scheme, netloc, path, query, fragment] = m;
  const host = netloc === undefined ? undefined : punycode(netloc);
  if (netloc !== undefined && host === undefined) return unquoteQuote(url);
  let out = scheme === undefined ? '' : `${scheme.toLowerCase()}:`;
  if (host !== undefined) out += `//${host}`;
  out += unquoteQuote(path);
  if (query) {
    const pairs = query.split('&').filter((p) => p !== '').map((p) => {
      const eq = p.indexOf('=');
      const [k, v] = eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
      return `${quotePlus(unquote(k.replace(/\+/g, ' ')))}=${quotePlus(unquote(v.replace(/\+/g, ' ')))}`;
    });
    if (pairs.length > 0) out += `?${pairs.join('&')}`;
  }
  if (fragment) out += `#${unquoteQuote(fragment)}`;
  return out;
}

function count(text: string, c: string): number {
  return text.split(c).length - 1;
}

/** Urlizer.trim_punctuation: wrapping brackets (kept when balanced) and trailing punctuation. */
function trimPunctuation(word: string): [lead: string, middle: string, trail: string] {
  let lead = '';
  let middle = word;
  let trail = '';
  let trimmed = true;
  while (trimmed) {
    trimmed = false;
    for (const [open, close] of WRAPPING) {
      if (middle.startsWith(open)) {
        middle = middle.slice(open.length);
        lead += open;
        trimmed = true;
      }
      if (middle.endsWith(close) && count(middle, close) === count(middle, open) + 1) {
        middle = middle.slice(0, -close.length);
        trail = close + trail;
        trimmed = true;
      }
    }
    // Entities hold ';': count the punctuation on the unescaped text, cut it from the escaped.
    const punctuation = TRAILING.exec(unescape(middle))?.[0].length ?? 0;
    if (punctuation > 0) {
      trail = middle.slice(-punctuation) + trail;
      middle = middle.slice(0, -punctuation);
      trimmed = true;
    }
  }
  return [lead, middle, trail];
}

function isEmailSimple(value: string): boolean {
  if (value.startsWith('@') || value.endsWith('@')) return false;
  const parts = value.split('@');
  return parts.length === 2 && parts[1].includes('.') && !parts[1].startsWith('.');
}

function trimUrl(text: string, limit: number | undefined): string {
  const chars = Array.from(text);
  if (limit === undefined || chars.length <= limit) return text;
  return `${chars.slice(0, Math.max(0, limit - 1)).join('')}…`;
}

function handleWord(word: string, safeInput: boolean, limit: number | undefined, autoescape: boolean): string {
  const plainWord = safeInput || !autoescape ? word : escapeHtml(word);
  if (!word.includes('.') && !word.includes('@') && !word.includes(':')) return plainWord;
  let [lead, middle, trail] = trimPunctuation(word);
  let url: string | undefined;
  let rel = ' rel="nofollow"';
  if (middle.length <= MAX_URL_LENGTH && SIMPLE_URL.test(middle)) url = smartUrlQuote(unescape(middle));
  else if (middle.length <= MAX_URL_LENGTH && SIMPLE_URL_2.test(middle)) url = smartUrlQuote(`http://${unescape(middle)}`);
  else if (!middle.includes(':') && isEmailSimple(middle)) {
    const at = middle.lastIndexOf('@');
    const domain = punycode(middle.slice(at + 1));
    if (domain === undefined) return plainWord;
    url = `mailto:${middle.slice(0, at)}@${domain}`;
    rel = '';
  }
  if (url === undefined) return plainWord;
  let text = trimUrl(middle, limit);
  if (autoescape && !safeInput) [lead, trail, text] = [escapeHtml(lead), escapeHtml(trail), escapeHtml(text)];
  return `${lead}<a href="${escapeHtml(url)}"${rel}>${text}</a>${trail}`;
}

function urlize(value: unknown, limit: number | undefined, autoescape: boolean): SafeString {
  const safeInput = value instanceof SafeString;
  const words = toText(value).split(WORD_SPLIT);
  return new SafeString(words.map((w) => handleWord(w, safeInput, limit, autoescape)).join(''));
}

export const urlizeFilters: Record<string, FilterSpec> = {
  urlize: { arg: 'none', isSafe: true, apply: (v, _arg, autoescape) => urlize(v, undefined, autoescape) },
  urlizetrunc: {
    arg: 'required',
    isSafe: true,
    apply: (v, arg, autoescape) => {
      const limit = intArg(arg);
      return limit === undefined ? v : urlize(v, limit, autoescape);
    },
  },
};
