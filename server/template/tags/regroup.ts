/**
 * `{% regroup list by attr as name %}`: binds `name` for the rest of the body to the list's runs
 * of consecutive items with equal `attr` (Python's itertools.groupby), each a `{grouper, list}`
 * that also unpacks (`{% for grouper, items in name %}`). Deps: the list's and what `attr` reads.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { unbind, union } from '../deps.ts';
import { compileFilterExpression } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { FrameScope } from '../scope.ts';
import type { Scope } from '../types.ts';
import { isPlainObject, SafeString } from '../values.ts';
import { sameValue } from './ifchanged.ts';
import { bindRest } from './with.ts';

/** Django's GroupedResult namedtuple: attributes and unpacking. */
class Group {
  readonly grouper: unknown;
  readonly list: unknown[];
  constructor(grouper: unknown, list: unknown[]) {
    this.grouper = grouper;
    this.list = list;
  }
  *[Symbol.iterator](): Iterator<unknown> {
    yield this.grouper;
    yield this.list;
  }
}

function items(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined || typeof value !== 'object' || isPlainObject(value) || value instanceof SafeString) return [];
  return Symbol.iterator in value ? Array.from(value as Iterable<unknown>) : [];
}

export function regroupTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  if (bits.length !== 6) throw p.error(token, `'regroup' tag takes five arguments`);
  if (bits[2] !== 'by') throw p.error(token, `second argument to 'regroup' tag must be 'by'`);
  if (bits[4] !== 'as') throw p.error(token, `next-to-last argument to 'regroup' tag must be 'as'`);
  const name = bits[5];
  const options = { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: false };
  const list = compileFilterExpression(bits[1], options);
  // As in Django, `by` is read as `name.attr|filters` with `name` bound to each item.
  const by = compileFilterExpression(`${name}.${bits[3]}`, options);
  const names = [name];
  const group = (scope: Scope): Group[] => {
    const groups: Group[] = [];
    for (const item of items(list.evaluate(scope))) {
      const key = by.evaluate(new FrameScope(names, [item], scope));
      const last = groups[groups.length - 1];
      if (last !== undefined && sameValue(last.grouper, key)) last.list.push(item);
      else groups.push(new Group(key, [item]));
    }
    return groups;
  };
  bindRest(p, out, names, [group], union([list.deps, unbind(by.deps, names)]), token.loc);
}
