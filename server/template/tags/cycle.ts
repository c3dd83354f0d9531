/**
 * `{% cycle a b c [as name [silent]] %}`, `{% cycle name %}` and `{% resetcycle [name] %}`.
 *
 * Django's cycle is a counter advanced each time the tag renders. Livery renders slots out of
 * order and re-renders only what changed, so the count is worked out when the template compiles:
 * each use of a cycle is numbered within its loop body (or the template, outside loops), and at
 * render time its position is `forloop.counter0 × uses per iteration + its number`, shifted by
 * uses before the loop and by `resetcycle`. The result equals Django's whenever every use renders
 * unconditionally; a use (or reset) under `{% if %}`/`{% ifchanged %}` inside the loop would make
 * the count depend on data, so it is a compile error. A cycle in an inner loop restarts with each
 * run of that loop (Django's keeps counting unless reset with `{% resetcycle %}`).
 */
import type { BlockBuilder } from '../block-builder.ts';
import { union, type Deps } from '../deps.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import { createTextSlot } from '../output.ts';
import type { Parser } from '../parser.ts';
import { ForloopInfo } from '../scope.ts';
import type { Scope } from '../types.ts';
import { bindRest } from './with.ts';

interface CycleDef {
  readonly values: readonly Evaluator[];
  readonly deps: Deps;
  readonly name: string | null;
  readonly silent: boolean;
}

/** One cycle's uses and resets within one loop body (or the template's top level). */
interface FrameCount {
  readonly events: ('use' | 'reset')[];
  offset: number;
}

interface CycleState {
  readonly named: Map<string, CycleDef>;
  last: CycleDef | null;
  /** loop token (null: top level) → cycle → its count there */
  readonly frames: Map<Token | null, Map<CycleDef, FrameCount>>;
}

const states = new WeakMap<Parser, CycleState>();

function stateOf(p: Parser): CycleState {
  let state = states.get(p);
  if (state === undefined) states.set(p, (state = { named: new Map(), last: null, frames: new Map() }));
  return state;
}

const CONDITIONAL = new Set(['if', 'ifchanged']);

/** The innermost loop the tag is in (null: none), and whether a condition lies between. */
function frameOf(p: Parser): { loop: Token | null; conditional: boolean } {
  const open = p.openTags;
  let conditional = false;
  for (let i = open.length - 2; i >= 0; i--) {
    const command = open[i].contents.split(/\s+/)[0];
    if (command === 'for') return { loop: open[i], conditional };
    if (CONDITIONAL.has(command)) conditional = true;
  }
  return { loop: null, conditional };
}

function countIn(state: CycleState, loop: Token | null, def: CycleDef): FrameCount {
  let frame = state.frames.get(loop);
  if (frame === undefined) state.frames.set(loop, (frame = new Map()));
  let count = frame.get(def);
  if (count === undefined) {
    // Uses before the loop, at the top level, carry on into it.
    const top = loop === null ? undefined : state.frames.get(null)?.get(def);
    frame.set(def, (count = { events: [], offset: top === undefined ? 0 : sinceReset(top.events, top.events.length) }));
  }
  return count;
}

function sinceReset(events: readonly string[], end: number): number {
  let n = 0;
  for (let i = end - 1; i >= 0 && events[i] !== 'reset'; i--) n++;
  return n;
}

/** The position of the use at `events[at]` in iteration `k` (the count is final by render time). */
function position(count: FrameCount, at: number, k: number): number {
  const { events } = count;
  const resetBefore = events.lastIndexOf('reset', at) !== -1;
  const before = sinceReset(events, at);
  if (resetBefore) return before;
  const uses = events.filter((e) => e === 'use').length;
  if (!events.includes('reset')) return count.offset + k * uses + before;
  return k === 0 ? count.offset + before : sinceReset(events, events.length) + before;
}

function use(p: Parser, token: Token, out: BlockBuilder, def: CycleDef): void {
  const { loop, conditional } = frameOf(p);
  if (conditional && (loop !== null || def.name !== null)) {
    throw p.error(token, `{% cycle %} under {% if %} or {% ifchanged %}${loop === null ? '' : ' inside a loop'}: Livery numbers a cycle's uses when it compiles, and a use that may not render would change the count. Use the cycle outside the condition (silently: {% cycle … as name silent %}, then {{ name }}), or compute the value in the view.`);
  }
  const count = countIn(stateOf(p), loop, def);
  const at = count.events.push('use') - 1;
  const values = def.values;
  const evaluate: Evaluator = (scope: Scope) => {
    const forloop = loop === null ? null : scope.get('forloop');
    const k = forloop instanceof ForloopInfo ? forloop.counter0 : 0;
    return values[position(count, at, k) % values.length](scope);
  };
  const deps = loop === null ? def.deps : union([def.deps, new Set(['forloop'])]);
  if (!def.silent) out.slot(createTextSlot(evaluate, p.outputAt(token.loc), deps, token.loc), 't');
  if (def.name !== null) bindRest(p, out, [def.name], [evaluate], deps, token.loc);
}

export function cycleTag(p: Parser, token: Token, out: BlockBuilder): void {
  const state = stateOf(p);
  let args = splitContents(token.contents);
  if (args.length < 2) throw p.error(token, `'cycle' tag requires at least two arguments`);
  if (args.length === 2) {
    const name = args[1];
    if (state.named.size === 0) throw p.error(token, `No named cycles in template. '${name}' is not defined`);
    const def = state.named.get(name);
    if (def === undefined) throw p.error(token, `Named cycle '${name}' does not exist`);
    use(p, token, out, def);
    return;
  }
  let name: string | null = null;
  let silent = false;
  if (args.length > 4) {
    if (args[args.length - 3] === 'as') {
      if (args[args.length - 1] !== 'silent') throw p.error(token, `Only 'silent' flag is allowed after cycle's name, not '${args[args.length - 1]}'.`);
      silent = true;
      args = args.slice(0, -1);
    }
    if (args[args.length - 2] === 'as') {
      name = args[args.length - 1];
      args = args.slice(0, -2);
    }
  }
  const options = { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: true };
  const exprs = args.slice(1).map((a) => compileFilterExpression(a, options));
  const def: CycleDef = { values: exprs.map((e) => e.evaluate), deps: union(exprs.map((e) => e.deps)), name, silent };
  if (name !== null) state.named.set(name, def);
  state.last = def;
  use(p, token, out, def);
}

export function resetcycleTag(p: Parser, token: Token): void {
  const state = stateOf(p);
  const args = splitContents(token.contents);
  if (args.length > 2) throw p.error(token, `'resetcycle' tag accepts at most one argument.`);
  const def = args.length === 2 ? state.named.get(args[1]) : state.last;
  if (def === undefined) throw p.error(token, `Named cycle '${args[1]}' does not exist.`);
  if (def === null) throw p.error(token, `No cycles in template.`);
  const { loop, conditional } = frameOf(p);
  if (conditional) throw p.error(token, `{% resetcycle %} under {% if %} or {% ifchanged %}: Livery numbers a cycle's uses when it compiles, so a reset must always happen where it is written.`);
  countIn(state, loop, def).events.push('reset');
}
