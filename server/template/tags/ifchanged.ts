/**
 * `{% ifchanged [a b …] %}` … `[{% else %}` … `]{% endifchanged %}`: inside a loop, renders its
 * body when the watched values (or, with none, the rendered body) differ from the previous item's.
 *
 * Django remembers what the tag last rendered; Livery compares with the previous item of the same
 * run of the loop, which is the same thing unless the tag sits under a condition that skipped the
 * previous item. Comparing with a neighbour ties an item to the one before it, so such a loop
 * re-renders all its items on a change rather than only the changed ones (PREVIOUS_ITEM in deps.ts).
 */
import type { BlockBuilder } from '../block-builder.ts';
import { PREVIOUS_ITEM, union, type Deps } from '../deps.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import type { HtmlState } from '../html-context.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { renderToString } from '../render.ts';
import { ForloopInfo } from '../scope.ts';
import type { Block, BranchSlot, Scope, SourceLocation } from '../types.ts';
import { plain, SafeString } from '../values.ts';

/** Python's `==` for the values a template compares: deep for lists and dicts. */
export function sameValue(a: unknown, b: unknown): boolean {
  const x = plain(a instanceof SafeString ? a.value : a);
  const y = plain(b instanceof SafeString ? b.value : b);
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (x instanceof Date && y instanceof Date) return x.getTime() === y.getTime();
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  return kx.every((k) => Object.hasOwn(y, k) && sameValue((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

class IfChangedSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = false;
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly watched: readonly Evaluator[];
  private readonly body: Block;
  private readonly otherwise: Block | null;

  constructor(watched: readonly Evaluator[], body: Block, otherwise: Block | null, deps: Deps, loc: SourceLocation) {
    this.watched = watched;
    this.body = body;
    this.otherwise = otherwise;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } | null {
    const forloop = scope.get('forloop');
    const previous = forloop instanceof ForloopInfo ? forloop.previousItem() : null;
    const changed = previous === null || !this.same(scope, previous);
    if (changed) return { block: this.body, scope };
    return this.otherwise === null ? null : { block: this.otherwise, scope };
  }

  private same(scope: Scope, previous: Scope): boolean {
    if (this.watched.length === 0) return renderToString(this.body, scope) === renderToString(this.body, previous);
    return this.watched.every((w) => sameValue(w(scope), w(previous)));
  }
}

export function ifchangedTag(p: Parser, token: Token, out: BlockBuilder): void {
  const options = { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: true };
  const watched = splitContents(token.contents).slice(1).map((b) => compileFilterExpression(b, options));
  const start = p.htmlState();
  const ends: HtmlState[] = [];
  const bodyBuilder = p.builder(start);
  let end = p.parse(bodyBuilder, ['else', 'endifchanged']);
  const body = bodyBuilder.finish();
  if (start !== undefined) ends.push(p.htmlState()!);
  let otherwise: ReturnType<BlockBuilder['finish']> | null = null;
  if (end.contents === 'else') {
    const elseBuilder = p.builder(start);
    end = p.parse(elseBuilder, ['endifchanged']);
    otherwise = elseBuilder.finish();
    if (start !== undefined) ends.push(p.htmlState()!);
  } else if (start !== undefined) ends.push(start);
  if (p.html !== null) p.html.state = p.html.merge(ends, token.loc, '{% ifchanged %}');
  const deps = union([...watched.map((w) => w.deps), body.deps, otherwise?.deps ?? new Set(), new Set(['forloop', PREVIOUS_ITEM])]);
  out.slot(new IfChangedSlot(watched.map((w) => w.evaluate), body.block, otherwise?.block ?? null, deps, token.loc), `if(${body.block.fp},${otherwise?.block.fp ?? ''})`);
}
