/**
 * `{% if %}` / `{% elif %}` / `{% else %}` / `{% endif %}`: a branch slot choosing one block per
 * condition (same scope, so `scoped` is false). Without `else` and no true condition it selects
 * null and renders nothing.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { union, type Deps } from '../deps.ts';
import type { Evaluator } from '../expression.ts';
import type { HtmlState } from '../html-context.ts';
import { compileCondition } from '../if-expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import type { Block, BranchSlot, Scope, SourceLocation } from '../types.ts';
import { truthy } from '../values.ts';

class IfSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = false;
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly conditions: readonly (Evaluator | null)[];
  private readonly blocks: readonly Block[];

  constructor(conditions: readonly (Evaluator | null)[], blocks: readonly Block[], deps: Deps, loc: SourceLocation) {
    this.conditions = conditions;
    this.blocks = blocks;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } | null {
    const conditions = this.conditions;
    for (let i = 0; i < conditions.length; i++) {
      const condition = conditions[i];
      if (condition === null || truthy(condition(scope))) return { block: this.blocks[i], scope };
    }
    return null;
  }
}

export function ifTag(p: Parser, token: Token, out: BlockBuilder): void {
  const start = p.htmlState();
  const conditions: (Evaluator | null)[] = [];
  const blocks: Block[] = [];
  const deps: Deps[] = [];
  const ends: HtmlState[] = [];

  const branch = (condition: Token | null, until: readonly string[]): Token => {
    if (condition !== null) {
      const compiled = compileCondition(splitContents(condition.contents).slice(1), condition.loc, p.autoescape);
      conditions.push(compiled.evaluate);
      deps.push(compiled.deps);
    } else {
      conditions.push(null);
    }
    const body = p.builder(start);
    const end = p.parse(body, until);
    const built = body.finish();
    blocks.push(built.block);
    deps.push(built.deps);
    const state = p.htmlState();
    if (state !== undefined) ends.push(state);
    return end;
  };

  let end = branch(token, ['elif', 'else', 'endif']);
  while (end.contents.startsWith('elif')) end = branch(end, ['elif', 'else', 'endif']);
  if (end.contents === 'else') end = branch(null, ['endif']);
  else if (start !== undefined) ends.push(start); // the path where nothing is rendered
  if (end.contents !== 'endif') throw p.error(end, `Malformed template tag at line ${end.loc.line}: "${end.contents}"`);

  if (p.html !== null) p.html.state = p.html.merge(ends, token.loc, '{% if %}');
  out.slot(new IfSlot(conditions, blocks, union(deps), token.loc), `if(${blocks.map((b) => b.fp).join(',')})`);
}
