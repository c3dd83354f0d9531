/**
 * Template inheritance (`{% extends %}` / `{% block %}`, D74), resolved at compile time.
 *
 * A template that extends another is compiled as its root-most ancestor's tokens with block
 * definitions spliced in: every `{% block name %}` met while parsing takes the most-derived
 * definition of `name` along the chain. The result is one ordinary block tree — a page extending
 * a layout has exactly the statics and slots it would have if written out flat, so a change
 * inside one block diffs like any other slot. Block contents are parsed at the place they land,
 * so the HTML context checks and `{% autoescape %}` of the layout apply to them, and errors in
 * them still name the file, line and column they were written at.
 */
import { TemplateSyntaxError } from './errors.ts';
import { splitContents, type Token } from './lexer.ts';
import type { Template } from './types.ts';

/** One `{% block %}` definition: the tokens between it and its `{% endblock %}`. */
export interface BlockDef {
  readonly opener: Token;
  readonly tokens: readonly Token[];
}

/** What a template passes on to the templates that extend it. */
export interface Layout {
  /** The root-most ancestor's tokens: what every descendant is parsed as. */
  readonly tokens: readonly Token[];
  /** Block name → definitions, most-derived first (the root-most ancestor's own last). */
  readonly blocks: ReadonlyMap<string, readonly BlockDef[]>;
}

const layouts = new WeakMap<Template, Layout>();
const unplaced = new WeakMap<Template, readonly BlockDef[]>();

/**
 * A child's blocks that no template it extends has a place for. Django ignores them silently (its
 * test `inheritance14` asserts it), and so does the render; the server logs a warning for each at
 * startup (`LV_TEMPLATE_BLOCK_UNUSED`), since a misspelt block name is otherwise invisible.
 */
export function unplacedBlocks(template: Template): readonly BlockDef[] {
  return unplaced.get(template) ?? [];
}

export function rememberUnplaced(template: Template, defs: readonly BlockDef[]): void {
  if (defs.length > 0) unplaced.set(template, defs);
}

export function rememberLayout(template: Template, layout: Layout): void {
  layouts.set(template, layout);
}

export function layoutOf(template: Template): Layout {
  const layout = layouts.get(template);
  if (layout === undefined) throw new Error(`template '${template.name}' was not compiled by compileTemplate`);
  return layout;
}

const command = (token: Token): string => token.contents.split(/\s+/)[0];

/** Past a `{% comment %}` … `{% endcomment %}` starting at `i` (its inside is never parsed), else `i`. */
function pastComment(tokens: readonly Token[], i: number): number {
  if (tokens[i].type !== 'block' || command(tokens[i]) !== 'comment') return i;
  let j = i + 1;
  while (j < tokens.length && !(tokens[j].type === 'block' && tokens[j].contents === 'endcomment')) j++;
  return j;
}

export function blockName(token: Token): string {
  const bits = splitContents(token.contents);
  if (bits.length !== 2) throw new TemplateSyntaxError(token.loc, `'block' tag takes only one argument`);
  return bits[1];
}

/**
 * The index just past the `{% endblock %}` matching the block opened before `start`. A named end
 * (`{% endblock content %}`) must name the block it closes, as in Django.
 */
export function endOfBlock(tokens: readonly Token[], start: number, opener: Token, name: string): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    i = pastComment(tokens, i);
    const token = tokens[i];
    if (token === undefined) break;
    if (token.type !== 'block') continue;
    const c = command(token);
    if (c === 'block') depth++;
    else if (c === 'endblock') {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (token.contents !== 'endblock' && token.contents !== `endblock ${name}`) {
        throw new TemplateSyntaxError(token.loc, `Invalid block tag on line ${token.loc.line}: '${token.contents}', expected 'endblock' or 'endblock ${name}'. Did you forget to register or load this tag?`);
      }
      return i + 1;
    }
  }
  throw new TemplateSyntaxError(opener.loc, `Unclosed tag on line ${opener.loc.line}: 'block'. Looking for one of: endblock.`);
}

/** Every block a file defines, nested ones included; a name defined twice is an error. */
export function scanBlocks(tokens: readonly Token[]): Map<string, BlockDef> {
  const found = new Map<string, BlockDef>();
  for (let i = 0; i < tokens.length; i++) {
    i = pastComment(tokens, i);
    const token = tokens[i];
    if (token === undefined) break;
    if (token.type !== 'block' || command(token) !== 'block') continue;
    const name = blockName(token);
    if (found.has(name)) throw new TemplateSyntaxError(token.loc, `'block' tag with name '${name}' appears more than once`);
    const end = endOfBlock(tokens, i + 1, token, name);
    found.set(name, { opener: token, tokens: tokens.slice(i + 1, end - 1) });
  }
  return found;
}

/** The `{% extends %}` token when it is the template's first tag, else null. */
export function extendsToken(tokens: readonly Token[]): Token | null {
  const first = tokens.find((t) => t.type === 'block' || t.type === 'var');
  return first !== undefined && first.type === 'block' && command(first) === 'extends' ? first : null;
}

/** A child's layout: the parent's tokens, with the child's definitions put in front. */
export function extendLayout(parent: Layout, own: ReadonlyMap<string, BlockDef>): Layout {
  const blocks = new Map<string, readonly BlockDef[]>(parent.blocks);
  for (const [name, def] of own) blocks.set(name, [def, ...(parent.blocks.get(name) ?? [])]);
  return { tokens: parent.tokens, blocks };
}

export function rootLayout(tokens: readonly Token[], own: ReadonlyMap<string, BlockDef>): Layout {
  return { tokens, blocks: new Map([...own].map(([name, def]) => [name, [def]])) };
}

/** `{{ block.super }}`: the parent's rendering of the same block, already HTML. */
export class BlockContext {
  readonly #render: () => unknown;
  constructor(render: () => unknown) {
    this.#render = render;
  }
  get super(): unknown {
    return this.#render();
  }
}
