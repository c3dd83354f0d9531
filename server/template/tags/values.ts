/**
 * Tags that output one value: `firstof`, `widthratio`, `now`, `templatetag`, `lorem`. Each is a
 * text slot whose deps are its arguments' (so it re-renders only when they change), escaped like
 * `{{ }}` at the same place. With `as name` the value is not output but bound for the rest of
 * the enclosing body (`bindRest`), as Django assigns it into the context.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { union, type Deps } from '../deps.ts';
import { TemplateSyntaxError } from '../errors.ts';
import { compileFilterExpression, type CompiledExpression, type Evaluator } from '../expression.ts';
import { formatDate, toDateParts } from '../filters/date.ts';
import { splitContents, type Token } from '../lexer.ts';
import { createTextSlot } from '../output.ts';
import type { Parser } from '../parser.ts';
import type { SourceLocation } from '../types.ts';
import { escapeHtml, plain, SafeString, toText, truthy } from '../values.ts';
import { bindRest } from './with.ts';

function expression(p: Parser, token: Token, text: string): CompiledExpression {
  return compileFilterExpression(text, { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: true });
}

/** Outputs `evaluate`'s value at the tag, or binds it to `asName` for the rest of the body. */
function emit(p: Parser, token: Token, out: BlockBuilder, evaluate: Evaluator, deps: Deps, asName: string | null): void {
  if (asName !== null) {
    bindRest(p, out, [asName], [evaluate], deps, token.loc);
    return;
  }
  out.slot(createTextSlot(evaluate, p.outputAt(token.loc), deps, token.loc), 't');
}

/** Splits a trailing `as name` off the tag's arguments. */
function asVar(bits: string[]): string | null {
  if (bits.length >= 2 && bits[bits.length - 2] === 'as') {
    const name = bits[bits.length - 1];
    bits.splice(-2);
    return name;
  }
  return null;
}

/** `{% firstof a b "fallback" [as x] %}`: the first true value, escaped; '' when none. */
export function firstofTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents).slice(1);
  const asName = asVar(bits);
  if (bits.length < 1) throw p.error(token, `'firstof' statement requires at least one argument`);
  const exprs = bits.map((b) => expression(p, token, b));
  const evaluators = exprs.map((e) => e.evaluate);
  const autoescape = p.autoescape;
  const evaluate: Evaluator = (scope) => {
    for (const e of evaluators) {
      const value = e(scope);
      if (!truthy(value)) continue;
      // Django assigns the rendered (escaped) text with `as`, so it stays safe.
      return asName === null || !autoescape ? value : value instanceof SafeString ? value : new SafeString(escapeHtml(toText(value)));
    }
    return '';
  };
  emit(p, token, out, evaluate, union(exprs.map((e) => e.deps)), asName);
}

/** Python's float(): numbers, bools, and numeric strings; anything else is undefined. */
function pyFloat(value: unknown): number | undefined {
  const v = plain(value);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const text = v instanceof SafeString ? v.value : v;
  if (typeof text !== 'string') return undefined;
  const t = text.trim().replaceAll('_', '');
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return Number(t);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special === null) return undefined;
  return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
}

/** Python's int() of a number or integer string (what widthratio's width must be). */
function pyInt(value: unknown): number | undefined {
  const v = plain(value);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const text = v instanceof SafeString ? v.value : v;
  return typeof text === 'string' && /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

/** `{% widthratio value max width [as x] %}`: round(value / max * width), Django's edge cases included. */
export function widthratioTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  let asName: string | null = null;
  if (bits.length === 6 && bits[4] === 'as') asName = bits[5];
  else if (bits.length !== 4) throw p.error(token, `widthratio takes at least three arguments`);
  const [value, max, width] = bits.slice(1, 4).map((b) => expression(p, token, b));
  const loc: SourceLocation = token.loc;
  const evaluate: Evaluator = (scope) => {
    const w = pyInt(width.evaluate(scope));
    if (w === undefined) throw new TemplateSyntaxError(loc, `widthratio final argument must be a number`);
    const v = pyFloat(value.evaluate(scope));
    const m = pyFloat(max.evaluate(scope));
    if (v === undefined || m === undefined) return '';
    if (m === 0) return '0';
    const ratio = (v / m) * w;
    return Number.isFinite(ratio) ? String(roundHalfEven(ratio)) : '';
  };
  emit(p, token, out, evaluate, union([value.deps, max.deps, width.deps]), asName);
}

