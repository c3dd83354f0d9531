/**
 * The compiled form of a template: the contract between the compiler (this folder) and the
 * diff engine (`server/diff`).
 *
 * A template compiles into a tree of {@link Block}s. A block is static strings interleaved with
 * dynamic {@link Slot}s: `statics.length === slots.length + 1`, and the block renders as
 * `statics[0] + value(slots[0]) + statics[1] + … + statics[n]`. Statics never change, so they
 * travel to a client once per fingerprint; after that only slot values do.
 *
 * Slots come in three kinds:
 * - `text`   — `{{ expr|filters }}`: renders to an already-escaped HTML string.
 * - `branch` — `{% if %}`, `{% with %}`, `{% include %}`, `{% component %}`: selects one nested
 *              block (or none) and the scope to render it in.
 * - `loop`   — `{% for %}`: yields one keyed item per element, each rendered with `body`;
 *              `{% empty %}` is the block used when there are no items.
 *
 * Every slot records `deps`: the names it reads *from the scope it is evaluated in*, after
 * removing names it binds itself (loop variables, `forloop`, `with` names). The diff engine uses
 * them to re-evaluate only slots whose inputs changed. `deps === null` means "unknown, always
 * re-evaluate" (e.g. an include whose template name is a variable).
 */

/** A position in a template source, 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Variable lookup chain. Implemented in this folder; the diff engine only passes it around. */
export interface Scope {
  /** Resolves a root name (`tenant` in `tenant.name`); `undefined` when absent. */
  get(name: string): unknown;
  /** A child scope with extra bindings (loop variables, `with` names). */
  push(bindings: Record<string, unknown>): Scope;
}

export interface Block {
  /** Stable fingerprint of this block's statics and slot structure (not of slot values). */
  readonly fp: string;
  readonly statics: readonly string[];
  readonly slots: readonly Slot[];
}

interface SlotBase {
  /** Names read from the enclosing scope; `null` = unknown, always re-evaluate. */
  readonly deps: ReadonlySet<string> | null;
  readonly loc: SourceLocation;
}

export interface TextSlot extends SlotBase {
  readonly kind: 'text';
  /** The escaped (unless marked safe / autoescape off) string for this scope. */
  render(scope: Scope): string;
}

export interface BranchSlot extends SlotBase {
  readonly kind: 'branch';
  /**
   * The block to render and the scope to render it in, or `null` to render nothing.
   * `if` returns one of its branch blocks with the same scope; `with`/`include` return their
   * body with a pushed scope. `scoped` tells the diff engine whether the returned scope
   * differs from the input scope (then nested deps are not comparable with outer names).
   */
  select(scope: Scope): { block: Block; scope: Scope } | null;
  readonly scoped: boolean;
  /**
   * Function components (D79). `'component'`: a component use — the change set in force here
   * still applies to its slot contents. `'slot'`: a `{% render_slot %}` — the returned scope is
   * the enclosing component's caller's, so that change set applies to the returned block.
   */
  readonly boundary?: 'component' | 'slot';
}

export interface LoopItem {
  /** The item's key: `key expr` when the loop is keyed, else its index, always as a string. */
  readonly key: string;
  readonly scope: Scope;
}

export interface LoopSlot extends SlotBase {
  readonly kind: 'loop';
  readonly body: Block;
  /** The `{% empty %}` block, or null. */
  readonly empty: Block | null;
  /** True when the loop names a key (`{% for todo in todos key todo.id %}`). */
  readonly keyed: boolean;
  /** The items in order (may contain duplicate keys; the diff engine de-duplicates). */
  iterate(scope: Scope): LoopItem[];
  /** The value the loop iterates (`rows` in `for row in rows`), before it becomes items. */
  evaluate(scope: Scope): unknown;
  /** `iterate` for a value `evaluate` returned: lets the diff engine look at the value first (a stream, D82). */
  items(scope: Scope, value: unknown): LoopItem[];
  /**
   * The root name the loop iterates when its iterable is a bare name (`for row in rows`), else
   * null. With `itemDeps` it lets the diff engine re-render only the items whose elements
   * changed (D61): a view's state names which elements of an array it may have changed.
   */
  readonly source: string | null;
  /** Names the key and body read from the enclosing scope (loop variables and `forloop` removed). */
  readonly itemDeps: ReadonlySet<string> | null;
  /** True for `reversed`: loop position `p` shows element `length - 1 - p`. */
  readonly reversed: boolean;
  /** The array the loop iterates, or null when its iterable is not an array. */
  array(scope: Scope): readonly unknown[] | null;
  /** The item at loop position `position` of `array` (what `iterate` builds there). */
  itemAt(scope: Scope, array: readonly unknown[], position: number): LoopItem;
}

/**
 * `{% live_component "Name" id=… attr=… %}` (D80): a stateful component of the view. The slot's
 * value is not HTML but the component's id on the wire (a number, its `cid`): the view's
 * {@link ComponentRenderer} mounts, updates and renders the component, whose own tree travels
 * apart from the view's. `deps` are the names the id and attributes read.
 */
export interface ComponentSlot extends SlotBase {
  readonly kind: 'component';
  /** The registered component's name. */
  readonly component: string;
  /** The component's id (unique within the view) and attributes in this scope. */
  args(scope: Scope): { id: string; attrs: Record<string, unknown> };
}

/**
 * What renders a view's live components, found in its scope under {@link COMPONENT_HOST} (the
 * runtime puts it there; the template engine only calls it).
 */
export interface ComponentRenderer {
  /** A page render: the component's HTML. */
  html(slot: ComponentSlot, scope: Scope): string;
  /** A live render: the component's wire id (`cid`); its own tree is rendered apart. */
  ref(slot: ComponentSlot, scope: Scope): number;
}

/** The scope global holding the view's ComponentRenderer: no template can name it (it starts with a space, so `include … only` and function components pass it on, scope.ts). */
export const COMPONENT_HOST = ' components';

export type Slot = TextSlot | BranchSlot | LoopSlot | ComponentSlot;

/** One compiled template file. */
export interface Template {
  readonly name: string;
  readonly root: Block;
  /** Names the whole template reads from its root scope (union of root slot deps). */
  readonly deps: ReadonlySet<string> | null;
}
