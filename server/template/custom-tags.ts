/**
 * App-defined tags (D75): `createServer({ tags: { initials: (name) => … } })`, used as
 * `{% initials user.name %}`. A tag is a function of its arguments — positional and `key=value`,
 * each any filter expression — and nothing else, so its slot depends on exactly the names its
 * arguments read and re-renders only when they change. Its result is escaped like `{{ }}` at the
 * same place unless the definition says `safe: true`; `{% tag … as name %}` binds the result for
 * the rest of the enclosing body instead. A tag that throws while rendering fails the render with
 * LV_TEMPLATE_TAG_FAILED, naming the tag's file, line and column.
 */
import type { BlockBuilder } from './block-builder.ts';
import { union } from './deps.ts';
import { TemplateSyntaxError, TemplateTagError } from './errors.ts';
import { compileFilterExpression, type Evaluator } from './expression.ts';
import { splitContents, type Token } from './lexer.ts';
import { createTextSlot } from './output.ts';
import type { Parser } from './parser.ts';
import { TAGS, type TagHandler } from './tags/index.ts';
import { bindRest } from './tags/with.ts';
import { SafeString, plain } from './values.ts';

/** What a tag's function receives and may return. */
export type TagFunction = (...args: any[]) => unknown;

export interface TagDefinition {
  /** Called with the tag's evaluated positional arguments, then (if any were given) an object of its `key=value` ones. */
  readonly render: TagFunction;
  /** The result is HTML the tag vouches for (it escapes what it interpolates): output as is. Default false: escaped. */
  readonly safe?: boolean;
}

/** `createServer({ tags })`: a function, or `{ render, safe }`. */
export type TagDefinitions = Readonly<Record<string, TagFunction | TagDefinition>>;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const KWARG = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s;

/** Problems with the definitions, one line each: [check id, detail] (docs/checks.md C064, C065). */
export function checkTagDefinitions(tags: unknown): [id: 'livery.C064' | 'livery.C065', detail: string][] {
  if (tags === undefined) return [];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [['livery.C064', 'tags must be an object: { name: function or { render, safe } }']];
  const problems: [id: 'livery.C064' | 'livery.C065', detail: string][] = [];
  for (const [name, def] of Object.entries(tags)) {
    if (!NAME.test(name)) problems.push(['livery.C064', `tags.${name}: a tag name is a letter then letters, digits or _`]);
    else if (TAGS.has(name) || name.startsWith('end') || ['elif', 'else', 'empty'].includes(name)) {
      problems.push(['livery.C065', `tags.${name}: '${name}' is a built-in tag or a part of one; choose another name`]);
    }
    const render = typeof def === 'function' ? def : (def as TagDefinition | null)?.render;
    if (typeof render !== 'function') problems.push(['livery.C064', `tags.${name}: give a function, or { render: function, safe?: boolean }`]);
    const safe = typeof def === 'object' && def !== null ? (def as TagDefinition).safe : undefined;
    if (safe !== undefined && typeof safe !== 'boolean') problems.push(['livery.C064', `tags.${name}: safe must be true or false`]);
  }
  return problems;
}

/** Arguments as the app's function sees them: template string literals as plain strings. */
const arg = (value: unknown): unknown => plain(value);

function handler(name: string, def: TagFunction | TagDefinition): TagHandler {
  const render = typeof def === 'function' ? def : def.render;
  const safe = typeof def === 'function' ? false : def.safe === true;
  return (p: Parser, token: Token, out: BlockBuilder) => {
    const bits = splitContents(token.contents).slice(1);
    let asName: string | null = null;
    if (bits.length >= 2 && bits[bits.length - 2] === 'as') {
      asName = bits.pop()!;
      bits.pop();
      if (!NAME.test(asName)) throw new TemplateSyntaxError(token.loc, `'${name}' tag: '${asName}' after 'as' is not a name`);
    }
    const options = { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: true };
    const positional: Evaluator[] = [];
    const keys: string[] = [];
    const keyed: Evaluator[] = [];
    const deps = [];
    for (const bit of bits) {
      const kw = KWARG.exec(bit);
      const expr = compileFilterExpression(kw === null ? bit : kw[2], options);
      deps.push(expr.deps);
      if (kw === null) {
        if (keys.length > 0) throw new TemplateSyntaxError(token.loc, `'${name}' tag: positional argument '${bit}' after a key=value one`);
        positional.push(expr.evaluate);
      } else {
        if (keys.includes(kw[1])) throw new TemplateSyntaxError(token.loc, `'${name}' tag received '${kw[1]}' twice`);
        keys.push(kw[1]);
        keyed.push(expr.evaluate);
      }
    }
    const loc = token.loc;
    const evaluate: Evaluator = (scope) => {
      const args = positional.map((e) => arg(e(scope)));
      if (keys.length > 0) args.push(Object.fromEntries(keys.map((k, i) => [k, arg(keyed[i](scope))])));
      let result: unknown;
      try {
        result = render(...args);
      } catch (error) {
        throw new TemplateTagError(loc, name, error);
      }
      return safe && typeof result === 'string' ? new SafeString(result) : result;
    };
    if (asName !== null) bindRest(p, out, [asName], [evaluate], union(deps), loc);
    else out.slot(createTextSlot(evaluate, p.outputAt(loc), union(deps), loc), 't');
  };
}

/** The parser's view of the definitions (checked at startup with `checkTagDefinitions`). */
export function tagHandlers(tags: TagDefinitions | undefined): ReadonlyMap<string, TagHandler> {
  return new Map(Object.entries(tags ?? {}).map(([name, def]) => [name, handler(name, def)]));
}
