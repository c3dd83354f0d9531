/**
 * `{% block name %}` … `{% endblock %}` and `{% extends %}` (D74). The chain is resolved in
 * compile.ts and inheritance.ts; here a block picks its most-derived definition and parses it
 * where it stands. A body that never reads `block` is inlined: no slot, no scope, the same
 * statics and slots as if the page had been written out flat. A body that reads `{{ block.super }}`
 * becomes a branch slot binding `block`, whose `super` renders the parent's definition (compiled
 * at the same place) in the same scope.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { unbind, union, type Deps } from '../deps.ts';
import { BlockContext, blockName, endOfBlock, type BlockDef } from '../inheritance.ts';
import type { Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { renderToString } from '../render.ts';
import { FrameScope } from '../scope.ts';
import type { Block, BranchSlot, Scope, SourceLocation } from '../types.ts';
import { SafeString } from '../values.ts';

const BLOCK = ['block'];
const EMPTY = new SafeString('');

class BlockSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = true;
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly body: Block;
  private readonly parent: Block | null;

  constructor(body: Block, parent: Block | null, deps: Deps, loc: SourceLocation) {
    this.body = body;
    this.parent = parent;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } {
    const parent = this.parent;
    const context = new BlockContext(() => (parent === null ? EMPTY : new SafeString(renderToString(parent, scope))));
    return { block: this.body, scope: new FrameScope(BLOCK, [context], scope) };
  }
}

const readsBlock = (deps: Deps): boolean => deps === null || [...deps].some((d) => d === 'block' || d.startsWith('block.'));
const mentionsSuper = (def: BlockDef): boolean => def.tokens.some((t) => t.type !== 'text' && t.contents.includes('block.super'));

/** Parses definition `i` of `defs` (most-derived first) into `out`, with `block.super` = `i + 1`. */
function emit(p: Parser, defs: readonly BlockDef[], i: number, out: BlockBuilder): void {
  const start = p.htmlState();
  let parent: Block | null = null;
  let parentDeps: Deps = new Set<string>();
  if (i + 1 < defs.length && mentionsSuper(defs[i])) {
    const builder = p.builder(start);
    emit(p, defs, i + 1, builder);
    ({ block: parent, deps: parentDeps } = builder.finish());
  }
  const body = p.builder(start);
  p.parseTokens(defs[i].tokens, body);
  const built = body.finish();
  if (!readsBlock(built.deps)) {
    out.inline(body);
    return;
  }
  const deps = union([unbind(built.deps, BLOCK), parentDeps]);
  out.slot(new BlockSlot(built.block, parent, deps, defs[i].opener.loc), `block(${built.block.fp},${parent?.fp ?? ''})`);
}

export function blockTag(p: Parser, token: Token, out: BlockBuilder): void {
  const name = blockName(token);
  p.placedBlocks.add(name);
  const { tokens, pos } = p.rest;
  const end = endOfBlock(tokens, pos, token, name);
  p.seek(end);
  const own: BlockDef = { opener: token, tokens: tokens.slice(pos, end - 1) };
  const chain = p.env.blocks.get(name) ?? [];
  const defs = chain.some((d) => d.opener === token) ? chain : [...chain, own];
  emit(p, defs, 0, out);
}

/** Met while parsing: the template's first tag is handled by compile.ts, so this one is not first. */
export function extendsTag(p: Parser, token: Token): void {
  throw p.error(token, `'extends' must be the first tag in the template, and cannot appear more than once in the same template.`);
}
