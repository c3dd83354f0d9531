/**
 * Function components (D79):
 *
 *   {% component "card" title=project.name %} inner {% slot footer %}…{% endslot %} {% endcomponent %}
 *
 * is a scoped branch slot selecting the root block of `components/card.html`, compiled with the
 * caller (an unknown component, attribute or slot stops startup at the caller's tag). The
 * component sees its declared attributes, `slots` and the view's globals, never the caller's
 * names. Slot contents are parsed here, in the caller's file and HTML context, into blocks of
 * their own; `{% render_slot [name] %}` in the component is a branch slot selecting one of them
 * with the caller's scope. So the use's deps are its attributes' deps, its slot contents' deps and
 * the globals the component reads: a change touching none of them skips the whole component.
 */
import type { BlockBuilder } from '../block-builder.ts';
import {
  CALLER_NAME,
  componentInfo,
  componentTemplateName,
  DEFAULT_SLOT,
  describeAttrs,
  SLOTS_NAME,
  SlotCaller,
  type AttrDecl,
  type ComponentInfo,
} from '../component.ts';
import { unbind, union, type Deps } from '../deps.ts';
import { compileFilterExpression, type Evaluator } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { FrameScope, globalsOf } from '../scope.ts';
import type { Block, BranchSlot, Scope, SourceLocation, Template } from '../types.ts';
import { toText } from '../values.ts';
import { tokenKwargs } from './kwargs.ts';

/** The globals a view's template sees (runtime.ts): a component sees them too. */
const GLOBALS = ['tenant', 'errors', 'js'];
/** Names a component binds itself or gets from the view: no attribute may take them. */
const RESERVED = new Set([SLOTS_NAME, ...GLOBALS, 'forloop', 'block']);
const NAME = /^[\p{L}\p{N}_]+$/u;
const COMPONENT_NAME = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

class ComponentSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = true;
  readonly boundary = 'component';
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly root: Block;
  private readonly names: readonly string[];
  /** Per declared attribute: the caller's expression, or null to use `defaults[i]`. */
  private readonly values: readonly (Evaluator | null)[];
  private readonly defaults: readonly unknown[];
  private readonly passed: Readonly<Record<string, boolean>>;
  private readonly blocks: ReadonlyMap<string, Block>;

  constructor(template: Template, attrs: readonly AttrDecl[], values: readonly (Evaluator | null)[], blocks: ReadonlyMap<string, Block>, deps: Deps, loc: SourceLocation) {
    this.root = template.root;
    this.names = [...attrs.map((a) => a.name), SLOTS_NAME, CALLER_NAME];
    this.values = values;
    this.defaults = attrs.map((a) => a.value);
    this.passed = Object.freeze(Object.fromEntries([...blocks.keys()].map((k) => [k, true])));
    this.blocks = blocks;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } {
    const n = this.values.length;
    const values = new Array<unknown>(n + 2);
    for (let i = 0; i < n; i++) {
      const value = this.values[i];
      values[i] = value === null ? this.defaults[i] : value(scope);
    }
    values[n] = this.passed;
    values[n + 1] = new SlotCaller(this.blocks, scope);
    return { block: this.root, scope: new FrameScope(this.names, values, globalsOf(scope)) };
  }
}

class RenderSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped = true;
  readonly boundary = 'slot';
  readonly deps: Deps = new Set([CALLER_NAME]);
  readonly loc: SourceLocation;
  private readonly name: string;

  constructor(name: string, loc: SourceLocation) {
    this.name = name;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } | null {
    const caller = scope.get(CALLER_NAME);
    if (!(caller instanceof SlotCaller)) return null; // the template rendered on its own
    const block = caller.blocks.get(this.name);
    return block === undefined ? null : { block, scope: caller.scope };
  }
}

const isBlank = (block: Block): boolean => block.slots.length === 0 && block.statics[0].trim() === '';

function checkSlot(p: Parser, token: Token, component: string, name: string, info: ComponentInfo): void {
  if (!info.rendersKnown || info.renders.has(name)) return;
  const rendered = [...info.renders].map((n) => (n === DEFAULT_SLOT ? 'the inner content' : n));
  const has = rendered.length === 0 ? 'it renders no slots' : `it renders ${rendered.join(', ')}`;
  const what = name === DEFAULT_SLOT ? 'does not render inner content (no {% render_slot %})' : `has no slot '${name}' (no {% render_slot ${name} %})`;
  throw p.error(token, `component '${component}' ${what}: ${has} (${componentTemplateName(component)}).`);
}

