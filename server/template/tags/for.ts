/**
 * `{% for x in xs [reversed] [key expr] %}` … `{% empty %}` … `{% endfor %}`: a loop slot.
 *
 * Each item is one LoopItemScope (both the LoopItem and the item's scope) plus its `forloop`.
 * `key expr` (Livery's extension) is evaluated in the item's scope; without it items are keyed
 * by position. What Django iterates, we iterate: arrays, strings (characters), Maps and plain
 * objects (their keys, like a dict), Sets and other iterables; null and non-iterables are empty.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { PREVIOUS_ITEM, union, unbindLoop, type Deps } from '../deps.ts';
import { TemplateValueError } from '../errors.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import type { HtmlState } from '../html-context.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { ForloopInfo, LoopItemScope } from '../scope.ts';
import type { Block, LoopItem, LoopSlot, Scope, SourceLocation } from '../types.ts';
import { isPlainObject, SafeString, toText } from '../values.ts';

const EMPTY: readonly unknown[] = Object.freeze([]);
const INDEX_KEYS: string[] = [];
const INDEX_KEY_CACHE = 4096;

/** Position keys are the same strings every render; caching them saves an allocation per item. */
function indexKey(i: number): string {
  if (i >= INDEX_KEY_CACHE) return String(i);
  return (INDEX_KEYS[i] ??= String(i));
}

function toSequence(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') return Array.from(value);
  if (value instanceof SafeString) return Array.from(value.value);
  if (value instanceof Map) return [...value.keys()];
  if (isPlainObject(value)) return Object.keys(value);
  if (typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
  return EMPTY;
}

function isSized(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  return Array.isArray(value) || value instanceof SafeString || isPlainObject(value) || Symbol.iterator in value;
}

/** Python's unpacking: a sized value gives its items; anything else counts as one value. */
function unpack(item: unknown, count: number, loc: SourceLocation): readonly unknown[] {
  const values = isSized(item) ? toSequence(item) : null;
  const got = values === null ? 1 : values.length;
  if (values === null || got !== count) throw new TemplateValueError(loc, `Need ${count} values to unpack in for loop; got ${got}. `);
  return values;
}

class ForSlot implements LoopSlot {
  readonly kind = 'loop';
  readonly body: Block;
  readonly empty: Block | null;
  readonly keyed: boolean;
  readonly deps: Deps;
  readonly itemDeps: Deps;
  readonly source: string | null;
  readonly reversed: boolean;
  readonly loc: SourceLocation;
  private readonly names: readonly string[];
  private readonly sequence: Evaluator;
  private readonly key: Evaluator | null;

  constructor(
    names: readonly string[],
    sequence: Evaluator,
    source: string | null,
    key: Evaluator | null,
    reversed: boolean,
    body: Block,
    empty: Block | null,
    deps: Deps,
    itemDeps: Deps,
    loc: SourceLocation,
  ) {
    this.names = names;
    this.sequence = sequence;
    this.source = source;
    this.key = key;
    this.keyed = key !== null;
    this.reversed = reversed;
    this.body = body;
    this.empty = empty;
    this.deps = deps;
    this.itemDeps = itemDeps;
    this.loc = loc;
  }

  iterate(scope: Scope): LoopItem[] {
    return this.items(scope, this.sequence(scope));
  }

  evaluate(scope: Scope): unknown {
    return this.sequence(scope);
  }

  items(scope: Scope, value: unknown): LoopItem[] {
    const seq = toSequence(value);
    const n = seq.length;
    const items = new Array<LoopItem>(n);
    if (n === 0) return items;
    const parentloop = scope.get('forloop');
    for (let i = 0; i < n; i++) items[i] = this.#item(scope, seq[this.reversed ? n - 1 - i : i], i, n, parentloop, i > 0 ? (items[i - 1] as LoopItemScope) : null);
    return items;
  }

  array(scope: Scope): readonly unknown[] | null {
    const value = this.sequence(scope);
    return Array.isArray(value) ? value : null;
  }

  itemAt(scope: Scope, array: readonly unknown[], position: number): LoopItem {
    const n = array.length;
    // No previous item here: loops whose body compares with it ({% ifchanged %}) never take the
    // item-by-item path (their `source` is null), so nothing reads it.
    return this.#item(scope, array[this.reversed ? n - 1 - position : position], position, n, scope.get('forloop'), null);
  }

  #item(scope: Scope, value: unknown, i: number, n: number, parentloop: unknown, previous: LoopItemScope | null): LoopItemScope {
    const forloop = new ForloopInfo(i, n, parentloop, previous);
    const item =
      this.names.length === 1
        ? new LoopItemScope(this.names, value, null, forloop, scope)
        : new LoopItemScope(this.names, value, unpack(value, this.names.length, this.loc), forloop, scope);
    item.key = this.key === null ? indexKey(i) : toText(this.key(item));
    return item;
  }
}

