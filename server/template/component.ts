/**
 * Function components (D79): what a compiled component template declares, and what a use of it
 * hands the component at render time.
 *
 * A component is an ordinary template (`components/<name>.html`) compiled once. Its first tag,
 * `{% attrs … %}`, declares the attributes a caller may pass; compile.ts records that here with
 * the slot names its own file renders, so each `{% component %}` use is checked against it while
 * the caller compiles. At render time the component's root block is rendered in a scope holding
 * only its attributes, `slots` (which slots the caller passed) and the view's globals; the
 * caller's slot blocks and scope travel under a name no template can write, so
 * `{% render_slot %}` can render the caller's content in the caller's scope.
 */
import type { Block, Scope, SourceLocation, Template } from './types.ts';

/** One declared attribute: `title` (required) or `tone="plain"` (a literal default). */
export interface AttrDecl {
  readonly name: string;
  readonly required: boolean;
  readonly value: unknown;
  /** The attribute as written in `{% attrs %}`, for error messages. */
  readonly text: string;
}

export interface ComponentInfo {
  /** Declared attributes; empty when the template has no `{% attrs %}` tag. */
  readonly attrs: readonly AttrDecl[];
  /** Where `{% attrs %}` stands (or the file's start), for messages naming the declaration. */
  readonly attrsLoc: SourceLocation;
  /** Slot names its own file renders with `{% render_slot %}` (`default` for the inner content). */
  readonly renders: ReadonlySet<string>;
  /** False when the file also includes other templates, which may render slots too. */
  readonly rendersKnown: boolean;
}

/** The name of the default (inner) slot in `slots` and in messages. */
export const DEFAULT_SLOT = 'default';

/** Bound in a component's scope: which slots the caller passed (`{% if slots.footer %}`). */
export const SLOTS_NAME = 'slots';

/**
 * The caller's slot blocks and scope. A space cannot appear in a template variable name, so no
 * template can read or shadow this binding.
 */
export const CALLER_NAME = ' caller';

export class SlotCaller {
  readonly blocks: ReadonlyMap<string, Block>;
  readonly scope: Scope;
  constructor(blocks: ReadonlyMap<string, Block>, scope: Scope) {
    this.blocks = blocks;
    this.scope = scope;
  }
}

const infos = new WeakMap<Template, ComponentInfo>();

export function rememberComponent(template: Template, info: ComponentInfo): void {
  infos.set(template, info);
}

export function componentInfo(template: Template): ComponentInfo | undefined {
  return infos.get(template);
}

/** The template a component name stands for: `card` → `components/card.html`. */
export function componentTemplateName(name: string): string {
  return `components/${name}.html`;
}

/** `title, tone="plain"`, or `no attributes`. */
export function describeAttrs(attrs: readonly AttrDecl[]): string {
  return attrs.length === 0 ? 'no attributes' : attrs.map((a) => a.text).join(', ');
}