/** Parses `{% slot name %}` … `{% endslot %}` (the caller's content for one named slot). */
function namedSlot(p: Parser, token: Token, blocks: Map<string, Block>, deps: Deps[]): void {
  const bits = splitContents(token.contents);
  if (bits.length !== 2 || !NAME.test(bits[1])) throw p.error(token, `'slot' takes one argument, the slot's name: {% slot footer %}.`);
  const name = bits[1];
  if (name === DEFAULT_SLOT) throw p.error(token, `'${DEFAULT_SLOT}' is the content outside {% slot %} tags; give this slot another name.`);
  if (blocks.has(name)) throw p.error(token, `slot '${name}' is passed more than once.`);
  p.html?.requireText(token.loc, '{% slot %}');
  const start = p.htmlState();
  const body = p.builder(start);
  const end = p.parseNested(token, body, ['endslot']);
  if (end.contents !== 'endslot' && end.contents !== `endslot ${name}`) throw p.error(end, `'${end.contents}' closes slot '${name}': write {% endslot %} or {% endslot ${name} %}.`);
  if (p.html !== null && start !== undefined) p.html.state = p.html.merge([start, p.html.state], token.loc, '{% slot %}');
  const built = body.finish();
  blocks.set(name, built.block);
  deps.push(built.deps);
}

export function componentTag(p: Parser, token: Token, out: BlockBuilder): void {
  const loc = token.loc;
  const bits = splitContents(token.contents);
  if (bits.length < 2) throw p.error(token, `'component' takes the component's name first: {% component "card" title=… %}.`);
  const nameExpr = compileFilterExpression(bits[1], { loc, autoescape: p.autoescape, missingAsEmpty: true });
  const component = nameExpr.literal === undefined ? '' : toText(nameExpr.literal.value);
  if (!COMPONENT_NAME.test(component)) {
    throw p.error(token, `{% component ${bits[1]} %}: the name must be a quoted name of a file under components/ (letters, digits, _ and -), e.g. {% component "card" %}; Livery compiles components at startup.`);
  }
  const rest = bits.slice(2);
  const given = rest.length;
  const kwargs = tokenKwargs(rest, loc, p.autoescape, false);
  if (rest.length > 0) throw p.error(token, `'component' received an invalid argument: '${rest[0]}'. Attributes are written name=value.`);
  if (kwargs.size !== given) {
    const names = bits.slice(2).map((b) => b.split('=')[0]);
    throw p.error(token, `attribute '${names.find((n, i) => names.indexOf(n) !== i)}' is passed more than once.`);
  }
  p.html?.requireText(loc, '{% component %}');

  // The caller's content: the default slot around any named ones, each parsed in this file.
  const start = p.htmlState();
  const inner = p.builder(start);
  const blocks = new Map<string, Block>();
  const slotDeps: Deps[] = [];
  let end = p.parse(inner, ['slot', 'endcomponent']);
  while (end.contents.split(/\s+/)[0] === 'slot') {
    const resume = p.htmlState();
    namedSlot(p, end, blocks, slotDeps);
    if (p.html !== null && resume !== undefined) p.html.state = resume;
    end = p.parse(inner, ['slot', 'endcomponent']);
  }
  if (end.contents !== 'endcomponent') throw p.error(end, `'${end.contents}': write {% endcomponent %}.`);
  if (p.html !== null && start !== undefined) p.html.state = p.html.merge([start, p.html.state], loc, '{% component %}');
  const innerBuilt = inner.finish();
  if (!isBlank(innerBuilt.block)) {
    blocks.set(DEFAULT_SLOT, innerBuilt.block);
    slotDeps.push(innerBuilt.deps);
  }

  const target = componentTemplateName(component);
  const template = p.env.resolveInclude(target, p.autoescape, loc);
  if (template === null) throw p.error(token, `component '${component}' uses itself (directly or through other components): Livery compiles each component once, so it cannot contain itself.`);
  const info = componentInfo(template);
  if (info === undefined) throw new Error(`component template '${target}' was not compiled by compileTemplate`);

  const declared = new Set(info.attrs.map((a) => a.name));
  const where = `${info.attrsLoc.file}:${info.attrsLoc.line}:${info.attrsLoc.column}`;
  for (const name of kwargs.keys()) {
    if (!declared.has(name)) throw p.error(token, `component '${component}' has no attribute '${name}': it declares ${describeAttrs(info.attrs)} (${where}).`);
  }
  const missing = info.attrs.filter((a) => a.required && !kwargs.has(a.name)).map((a) => a.name);
  if (missing.length > 0) {
    const s = missing.length === 1 ? '' : 's';
    throw p.error(token, `component '${component}' needs attribute${s} ${missing.join(', ')}: it declares ${describeAttrs(info.attrs)} (${where}).`);
  }
  for (const name of blocks.keys()) checkSlot(p, token, component, name, info);

  const values = info.attrs.map((a) => kwargs.get(a.name)?.evaluate ?? null);
  const deps = union([
    ...[...kwargs.values()].map((e) => e.deps),
    ...slotDeps,
    // What the component reads besides its own names: the view's globals.
    unbind(template.deps, [...declared, SLOTS_NAME, CALLER_NAME]),
  ]);
  const shape = `component(${template.root.fp};${[...blocks].map(([n, b]) => `${n}=${b.fp}`).join(',')})`;
  out.slot(new ComponentSlot(template, info.attrs, values, blocks, deps, loc), shape);
}

