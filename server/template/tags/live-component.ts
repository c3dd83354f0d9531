/**
 * `{% live_component "Name" id=expr attr=expr … %}` (D80): a stateful live component, rendered
 * by the view's component host (server/live/components.ts). The name is a quoted literal checked
 * against the registered components while compiling, so a typo stops startup with the tag's
 * place; `id` is required. The slot's deps are the names the id and attributes read: a parent
 * render that changes none of them never reaches the component.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { union } from '../deps.ts';
import { TemplateSyntaxError } from '../errors.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { COMPONENT_HOST, type ComponentRenderer, type ComponentSlot, type Scope, type SourceLocation } from '../types.ts';
import { plain, toText } from '../values.ts';
import { noteViewOnlyTag } from './live.ts';

const KWARG = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s;
const QUOTED = /^(?:"([A-Za-z_][A-Za-z0-9_]*)"|'([A-Za-z_][A-Za-z0-9_]*)')$/;

class LiveComponentSlot implements ComponentSlot {
  readonly kind = 'component';
  readonly component: string;
  readonly deps: ReadonlySet<string> | null;
  readonly loc: SourceLocation;
  readonly #id: Evaluator;
  readonly #names: readonly string[];
  readonly #values: readonly Evaluator[];

  constructor(component: string, id: Evaluator, names: string[], values: Evaluator[], deps: ReadonlySet<string> | null, loc: SourceLocation) {
    this.component = component;
    this.#id = id;
    this.#names = names;
    this.#values = values;
    this.deps = deps;
    this.loc = loc;
  }

  args(scope: Scope): { id: string; attrs: Record<string, unknown> } {
    const attrs: Record<string, unknown> = {};
    for (let i = 0; i < this.#names.length; i++) attrs[this.#names[i]] = plain(this.#values[i](scope));
    return { id: toText(this.#id(scope)), attrs };
  }
}

/** The host the runtime put in the view's scope (passed on through `include … only` and function components); absent outside a live view. */
export function componentHost(scope: Scope, slot: ComponentSlot): ComponentRenderer {
  const host = scope.get(COMPONENT_HOST) as ComponentRenderer | undefined;
  if (host === undefined) {
    throw new TemplateSyntaxError(slot.loc, `live_component "${slot.component}" is rendered outside a live view (a layout, a plain render): only a view's templates may show live components`);
  }
  return host;
}

export function liveComponentTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents).slice(1);
  const loc = token.loc;
  const named = QUOTED.exec(bits[0] ?? '');
  if (named === null) throw new TemplateSyntaxError(loc, `'live_component' takes the component's name in quotes first, e.g. {% live_component "Counter" id="c1" %}`);
  const name = named[1] ?? named[2];
  if (p.env.components?.has(name) !== true) {
    const known = [...(p.env.components ?? [])];
    throw new TemplateSyntaxError(loc, `no live component named "${name}" is registered: pass it in createServer({ components: { ${name} } })${known.length > 0 ? ` (registered: ${known.join(', ')})` : ''}`);
  }
  const context = p.html?.classify(loc);
  if (context !== undefined && context.kind !== 'text') throw new TemplateSyntaxError(loc, `live_component "${name}" inside an attribute: a component renders an element`);
  const options = { loc, autoescape: p.autoescape, missingAsEmpty: true };
  let id: Evaluator | undefined;
  const names: string[] = [];
  const values: Evaluator[] = [];
  const deps = [];
  for (const bit of bits.slice(1)) {
    const kw = KWARG.exec(bit);
    if (kw === null) throw new TemplateSyntaxError(loc, `live_component "${name}": '${bit}' is not key=value`);
    const expr = compileFilterExpression(kw[2], options);
    deps.push(expr.deps);
    if (kw[1] === 'id') {
      if (id !== undefined) throw new TemplateSyntaxError(loc, `live_component "${name}" received 'id' twice`);
      id = expr.evaluate;
      continue;
    }
    if (names.includes(kw[1])) throw new TemplateSyntaxError(loc, `live_component "${name}" received '${kw[1]}' twice`);
    names.push(kw[1]);
    values.push(expr.evaluate);
  }
  if (id === undefined) throw new TemplateSyntaxError(loc, `live_component "${name}" needs an id, unique within the view: id="…" (in a loop, id=item.id)`);
  noteViewOnlyTag(p, `{% live_component "${name}" %}`, loc);
  out.slot(new LiveComponentSlot(name, id, names, values, union(deps), loc), `lc:${name}`);
}
