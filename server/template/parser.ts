/**
 * The parser walks the token list once and builds blocks directly: text and `{{ }}` go into
 * the current block, each block tag's handler (tags/) parses its own bodies into nested blocks.
 * Lexical settings (autoescape) and the HTML context tracker live here while parsing.
 */
import { BlockBuilder } from './block-builder.ts';
import type { AttrDecl } from './component.ts';
import { TemplateSyntaxError } from './errors.ts';
import { compileFilterExpression } from './expression.ts';
import { HtmlContextTracker, type HtmlState } from './html-context.ts';
import type { BlockDef } from './inheritance.ts';
import type { Token } from './lexer.ts';
import { createOutput, createTextSlot, type Output } from './output.ts';
import { TAGS, UNSUPPORTED_TAGS, type TagHandler } from './tags/index.ts';
import type { SourceLocation, Template } from './types.ts';

export interface ParserEnv {
  readonly file: string;
  readonly autoescape: boolean;
  readonly htmlChecks: boolean;
  /** An include target known at compile time, or null when it must load at render (recursion). */
  resolveInclude(name: string, autoescape: boolean, loc: SourceLocation): Template | null;
  /** Loads an include target at render time (variable names, recursive includes). */
  loadAtRender(name: string, autoescape: boolean, loc: SourceLocation): Template;
  /** `{% block %}` definitions along the `{% extends %}` chain, most-derived first (inheritance.ts). */
  readonly blocks: ReadonlyMap<string, readonly BlockDef[]>;
  /** App-defined tags (custom-tags.ts). */
  readonly tags: ReadonlyMap<string, TagHandler>;
  /** The names of the registered live components (D80): `{% live_component %}` accepts only these. */
  readonly components?: ReadonlySet<string>;
  /** The view class names `{% live %}` may nest (D81); undefined: not checked when compiling. */
  readonly views?: ReadonlySet<string>;
}

const TEXT_CONTEXT = { kind: 'text' } as const;

/**
 * Block tags open at once, at most. Parsing, rendering and diffing recurse per level: about 1,500
 * nested tags overflow the stack, which would surface as a RangeError instead of an error with
 * a place. Real templates stay far below; deeper structure belongs in data or includes.
 */
export const MAX_NESTING = 100;