/**
 * `{% now "Y-m-d" [as x] %}`: the current time (UTC), formatted like the `date` filter. Its slot
 * has no inputs, so it is rendered with the page and again only when something around it
 * re-renders: a clock that should tick belongs in the view's state (docs/templates.md).
 */
export function nowTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  let asName: string | null = null;
  if (bits.length === 4 && bits[2] === 'as') asName = bits[3];
  else if (bits.length !== 2) throw p.error(token, `'now' statement takes one argument`);
  const format = bits[1].slice(1, -1);
  // Django outputs the formatted date as is: the format is the template's own text.
  const evaluate: Evaluator = asName === null ? () => new SafeString(formatDate(toDateParts(new Date())!, format)) : () => formatDate(toDateParts(new Date())!, format);
  emit(p, token, out, evaluate, new Set<string>(), asName);
}

const TEMPLATETAG: Record<string, string> = {
  openblock: '{%',
  closeblock: '%}',
  openvariable: '{{',
  closevariable: '}}',
  openbrace: '{',
  closebrace: '}',
  opencomment: '{#',
  closecomment: '#}',
};

/** `{% templatetag openblock %}`: template syntax as static text. */
export function templatetagTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = token.contents.split(/\s+/);
  if (bits.length !== 2) throw p.error(token, `'templatetag' statement takes one argument`);
  const text = Object.hasOwn(TEMPLATETAG, bits[1]) ? TEMPLATETAG[bits[1]] : undefined;
  if (text === undefined) {
    throw p.error(token, `Invalid templatetag argument: '${bits[1]}'. Must be one of: ${Object.keys(TEMPLATETAG).join(', ')}`);
  }
  out.text(text, token.loc);
}

const COMMON_WORDS = 'lorem ipsum dolor sit amet consectetur adipisicing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
const COMMON_P =
  'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const MORE_WORDS = COMMON_P.toLowerCase().replace(/[.,]/g, '').split(' ').slice(COMMON_WORDS.length);

/** Placeholder text, the same on every render (Django's is random past its common words). */
function lorem(count: number, method: string): string {
  if (method === 'w') {
    const words = [...COMMON_WORDS, ...MORE_WORDS];
    return Array.from({ length: Math.max(count, 0) }, (_, i) => words[i % words.length]).join(' ');
  }
  const paragraphs = Array.from({ length: Math.max(count, 0) }, () => COMMON_P);
  return method === 'p' ? paragraphs.map((t) => `<p>${t}</p>`).join('\n\n') : paragraphs.join('\n\n');
}

/** `{% lorem [count] [w|p|b] %}`. `random` is refused: a page that changes on every render would diff on every event. */
export function loremTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents).slice(1);
  if (bits[bits.length - 1] === 'random') {
    throw p.error(token, `'lorem … random' is not supported: random text would change on every render, and so be sent on every event. Leave out 'random'.`);
  }
  let method = 'b';
  if (bits.length > 0 && ['w', 'p', 'b'].includes(bits[bits.length - 1])) method = bits.pop()!;
  if (bits.length > 1) throw p.error(token, `Incorrect format for 'lorem' tag`);
  p.html?.requireText(token.loc, '{% lorem %}');
  const count = bits.length === 0 ? null : expression(p, token, bits[0]);
  const pyCount = (value: unknown): number => pyInt(value) ?? 1;
  if (count === null || count.literal !== undefined) {
    out.text(lorem(count === null ? 1 : pyCount(count.literal!.value), method), token.loc);
    return;
  }
  const evaluate = count.evaluate;
  out.slot(createTextSlot((scope) => lorem(pyCount(evaluate(scope)), method), String, count.deps, token.loc), 't');
}
