/**
 * Filter expressions (`tenant.name|default:"Acme"|upper`), parsed with Django's grammar and
 * compiled into closures: at render time there is no parsing, only property reads and calls.
 */
import { TemplateSyntaxError } from './errors.ts';
import { filterFunction, findFilter } from './filters/index.ts';
import { lookupBit } from './lookup.ts';
import type { Scope, SourceLocation } from './types.ts';
import { SafeString } from './values.ts';

export type Evaluator = (scope: Scope) => unknown;

export interface CompiledExpression {
  readonly evaluate: Evaluator;
  /** Root names read (`forloop.parentloop…` is kept dotted; see deps.ts). */
  readonly deps: ReadonlySet<string>;
  /** Set when the expression is a bare literal (no lookups, no filters). */
  readonly literal?: { readonly value: unknown };
}

export interface ExpressionOptions {
  readonly loc: SourceLocation;
  readonly autoescape: boolean;
  /** `{{ }}` semantics: a missing variable becomes '' before filters (Django's string_if_invalid). */
  readonly missingAsEmpty: boolean;
}

const W = String.raw`[\p{L}\p{N}\p{M}_]`;
const STR_DQ = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
const STR_SQ = String.raw`'[^'\\]*(?:\\.[^'\\]*)*'`;
const CONSTANT = String.raw`(?:_\(${STR_DQ}\)|_\(${STR_SQ}\)|${STR_DQ}|${STR_SQ})`;
const NUM = String.raw`[-+.]?\d[\d.e]*`;
const VAR = String.raw`(?:[\p{L}\p{N}\p{M}_.]+|${NUM})`;
const FILTER_RE = new RegExp(
  String.raw`^(?<constant>${CONSTANT})|^(?<var>${VAR})|(?:\s*\|\s*(?<name>${W}+)(?::(?:(?<carg>${CONSTANT})|(?<varg>${VAR})))?)`,
  'gu',
);

const BUILTINS: Record<string, unknown> = { True: true, False: false, None: null };

type Variable = { readonly value: unknown } | { readonly root: string; readonly bits: readonly string[] };

function unescapeLiteral(s: string): string | undefined {
  const q = s[0];
  if (s.length < 2 || (q !== '"' && q !== "'") || s[s.length - 1] !== q) return undefined;
  return s.slice(1, -1).replaceAll(`\\${q}`, q).replaceAll('\\\\', '\\');
}

/** Django's Variable(): a number, a string literal, or a dotted lookup. */
export function parseVariable(text: string, loc: SourceLocation): Variable {
  if (/[.eE]/.test(text)) {
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) && !text.endsWith('.')) return { value: Number(text) };
  } else if (/^[+-]?\d+$/.test(text)) {
    return { value: Number(text) };
  }
  const inner = text.startsWith('_(') && text.endsWith(')') ? text.slice(2, -1) : text;
  const literal = unescapeLiteral(inner);
  if (literal !== undefined) return { value: new SafeString(literal) };
  if (text.includes('._') || text.startsWith('_')) {
    throw new TemplateSyntaxError(loc, `Variables and attributes may not begin with underscores: '${text}'`);
  }
  if (Object.hasOwn(BUILTINS, text)) return { value: BUILTINS[text] };
  const [root, ...bits] = text.split('.');
  return { root, bits };
}

function resolver(root: string, bits: readonly string[]): Evaluator {
  if (bits.length === 0) return (scope) => scope.get(root);
  const indexes = bits.map((b) => (/^\d+$/.test(b) ? Number(b) : -1));
  if (bits.length === 1) {
    const bit = bits[0];
    const index = indexes[0];
    return (scope) => lookupBit(scope.get(root), bit, index);
  }
  return (scope) => {
    let value = scope.get(root);
    for (let i = 0; i < bits.length && value !== undefined; i++) value = lookupBit(value, bits[i], indexes[i]);
    return value;
  };
}

/** The dep name of a lookup: its root, or `forloop.parentloop…` for reads of outer loops. */
function depName(root: string, bits: readonly string[]): string {
  if (root !== 'forloop') return root;
  let name = root;
  for (const bit of bits) {
    if (bit !== 'parentloop') break;
    name += '.parentloop';
  }
  return name;
}

export function compileVariable(v: Variable, deps: Set<string>): Evaluator {
  if ('value' in v) {
    const value = v.value;
    return () => value;
  }
  deps.add(depName(v.root, v.bits));
  return resolver(v.root, v.bits);
}

function argsError(loc: SourceLocation, name: string, required: number, provided: number): TemplateSyntaxError {
  return new TemplateSyntaxError(loc, `${name} requires ${required} arguments, ${provided} provided`);
}

export function compileFilterExpression(token: string, options: ExpressionOptions): CompiledExpression {
  const { loc, autoescape } = options;
  const deps = new Set<string>();
  let evaluate: Evaluator | undefined;
  let literal: { value: unknown } | undefined;
  let upto = 0;
  for (const m of token.matchAll(FILTER_RE)) {
    const start = m.index;
    if (upto !== start) {
      throw new TemplateSyntaxError(loc, `Could not parse some characters: ${token.slice(0, upto)}|${token.slice(upto, start)}|${token.slice(start)}`);
    }
    upto = start + m[0].length;
    const g = m.groups!;
    if (evaluate === undefined) {
      if (g.name !== undefined) throw new TemplateSyntaxError(loc, `Could not find variable at start of ${token}.`);
      const v = parseVariable(g.constant ?? g.var!, loc);
      evaluate = compileVariable(v, deps);
      if ('value' in v) literal = { value: v.value };
      else if (options.missingAsEmpty) {
        const base = evaluate;
        evaluate = (scope) => {
          const value = base(scope);
          return value === undefined ? '' : value;
        };
      }
      continue;
    }
    const name = g.name!;
    const spec = findFilter(name);
    if (spec === undefined) throw new TemplateSyntaxError(loc, `Invalid filter: '${name}'`);
    const argText = g.carg ?? g.varg;
    if (argText === undefined && spec.arg === 'required') throw argsError(loc, name, 2, 1);
    if (argText !== undefined && spec.arg === 'none') throw argsError(loc, name, 1, 2);
    literal = undefined;
    const prev = evaluate;
    const filter = filterFunction(spec, autoescape, loc);
    const arg = argText === undefined ? { value: undefined } : parseVariable(argText, loc);
    if ('value' in arg) {
      const value = arg.value;
      evaluate = (scope) => filter(prev(scope), value);
    } else {
      const argEval = compileVariable(arg, deps);
      evaluate = (scope) => filter(prev(scope), argEval(scope));
    }
  }
  if (evaluate === undefined || upto !== token.length) {
    throw new TemplateSyntaxError(loc, `Could not parse the remainder: '${token.slice(upto)}' from '${token}'`);
  }
  return { evaluate, deps, literal };
}