function textList(items: readonly string[]): string {
  const quoted = items.map((i) => `'${i}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

export class Parser {
  readonly env: ParserEnv;
  readonly html: HtmlContextTracker | null;
  /** `{% autoescape %}` is lexical: it decides how the `{{ }}` it encloses are compiled. */
  autoescape: boolean;
  private tokens: readonly Token[];
  private pos = 0;
  private readonly open: Token[] = [];
  /** What the innermost `parse` call is looking for (see `parseRest`). */
  private until: readonly string[] = [];
  /** Set by `parseRest`: the end tag the innermost `parse` call returns without reading on. */
  private stopped: Token | null = null;
  /** A component template's `{% attrs %}` (tags/component.ts, D79), or null. */
  attrs: { readonly decls: readonly AttrDecl[]; readonly token: Token } | null = null;
  /** Slot names this file renders with `{% render_slot %}`. */
  readonly renderedSlots = new Set<string>();
  /** `{% block %}` names met while parsing: a child's block not among them is never shown. */
  readonly placedBlocks = new Set<string>();

  constructor(tokens: readonly Token[], env: ParserEnv) {
    this.tokens = tokens;
    this.env = env;
    this.autoescape = env.autoescape;
    this.html = env.htmlChecks ? new HtmlContextTracker() : null;
  }

  /** A builder for a nested block, starting from the given HTML state (for alternative paths). */
  builder(start?: HtmlState): BlockBuilder {
    if (start !== undefined && this.html !== null) this.html.state = start;
    return new BlockBuilder(this.html);
  }

  htmlState(): HtmlState | undefined {
    return this.html?.state;
  }

  /** Parses into `out` until a block tag whose first word is in `until`, and returns that tag. */
  parse(out: BlockBuilder, until: readonly string[]): Token {
    const outer = this.until;
    this.until = until;
    try {
      return this.parseUntil(out, until);
    } finally {
      this.until = outer;
    }
  }

  /**
   * Parses the rest of the enclosing body (up to the tag that closes it) into `out`, and makes
   * the enclosing `parse` return that tag. A tag binding a name for what follows it (`cycle … as
   * x`, `regroup … as x`, `widthratio … as x`) uses this to scope the rest as a `with` body.
   */
  parseRest(out: BlockBuilder): void {
    const self = this.open.pop()!; // an unclosed body is reported at its opener, not at this tag
    try {
      this.stopped = this.parse(out, this.until);
    } finally {
      this.open.push(self);
    }
  }

  /**
   * Parses a body opened by a tag met inside another tag's body (`{% slot %}` inside
   * `{% component %}`), so an unclosed body is reported at its own opener.
   */
  parseNested(opener: Token, out: BlockBuilder, until: readonly string[]): Token {
    this.open.push(opener);
    try {
      return this.parse(out, until);
    } finally {
      this.open.pop();
    }
  }

  /** The open block tags, innermost last (a tag that must know what it is nested in). */
  get openTags(): readonly Token[] {
    return this.open;
  }

  private parseUntil(out: BlockBuilder, until: readonly string[]): Token {
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++];
      if (token.type === 'text') out.text(token.contents, token.loc);
      else if (token.type === 'var') this.variable(token, out);
      else if (token.type === 'block') {
        const command = token.contents.split(/\s+/)[0];
        if (command === '') throw this.error(token, `Empty block tag on line ${token.loc.line}`);
        if (until.includes(command)) return token;
        this.blockTag(token, command, until, out);
        if (this.stopped !== null) {
          const end = this.stopped;
          this.stopped = null;
          return end;
        }
      }
    }
    if (until.length === 0) return { type: 'block', contents: '', loc: this.endLoc() };
    const opener = this.open.pop()!;
    const command = opener.contents.split(/\s+/)[0];
    throw this.error(opener, `Unclosed tag on line ${opener.loc.line}: '${command}'. Looking for one of: ${until.join(', ')}.`);
  }

  /** Skips raw tokens up to the block tag `end` (`{% comment %}`: its inside is never parsed). */
  skipPast(end: string): void {
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos++];
      if (token.type === 'block' && token.contents === end) return;
    }
    const opener = this.open.pop()!;
    throw this.error(opener, `Unclosed tag on line ${opener.loc.line}: '${opener.contents.split(/\s+/)[0]}'. Looking for one of: ${end}.`);
  }

  /** The tokens not parsed yet (a block tag reads its own body with inheritance.ts). */
  get rest(): { readonly tokens: readonly Token[]; readonly pos: number } {
    return { tokens: this.tokens, pos: this.pos };
  }

  /** Continues after `pos` (a block tag that consumed its own body). */
  seek(pos: number): void {
    this.pos = pos;
  }

  /** Parses another token list (a block definition from a file up the extends chain) into `out`. */
  parseTokens(tokens: readonly Token[], out: BlockBuilder): void {
    const [saved, savedPos] = [this.tokens, this.pos];
    this.tokens = tokens;
    this.pos = 0;
    try {
      this.parse(out, []);
    } finally {
      this.tokens = saved;
      this.pos = savedPos;
    }
  }

  /** How a value output at `loc` becomes HTML (escaping, URL and CSS checks for where it lands). */
  outputAt(loc: SourceLocation): Output {
    return createOutput(this.html === null ? TEXT_CONTEXT : this.html.classify(loc), this.autoescape);
  }

  error(token: Token, message: string): TemplateSyntaxError {
    return new TemplateSyntaxError(token.loc, message);
  }

  private endLoc(): SourceLocation {
    const last = this.tokens[this.tokens.length - 1];
    return last?.loc ?? { file: this.env.file, line: 1, column: 1 };
  }

  private blockTag(token: Token, command: string, until: readonly string[], out: BlockBuilder): void {
    const handler = TAGS.get(command) ?? this.env.tags.get(command);
    if (handler === undefined) {
      const line = token.loc.line;
      const reason = UNSUPPORTED_TAGS.get(command);
      if (reason !== undefined) throw this.error(token, `Unsupported tag on line ${line}: '${command}'. ${reason}`);
      const expected = until.length > 0 ? `, expected ${textList(until)}` : '';
      throw this.error(token, `Invalid block tag on line ${line}: '${command}'${expected}. Did you forget to register or load this tag?`);
    }
    if (this.open.length >= MAX_NESTING) {
      throw this.error(token, `Block tags nested more than ${MAX_NESTING} deep on line ${token.loc.line}: flatten the template, or move part of it into an {% include %}.`);
    }
    this.open.push(token);
    handler(this, token, out);
    this.open.pop();
  }

  private variable(token: Token, out: BlockBuilder): void {
    if (token.contents === '') throw this.error(token, `Empty variable tag on line ${token.loc.line}`);
    const expr = compileFilterExpression(token.contents, { loc: token.loc, autoescape: this.autoescape, missingAsEmpty: true });
    const context = this.html === null ? TEXT_CONTEXT : this.html.classify(token.loc);
    const output = createOutput(context, this.autoescape);
    // A literal (`{{ "—" }}`) never changes: it becomes static text, not a slot.
    if (expr.literal !== undefined) out.text(output(expr.literal.value), token.loc);
    else out.slot(createTextSlot(expr.evaluate, output, expr.deps, token.loc), 't');
  }
}
