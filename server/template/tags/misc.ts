/**
 * Tags that produce no slot of their own — `autoescape` (lexical: it changes how the enclosed
 * `{{ }}` compile), `comment`, `verbatim` — and `filter`, whose whole body becomes one text slot.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { unbind, union } from '../deps.ts';
import { compileFilterExpression } from '../expression.ts';
import type { Token } from '../lexer.ts';
import { createTextSlot } from '../output.ts';
import type { Parser } from '../parser.ts';
import { renderToString } from '../render.ts';
import { FrameScope } from '../scope.ts';
import type { Scope } from '../types.ts';
import { SafeString, toText } from '../values.ts';
import { NESTED_VIEWS } from './live.ts';

export function autoescapeTag(p: Parser, token: Token, out: BlockBuilder): void {
  const args = token.contents.split(/\s+/);
  if (args.length !== 2) throw p.error(token, `'autoescape' tag requires exactly one argument.`);
  if (args[1] !== 'on' && args[1] !== 'off') throw p.error(token, `'autoescape' argument should be 'on' or 'off'`);
  const outer = p.autoescape;
  p.autoescape = args[1] === 'on';
  p.parse(out, ['endautoescape']);
  p.autoescape = outer;
}

export function commentTag(p: Parser): void {
  p.skipPast('endcomment');
}

/** The lexer already turned every tag inside into text; only the end tag is left to find. */
export function verbatimTag(p: Parser, _token: Token, out: BlockBuilder): void {
  p.parse(out, ['endverbatim']);
}

const VAR = ['var'];

export function filterTag(p: Parser, token: Token, out: BlockBuilder): void {
  const rest = token.contents.replace(/^\S+\s*/, '');
  if (rest === '') throw p.error(token, `'filter' tag requires at least one filter, e.g. {% filter lower %}.`);
  const expr = compileFilterExpression(`var|${rest}`, { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: false });
  for (const m of rest.matchAll(/(?:^|\|)\s*([\p{L}\p{N}_]+)/gu)) {
    if (m[1] === 'escape' || m[1] === 'safe') {
      throw p.error(token, `"filter ${m[1]}" is not permitted.  Use the "autoescape" tag instead.`);
    }
  }
  p.html?.requireText(token.loc, '{% filter %}');
  const body = p.builder();
  p.parse(body, ['endfilter']);
  const inner = body.finish();
  // A nested view's container carries its signed token: no filter may rewrite it.
  if (inner.deps?.has(NESTED_VIEWS)) throw p.error(token, `{% live %} cannot stand inside {% filter %}: the filters would rewrite the nested view's container. Filter the text around it instead.`);
  const evaluate = expr.evaluate;
  // The body renders to HTML (safe); the filters' result is output as is, as in Django.
  const render = (scope: Scope): unknown => evaluate(new FrameScope(VAR, [new SafeString(renderToString(inner.block, scope))], scope));
  const deps = union([unbind(expr.deps, VAR), inner.deps]);
  out.slot(createTextSlot(render, toText, deps, token.loc), 't');
}

const BETWEEN_TAGS = />\s+</g;

/**
 * `{% spaceless %}`: whitespace between tags removed, as Django does it — on the rendered body,
 * since a value may itself end or start with a tag. A body without slots is done once here; one
 * with slots becomes a single text slot with the body's deps. The HTML tracker followed the body
 * as written: it starts and ends in text, where trimming it changes no context (inside a tag it
 * would: `<scrip{% spaceless %} t>` renders `<script>`).
 */
export function spacelessTag(p: Parser, token: Token, out: BlockBuilder): void {
  p.html?.requireText(token.loc, '{% spaceless %}');
  const body = p.builder();
  p.parse(body, ['endspaceless']);
  const inner = body.finish();
  p.html?.requireText(token.loc, '{% spaceless %}');
  if (inner.block.slots.length === 0) {
    out.fedText(inner.block.statics[0].trim().replace(BETWEEN_TAGS, '><'));
    return;
  }
  const block = inner.block;
  const render = (scope: Scope): string => renderToString(block, scope).trim().replace(BETWEEN_TAGS, '><');
  out.slot(createTextSlot(render, String, inner.deps, token.loc), 't');
}
