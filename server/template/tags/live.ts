/**
 * `{% live "ViewName" id="…" [name=expr …] %}` (D81): another live view rendered inside this
 * one, with its own token, state and mailbox on the same socket.
 *
 * The template only knows the tag's arguments. What a nested view's container is — its
 * instance, signed token and (on a page load) its first HTML — is the business of the view
 * rendering the template: the runtime puts a {@link NestedViews} in the scope under
 * {@link NESTED_VIEWS}, a name no template expression can spell. The slot reads it, so it is
 * one of the slot's deps: a render shared between views (D65) is never shared across the views'
 * nested children, and since no state name equals it, the slot re-renders only when its
 * arguments change.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { union } from '../deps.ts';
import { NestedViewError, TemplateSyntaxError } from '../errors.ts';
import { LiveryError } from '../../errors.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import type { Scope, SourceLocation, Template, TextSlot } from '../types.ts';
import { plain, toText } from '../values.ts';

/** The scope name under which a view hands its templates the {@link NestedViews} (a space: no expression can read it). */
export const NESTED_VIEWS = ' nested';

/** A nested view's id: what its state key is derived from, so it must be stable and plain. */
export const NESTED_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a view rendering `{% live %}` tags provides (server/live/nested.ts). */
export interface NestedViews {
  /**
   * The HTML of the container of the view registered as `view`, nested under `id` and mounted
   * with `params`. Throws a LiveryError LV_NESTED_VIEW_INVALID or LV_NESTED_ID_INVALID.
   */
  container(view: string, id: string, params: Record<string, string>): string;
}

const NAME = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s;

/** Literal ids seen per template being compiled: one id names one nested view per view. */
const literalIds = new WeakMap<Parser, Map<string, SourceLocation>>();

/** A tag only a view's template may hold (`{% live %}`, `{% live_component %}`): how it reads, and where it stands. */
export interface LiveTagUse {
  readonly tag: string;
  readonly loc: SourceLocation;
}

/** The first such tag each template being compiled has in its own tokens. */
const firstTag = new WeakMap<Parser, LiveTagUse>();
/** The first such tag of each compiled template, its own or one a template it embeds when it compiles has. */
const nesting = new WeakMap<Template, LiveTagUse>();

/**
 * Records where `template` (just compiled by `parser`) nests a view, if it does: in its own
 * tokens (its `{% extends %}` chain included), or in a template it includes or uses as a
 * component at compile time. The page layout is no view, so startup refuses one that nests.
 */
/** Records a tag that needs a live view around it (the layout check, `liveTagOf`). */
export function noteViewOnlyTag(p: Parser, tag: string, loc: SourceLocation): void {
  if (!firstTag.has(p)) firstTag.set(p, { tag, loc });
}

export function rememberNesting(template: Template, parser: Parser, embedded: readonly Template[]): void {
  const use = firstTag.get(parser) ?? embedded.map((t) => nesting.get(t)).find((u) => u !== undefined);
  if (use !== undefined) nesting.set(template, use);
}

/** The first `{% live %}` or `{% live_component %}` tag `template` renders that its compile could see (an include named at render time is not seen). */
export function liveTagOf(template: Template): LiveTagUse | undefined {
  return nesting.get(template);
}

class LiveSlot implements TextSlot {
  readonly kind = 'text';
  readonly deps: ReadonlySet<string>;
  readonly loc: SourceLocation;
  readonly #view: string;
  readonly #id: Evaluator;
  readonly #names: readonly string[];
  readonly #values: readonly Evaluator[];

  constructor(view: string, id: Evaluator, names: string[], values: Evaluator[], deps: ReadonlySet<string>, loc: SourceLocation) {
    this.#view = view;
    this.#id = id;
    this.#names = names;
    this.#values = values;
    this.deps = deps;
    this.loc = loc;
  }

