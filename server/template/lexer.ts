/**
 * Splits template source into tokens, exactly as Django's lexer does: a tag never spans a line
 * (`{{ a\n }}` is text), and inside `{% verbatim %}` every tag is text until the matching end.
 */
import type { SourceLocation } from './types.ts';

export type TokenType = 'text' | 'var' | 'block' | 'comment';

export interface Token {
  readonly type: TokenType;
  /** Text tokens: the raw text. Tags: the inside, trimmed (`if a` for `{% if a %}`). */
  readonly contents: string;
  readonly loc: SourceLocation;
}

const TAG_RE = /\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}/g;

export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  let verbatimEnd: string | null = null;

  // Positions only move forward, so line/column bookkeeping is one pass over the source.
  const locate = (offset: number): SourceLocation => {
    for (let i = scanned; i < offset; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    scanned = offset;
    return { file, line, column: offset - lineStart + 1 };
  };
  const text = (start: number, end: number): void => {
    if (end > start) tokens.push({ type: 'text', contents: source.slice(start, end), loc: locate(start) });
  };

  let upto = 0;
  for (const match of source.matchAll(TAG_RE)) {
    const start = match.index;
    const raw = match[0];
    text(upto, start);
    upto = start + raw.length;
    const kind = raw[1];
    const contents = raw.slice(2, -2).trim();
    if (verbatimEnd !== null) {
      if (kind === '%' && contents === verbatimEnd) {
        verbatimEnd = null;
        tokens.push({ type: 'block', contents, loc: locate(start) });
      } else {
        tokens.push({ type: 'text', contents: raw, loc: locate(start) });
      }
      continue;
    }
    if (kind === '%') {
      if (contents === 'verbatim' || contents.startsWith('verbatim ')) verbatimEnd = `end${contents}`;
      tokens.push({ type: 'block', contents, loc: locate(start) });
    } else {
      tokens.push({ type: kind === '{' ? 'var' : 'comment', contents, loc: locate(start) });
    }
  }
  text(upto, source.length);
  return tokens;
}

/**
 * Django's `smart_split`: split on whitespace, keeping quoted strings (with their quotes) whole,
 * also when they are glued to other characters (`x|default:"a b"`).
 */
const SMART_SPLIT_RE = /(?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+/g;

export function splitContents(contents: string): string[] {
  return contents.match(SMART_SPLIT_RE) ?? [];
}