/** Met outside its `{% component %}`'s own body (nested in another tag, or no component at all). */
export function slotTag(p: Parser, token: Token): void {
  const inside = p.openTags.slice(0, -1).some((t) => t.contents.split(/\s+/)[0] === 'component');
  throw p.error(token, inside
    ? `{% slot %} must stand directly inside {% component %}, not inside another tag: a slot's content may hold {% if %} and {% for %}, but not the other way round.`
    : `{% slot %} is only valid inside {% component "name" %} … {% endcomponent %}.`);
}

/** `{% attrs title tone="plain" %}`: a component's declaration, its first tag. */
export function attrsTag(p: Parser, token: Token): void {
  const { tokens } = p.rest;
  const first = tokens.find((t) => t.type === 'block' || t.type === 'var');
  if (first !== token || p.openTags.length !== 1) {
    throw p.error(token, `'attrs' must be the first tag of a component template, and appear once.`);
  }
  const decls: AttrDecl[] = [];
  for (const bit of splitContents(token.contents).slice(1)) {
    const eq = bit.indexOf('=');
    const name = eq < 0 ? bit : bit.slice(0, eq);
    if (!NAME.test(name) || name.startsWith('_')) throw p.error(token, `'attrs': '${bit}' is not an attribute; write a name, or name="default".`);
    if (RESERVED.has(name)) throw p.error(token, `'attrs': '${name}' is a name the component already has (${[...RESERVED].join(', ')}); choose another.`);
    if (decls.some((d) => d.name === name)) throw p.error(token, `'attrs': '${name}' is declared more than once.`);
    if (eq < 0) {
      decls.push({ name, required: true, value: undefined, text: name });
      continue;
    }
    const value = compileFilterExpression(bit.slice(eq + 1), { loc: token.loc, autoescape: p.autoescape, missingAsEmpty: true });
    if (value.literal === undefined) throw p.error(token, `'attrs': the default of '${name}' must be a literal ("text", 3, True, None): a component sees no variables of its callers.`);
    decls.push({ name, required: false, value: value.literal.value, text: bit });
  }
  p.attrs = { decls, token };
}

/** `{% render_slot %}` (the caller's inner content) or `{% render_slot name %}`, in a component. */
export function renderSlotTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  if (bits.length > 2 || (bits.length === 2 && !NAME.test(bits[1]))) {
    throw p.error(token, `'render_slot' takes at most one argument, a slot's name: {% render_slot %} or {% render_slot footer %}.`);
  }
  const name = bits[1] ?? DEFAULT_SLOT;
  p.html?.requireText(token.loc, '{% render_slot %}');
  p.renderedSlots.add(name);
  out.slot(new RenderSlot(name, token.loc), `render_slot(${name})`);
}

/**
 * What a template parsed by `p` declares as a component (compile.ts remembers it with the
 * template). A component template (one with `{% attrs %}`) that reads a name it neither declares
 * nor gets from the view would always see nothing there: that is a compile error at its
 * `{% attrs %}`, since the name is most likely one the caller has and was meant to pass.
 */
export function componentInfoOf(p: Parser, file: string, rendersKnown: boolean, deps: Deps): ComponentInfo {
  if (p.attrs !== null && deps !== null) {
    const known = [...p.attrs.decls.map((d) => d.name), SLOTS_NAME, CALLER_NAME, ...GLOBALS];
    const unknown = [...(unbind(deps, known) ?? [])].filter((n) => !n.startsWith('forloop'));
    if (unknown.length > 0) {
      const s = unknown.length === 1 ? '' : 's';
      throw p.error(p.attrs.token, `this component reads ${unknown.map((n) => `'${n}'`).join(', ')}, which it does not declare: a component sees only its attributes (${describeAttrs(p.attrs.decls)}), slots and ${GLOBALS.join(', ')}. Declare the name${s} here and pass ${unknown.length === 1 ? 'it' : 'them'} from the caller.`);
    }
  }
  return {
    attrs: p.attrs?.decls ?? [],
    attrsLoc: p.attrs?.token.loc ?? { file, line: 1, column: 1 },
    renders: p.renderedSlots,
    rendersKnown,
  };
}
