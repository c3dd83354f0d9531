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

export type Output = (value: unknown) => string;

export function createOutput(context: SlotContext, autoescape: boolean): Output {
  const escaped: Output = autoescape
    ? (v) => (v instanceof SafeString ? v.value : escapeHtml(toText(v)))
    : (v) => toText(v);
  if (context.kind === 'text' || !context.url) return escaped;
  // The scheme check applies even to safe values: |safe is about markup, not about URLs.
  return (v) => {
    const raw = toText(v);
    return isSafeUrl(raw, !autoescape || v instanceof SafeString) ? escaped(v) : UNSAFE_URL;
  };
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
