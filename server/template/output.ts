/**
 * How a `{{ }}` value becomes HTML: escaped (unless safe or autoescape is off), and in a URL
 * attribute position checked against an allow-list of schemes. The choice is made once per
 * slot at compile time; the returned function is the whole per-render cost.
 */
import type { Evaluator } from './expression.ts';
import type { SlotContext } from './html-context.ts';
import type { Deps } from './deps.ts';
import type { Scope, SourceLocation, TextSlot } from './types.ts';
import { escapeHtml, SafeString, toText } from './values.ts';

export const UNSAFE_URL = 'about:invalid#livery-unsafe-url';
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * True for relative URLs and http(s)/mailto/tel. Browsers drop tabs and newlines anywhere and
 * leading spaces/controls before parsing the scheme, so we do too. A value that was not escaped
 * may hide the colon in an entity (`javascript&#58;…`), so an `&` before the path is refused.
 */
export function isSafeUrl(url: string, mayHoldEntities: boolean): boolean {
  let scheme = '';
  let started = false;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (!started && c <= 32)) continue;
    started = true;
    if (c === 47 || c === 63 || c === 35) return true; // '/', '?', '#' before any ':' → relative
    if (c === 58) return SAFE_SCHEMES.has(scheme.toLowerCase()); // ':'
    if (c === 38 && mayHoldEntities) return false; // '&'
    scheme += url[i];
  }
  return true;
}

/** What a `style="…"` slot becomes when its value could do more than be a value: an invalid value, so the declaration is dropped. */
export const UNSAFE_CSS = 'livery-unsafe-css';

/**
 * A value inside a `style` declaration may not leave it: no quotes, parentheses (`url(`,
 * `expression(`), `;` or braces (more declarations or rules), `/` (comments), `\` (escapes that
 * spell any of those), `@`, `<`, `>`, brackets, backticks, NUL — and not the old IE/Gecko script
 * hooks by name. The rule of Go's html/template. An unescaped value may hide any of these in an
 * entity, so `&` is refused then too.
 */
export function isSafeCssValue(text: string, mayHoldEntities: boolean): boolean {
  if (/["'()\/;{}@<>[\]`\\\u0000]/.test(text)) return false;
  if (mayHoldEntities && text.includes('&')) return false;
  return !/expression|-moz-binding/i.test(text);
}

/** A URL inside CSS `url(…)`: a safe URL that cannot close the `url(`, its quotes or the declaration. */
export function isSafeCssUrl(text: string, mayHoldEntities: boolean): boolean {
  if (/[\s"'()\\;{}<>\u0000]/.test(text)) return false;
  if (mayHoldEntities && text.includes('&')) return false;
  return isSafeUrl(text, mayHoldEntities);
}

/**
 * The URL a `<meta http-equiv=refresh>` content would navigate to (the HTML standard's
 * "shared declarative refresh steps"), or undefined when the text is not a refresh at all
 * (it must start with a delay: digits or a dot). `''` means "reload this page".
 */
export function refreshUrl(content: string): string | undefined {
  const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  let i = 0;
  while (isWs(content[i])) i++;
  const digits = i;
  while (content[i] !== undefined && content[i]! >= '0' && content[i]! <= '9') i++;
  if (i === digits && content[i] !== '.') return undefined;
  while (content[i] !== undefined && ((content[i]! >= '0' && content[i]! <= '9') || content[i] === '.')) i++;
  if (i < content.length && !isWs(content[i]) && content[i] !== ';' && content[i] !== ',') return undefined;
  while (isWs(content[i])) i++;
  if (content[i] === ';' || content[i] === ',') i++;
  while (isWs(content[i])) i++;
  let rest = content.slice(i);
  const named = /^url\s*=\s*/i.exec(rest);
  if (named !== null) rest = rest.slice(named[0].length);
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = rest.indexOf(quote, 1);
    rest = rest.slice(1, end < 0 ? undefined : end);
  }
  return rest;
}

export type Output = (value: unknown) => string;

export function createOutput(context: SlotContext, autoescape: boolean): Output {
  const escaped: Output = autoescape
    ? (v) => (v instanceof SafeString ? v.value : escapeHtml(toText(v)))
    : (v) => toText(v);
  if (context.kind === 'text') return escaped;
  // Every check applies even to safe values: |safe is about markup, not about URLs or CSS. An
  // unescaped value (|safe, autoescape off) may spell characters as entities the browser decodes.
  const entities = (v: unknown) => !autoescape || v instanceof SafeString;
  const checked = (safe: (raw: string, entities: boolean) => boolean, failsafe: string): Output =>
    (v) => (safe(toText(v), entities(v)) ? escaped(v) : failsafe);
  switch (context.sink) {
    case 'css':
      return checked(isSafeCssValue, UNSAFE_CSS);
    case 'css-url':
      return checked(isSafeCssUrl, UNSAFE_URL);
    case 'url-list': {
      // SVG animation `values`: every `;`-separated item the value starts must be a safe URL.
      const first = context.itemStart === true ? 0 : 1;
      return checked((raw, ent) => !(ent && raw.includes('&')) && raw.split(';').slice(first).every((item) => isSafeUrl(item, ent)), UNSAFE_URL);
    }
    case 'refresh': {
      // <meta> content that may be a refresh: the URL it would navigate to, static text included.
      const lead = context.lead ?? '';
      return checked((raw, ent) => {
        if (ent && raw.includes('&')) return false;
        const url = refreshUrl(lead + raw);
        return url === undefined || isSafeUrl(url, ent || lead.includes('&'));
      }, UNSAFE_URL);
    }
    default:
      return context.url ? checked(isSafeUrl, UNSAFE_URL) : escaped;
  }
}

class ExpressionTextSlot implements TextSlot {
  readonly kind = 'text';
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly evaluate: Evaluator;
  private readonly output: Output;

  constructor(evaluate: Evaluator, output: Output, deps: Deps, loc: SourceLocation) {
    this.evaluate = evaluate;
    this.output = output;
    this.deps = deps;
    this.loc = loc;
  }
  render(scope: Scope): string {
    return this.output(this.evaluate(scope));
  }
}

export function createTextSlot(evaluate: Evaluator, output: Output, deps: Deps, loc: SourceLocation): TextSlot {
  return new ExpressionTextSlot(evaluate, output, deps, loc);
}
