/**
 * `{% if %}` conditions: Django's smartif, a Pratt parser with Python's operator precedence
 * (or < and < not < in, not in < is, is not, ==, !=, <, >, <=, >=), compiled into a closure.
 * Operators never throw: where Python raises (`1 < "a"`) the comparison is False, as in Django.
 */
import { pyCompare, pyEq, pyIn, pyIs } from './compare.ts';
import { TemplateSyntaxError } from './errors.ts';
import { compileFilterExpression, type Evaluator } from './expression.ts';
import type { SourceLocation } from './types.ts';
import { truthy } from './values.ts';

type Binary = (x: Evaluator, y: Evaluator) => Evaluator;

const cmp = (test: (c: number) => boolean): Binary => (x, y) => (s) => {
  const c = pyCompare(x(s), y(s));
  return c !== undefined && test(c);
};

const INFIX: Record<string, { readonly bp: number; readonly build: Binary }> = {
  or: { bp: 6, build: (x, y) => (s) => { const v = x(s); return truthy(v) ? v : y(s); } },
  and: { bp: 7, build: (x, y) => (s) => { const v = x(s); return truthy(v) ? y(s) : v; } },
  in: { bp: 9, build: (x, y) => (s) => pyIn(x(s), y(s)) === true },
  'not in': { bp: 9, build: (x, y) => (s) => pyIn(x(s), y(s)) === false },
  is: { bp: 10, build: (x, y) => (s) => pyIs(x(s), y(s)) },
  'is not': { bp: 10, build: (x, y) => (s) => !pyIs(x(s), y(s)) },
  '==': { bp: 10, build: (x, y) => (s) => pyEq(x(s), y(s)) },
  '!=': { bp: 10, build: (x, y) => (s) => !pyEq(x(s), y(s)) },
  '>': { bp: 10, build: cmp((c) => c > 0) },
  '>=': { bp: 10, build: cmp((c) => c >= 0) },
  '<': { bp: 10, build: cmp((c) => c < 0) },
  '<=': { bp: 10, build: cmp((c) => c <= 0) },
};
const NOT_BP = 8;

type Item = { readonly op: string } | { readonly operand: Evaluator; readonly text: string };

export interface CompiledCondition {
  readonly evaluate: Evaluator;
  readonly deps: ReadonlySet<string>;
}

export function compileCondition(bits: readonly string[], loc: SourceLocation, autoescape: boolean): CompiledCondition {
  const deps = new Set<string>();
  const items: Item[] = [];
  for (let i = 0; i < bits.length; i++) {
    let bit = bits[i];
    if (bit === 'is' && bits[i + 1] === 'not') (bit = 'is not'), i++;
    else if (bit === 'not' && bits[i + 1] === 'in') (bit = 'not in'), i++;
    if (bit === 'not' || Object.hasOwn(INFIX, bit)) {
      items.push({ op: bit });
      continue;
    }
    const expr = compileFilterExpression(bit, { loc, autoescape, missingAsEmpty: false });
    for (const d of expr.deps) deps.add(d);
    items.push({ operand: expr.evaluate, text: bit });
  }

  let pos = 0;
  const fail = (message: string): never => {
    throw new TemplateSyntaxError(loc, message);
  };
  const display = (item: Item): string => ('op' in item ? item.op : item.text);
  const lbp = (item: Item | undefined): number =>
    item === undefined || !('op' in item) ? 0 : item.op === 'not' ? NOT_BP : INFIX[item.op].bp;

  const expression = (rbp: number): Evaluator => {
    const t = items[pos++];
    if (t === undefined) return fail('Unexpected end of expression in if tag.');
    let left: Evaluator;
    if ('operand' in t) left = t.operand;
    else if (t.op === 'not') {
      const operand = expression(NOT_BP);
      left = (s) => !truthy(operand(s));
    } else return fail(`Not expecting '${t.op}' in this position in if tag.`);
    while (rbp < lbp(items[pos])) {
      const op = (items[pos++] as { op: string }).op;
      if (op === 'not') fail(`Not expecting 'not' as infix operator in if tag.`);
      left = INFIX[op].build(left, expression(INFIX[op].bp));
    }
    return left;
  };

  const evaluate = expression(0);
  if (pos < items.length) fail(`Unused '${display(items[pos])}' at end of if expression.`);
  return { evaluate, deps };
}