  render(scope: Scope): string {
    const host = scope.get(NESTED_VIEWS) as NestedViews | undefined;
    if (host === undefined) throw new NestedViewError('LV_NESTED_VIEW_INVALID', this.loc, this.#view, 'rendered outside a live view (a layout or a plain render): only a view\'s template may nest views');
    const id = toText(plain(this.#id(scope)));
    if (!NESTED_ID.test(id)) throw new NestedViewError('LV_NESTED_ID_INVALID', this.loc, this.#view, `id ${JSON.stringify(id.slice(0, 80))} is not 1-64 letters, digits, "_" or "-"`);
    const params: Record<string, string> = {};
    for (let i = 0; i < this.#names.length; i++) params[this.#names[i]] = toText(plain(this.#values[i](scope)));
    try {
      return host.container(this.#view, id, params);
    } catch (error) {
      if (error instanceof LiveryError && (error.code === 'LV_NESTED_VIEW_INVALID' || error.code === 'LV_NESTED_ID_INVALID')) {
        throw new NestedViewError(error.code, this.loc, this.#view, error.detail ?? error.message);
      }
      throw error;
    }
  }
}

export function liveTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  const loc = token.loc;
  const quoted = /^"([A-Za-z_$][\w$]*)"$|^'([A-Za-z_$][\w$]*)'$/.exec(bits[1] ?? '');
  if (quoted === null) throw new TemplateSyntaxError(loc, `'live' tag takes the view's class name as a quoted string first, e.g. {% live "ClockView" id="clock" %}.`);
  const view = quoted[1] ?? quoted[2];
  const known = p.env.views;
  if (known !== undefined && !known.has(view)) {
    throw new TemplateSyntaxError(loc, `{% live "${view}" %}: no view class named ${view} is registered. Route it, or list it in createServer({ views: [${view}] }).`);
  }
  p.html?.requireText(loc, '{% live %}');
  const options = { loc, autoescape: p.autoescape, missingAsEmpty: true };
  let id: Evaluator | undefined;
  const names: string[] = [];
  const values: Evaluator[] = [];
  const deps = [];
  for (const bit of bits.slice(2)) {
    const kw = NAME.exec(bit);
    if (kw === null) throw new TemplateSyntaxError(loc, `{% live "${view}" %}: '${bit}' is not name=value; the tag takes id="…" and the view's params as name=value.`);
    const [, name, source] = kw;
    if (names.includes(name) || (name === 'id' && id !== undefined)) throw new TemplateSyntaxError(loc, `{% live "${view}" %} received '${name}' twice.`);
    const expr = compileFilterExpression(source, options);
    deps.push(expr.deps);
    if (name !== 'id') {
      names.push(name);
      values.push(expr.evaluate);
      continue;
    }
    id = expr.evaluate;
    if (expr.literal === undefined) continue;
    // A literal id is checked here; one computed from data (in a loop) when it renders.
    const text = toText(plain(expr.literal.value));
    if (!NESTED_ID.test(text)) throw new TemplateSyntaxError(loc, `{% live "${view}" %}: id ${JSON.stringify(text.slice(0, 80))} is not 1-64 letters, digits, "_" or "-".`);
    const seen = literalIds.get(p) ?? new Map<string, SourceLocation>();
    literalIds.set(p, seen);
    const before = seen.get(text);
    if (before !== undefined) throw new TemplateSyntaxError(loc, `{% live "${view}" %}: id "${text}" is already used at ${before.file}:${before.line}:${before.column}; each nested view of a view needs its own id.`);
    seen.set(text, loc);
  }
  noteViewOnlyTag(p, `{% live "${view}" %}`, loc);
  if (id === undefined) throw new TemplateSyntaxError(loc, `{% live "${view}" %} needs an id: {% live "${view}" id="…" %} (stable and unique within the view: its state is found by it).`);
  const all = new Set(union(deps) ?? []);
  all.add(NESTED_VIEWS);
  out.slot(new LiveSlot(view, id, names, values, all, loc), `live(${view})`);
}