/** A bare name (`rows`, not `rows|default:x`, `page.rows` or a literal): the iterable is a root name. */
const BARE_NAME = /^[\p{L}\p{N}\p{M}_]+$/u;

const INVALID_VAR = /[\s"'|]/;

export function forTag(p: Parser, token: Token, out: BlockBuilder): void {
  const contents = token.contents;
  let bits = splitContents(contents);
  let keyText: string | null = null;
  if (bits.length >= 6 && bits[bits.length - 2] === 'key') {
    keyText = bits[bits.length - 1];
    bits = bits.slice(0, -2);
  }
  if (bits.length < 4) throw p.error(token, `'for' statements should have at least four words: ${contents}`);
  const reversed = bits[bits.length - 1] === 'reversed';
  const inIndex = bits.length - (reversed ? 3 : 2);
  if (bits[inIndex] !== 'in') throw p.error(token, `'for' statements should use the format 'for x in y': ${contents}`);
  const names = bits.slice(1, inIndex).join(' ').split(/ *, */);
  for (const name of names) {
    if (name === '' || INVALID_VAR.test(name)) throw p.error(token, `'for' tag received an invalid argument: ${contents}`);
  }

  const options = { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: false };
  const sequence = compileFilterExpression(bits[inIndex + 1], options);
  const key = keyText === null ? null : compileFilterExpression(keyText, options);

  const start = p.htmlState();
  const ends: HtmlState[] = start === undefined ? [] : [start];
  const bodyBuilder = p.builder(start === undefined ? undefined : p.html!.loopStart(start));
  let end = p.parse(bodyBuilder, ['empty', 'endfor']);
  const body = bodyBuilder.finish();
  if (start !== undefined) ends.push(p.htmlState()!);
  let empty: ReturnType<BlockBuilder['finish']> | null = null;
  if (end.contents === 'empty') {
    const emptyBuilder = p.builder(start);
    end = p.parse(emptyBuilder, ['endfor']);
    empty = emptyBuilder.finish();
    if (start !== undefined) ends.push(p.htmlState()!);
  }
  if (end.contents !== 'endfor') throw p.error(end, `Malformed template tag at line ${end.loc.line}: "${end.contents}"`);
  if (p.html !== null) p.html.state = p.html.merge(ends, token.loc, '{% for %} loop');

  const none: Deps = new Set<string>();
  const perItem = union([key?.deps ?? none, body.deps]);
  const itemDeps = unbindLoop(perItem, names);
  const deps = union([sequence.deps, itemDeps, empty?.deps ?? none]);
  const sequenceText = bits[inIndex + 1];
  // A body that compares an item with the one before it cannot re-render items one by one (D61).
  const neighbours = perItem !== null && perItem.has(PREVIOUS_ITEM);
  const source = !neighbours && sequence.literal === undefined && BARE_NAME.test(sequenceText) && sequence.deps.has(sequenceText) ? sequenceText : null;
  const slot = new ForSlot(names, sequence.evaluate, source, key?.evaluate ?? null, reversed, body.block, empty?.block ?? null, deps, itemDeps, token.loc);
  out.slot(slot, `for(${body.block.fp},${empty?.block.fp ?? ''})`);
}
