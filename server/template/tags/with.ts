/** `{% with a=x b=y %}` … `{% endwith %}`: a branch slot whose body sees the new names. */
import type { BlockBuilder } from '../block-builder.ts';
import { unbind, union, type Deps } from '../deps.ts';
import type { Evaluator } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { FrameScope } from '../scope.ts';
import type { Block, BranchSlot, Scope, SourceLocation } from '../types.ts';
import { tokenKwargs } from './kwargs.ts';

export class WithSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = true;
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly names: readonly string[];
  private readonly values: readonly Evaluator[];
  private readonly body: Block;

  constructor(names: readonly string[], values: readonly Evaluator[], body: Block, deps: Deps, loc: SourceLocation) {
    this.names = names;
    this.values = values;
    this.body = body;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } {
    const values = new Array<unknown>(this.values.length);
    for (let i = 0; i < values.length; i++) values[i] = this.values[i](scope);
    return { block: this.body, scope: new FrameScope(this.names, values, scope) };
  }
}

export function withTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  const rest = bits.slice(1);
  const kwargs = tokenKwargs(rest, token.loc, p.autoescape, true);
  if (kwargs.size === 0) throw p.error(token, `'${bits[0]}' expected at least one variable assignment`);
  if (rest.length > 0) throw p.error(token, `'${bits[0]}' received an invalid token: '${rest[0]}'`);
  const body = p.builder();
  p.parse(body, ['endwith']);
  const built = body.finish();
  const names = [...kwargs.keys()];
  const exprs = [...kwargs.values()];
  const deps = union([...exprs.map((e) => e.deps), unbind(built.deps, names)]);
  out.slot(new WithSlot(names, exprs.map((e) => e.evaluate), built.block, deps, token.loc), `with(${built.block.fp})`);
}

/**
 * Binds `names` for the rest of the enclosing body, like a `{% with %}` reaching to its end: how a
 * tag with `as name` (`cycle`, `regroup`, `firstof`, `widthratio`, `now`) makes its value visible
 * to what follows it, as Django's context assignment does.
 */
export function bindRest(p: Parser, out: BlockBuilder, names: readonly string[], values: readonly Evaluator[], valueDeps: Deps, loc: SourceLocation): void {
  const body = p.builder();
  p.parseRest(body);
  const built = body.finish();
  const deps = union([valueDeps, unbind(built.deps, names)]);
  out.slot(new WithSlot(names, values, built.block, deps, loc), `with(${built.block.fp})`);
}
