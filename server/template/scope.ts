/**
 * Scopes: a parent-pointer chain of small frames. Lookups walk the chain comparing a handful of
 * names per frame, which beats hashing for the 1–3 names a `with` or `for` binds, and pushing a
 * frame allocates one object (plus the values array when several names are bound).
 */
import { readProperty } from './lookup.ts';
import type { LoopItem, Scope } from './types.ts';

class RootScope implements Scope {
  private readonly root: object;
  /** Globals (createScope's), looked up before `root`; the names array is shared (see `globalNames`). */
  private readonly names: readonly string[];
  private readonly values: readonly unknown[];
  constructor(root: object, names: readonly string[] = NO_NAMES, values: readonly unknown[] = NO_NAMES) {
    this.root = root;
    this.names = names;
    this.values = values;
  }
  get(name: string): unknown {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.values[i];
    const value = readProperty(this.root, name);
    return typeof value === 'function' ? undefined : value; // methods are not data (lookup.ts)
  }
  push(bindings: Record<string, unknown>): Scope {
    return new FrameScope(Object.keys(bindings), Object.values(bindings), this);
  }
  /** The globals alone, without the state behind them (what a component sees, D79). */
  globalsOnly(): Scope {
    return new RootScope(NO_STATE, this.names, this.values);
  }
}

const NO_NAMES: readonly string[] = [];
const NO_STATE: object = Object.freeze({});

/**
 * The globals' names, one array per set of names: every live view's scope names the same
 * globals, and a scope is held per idle view (D68). A few sets at most are kept.
 */
const namesCache = new Map<string, readonly string[]>();
const NAMES_CACHED = 16;

function globalNames(globals: Record<string, unknown>): readonly string[] {
  const names = Object.keys(globals);
  const id = names.join('\u0000');
  const cached = namesCache.get(id);
  if (cached !== undefined) return cached;
  if (namesCache.size < NAMES_CACHED) namesCache.set(id, names);
  return names;
}

/** Bindings of a `with`, an `include … with`, or `Scope.push`. */
export class FrameScope implements Scope {
  private readonly names: readonly string[];
  private readonly values: readonly unknown[];
  readonly parent: Scope | null;

  constructor(names: readonly string[], values: readonly unknown[], parent: Scope | null) {
    this.names = names;
    this.values = values;
    this.parent = parent;
  }
  get(name: string): unknown {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.values[i];
    return this.parent === null ? undefined : this.parent.get(name);
  }
  push(bindings: Record<string, unknown>): Scope {
    return new FrameScope(Object.keys(bindings), Object.values(bindings), this);
  }
}

/** Django's `forloop`. Getters keep it to one small object per item. */
export class ForloopInfo {
  readonly counter0: number;
  readonly length: number;
  readonly parentloop: unknown;
  /** The previous item's scope in this run of the loop (`{% ifchanged %}` compares with it). */
  readonly #previous: Scope | null;
  constructor(index: number, length: number, parentloop: unknown, previous: Scope | null = null) {
    this.counter0 = index;
    this.length = length;
    this.parentloop = parentloop;
    this.#previous = previous;
  }
  /** A method, so templates cannot read it (lookups never call functions). */
  previousItem(): Scope | null {
    return this.#previous;
  }
  get counter(): number {
    return this.counter0 + 1;
  }
  get revcounter(): number {
    return this.length - this.counter0;
  }
  get revcounter0(): number {
    return this.length - this.counter0 - 1;
  }
  get first(): boolean {
    return this.counter0 === 0;
  }
  get last(): boolean {
    return this.counter0 === this.length - 1;
  }
}

/**
 * One loop item: it is both the LoopItem handed to the diff engine and the item's scope, so an
 * item costs this object and its ForloopInfo. `element` is the iterable's element: the single
 * loop variable's value; unpacking loops (`for k, v in …`) bind `values`.
 */
export class LoopItemScope implements Scope, LoopItem {
  key = '';
  readonly scope: Scope;
  private readonly element: unknown;
  private readonly names: readonly string[];
  private readonly values: readonly unknown[] | null;
  private readonly forloop: ForloopInfo;
  readonly parent: Scope;

  constructor(names: readonly string[], element: unknown, values: readonly unknown[] | null, forloop: ForloopInfo, parent: Scope) {
    this.names = names;
    this.element = element;
    this.values = values;
    this.forloop = forloop;
    this.parent = parent;
    this.scope = this;
  }
  get(name: string): unknown {
    const values = this.values;
    if (values === null) {
      if (name === this.names[0]) return this.element;
    } else {
      const names = this.names;
      for (let i = 0; i < names.length; i++) if (names[i] === name) return values[i];
    }
    return name === 'forloop' ? this.forloop : this.parent.get(name);
  }
  push(bindings: Record<string, unknown>): Scope {
    return new FrameScope(Object.keys(bindings), Object.values(bindings), this);
  }
}

/**
 * The scope a template renders in. `root` is read live (a view's state object, mutated in
 * place). `globals`, when given, are looked up first and cannot be shadowed by `root` — Livery
 * puts `tenant` there, so a state key named `tenant` can never stand in for the real one.
 */
export function createScope(root: Record<string, unknown>, globals?: Record<string, unknown>): Scope {
  return globals === undefined ? new RootScope(root) : new RootScope(root, globalNames(globals), Object.values(globals));
}

/**
 * The scope of `{% include … only %}`: nothing but its own bindings — and, from `outer`, the
 * names Livery hands a view's templates that no expression can spell (they start with a space:
 * the view's nested views, D81), so an isolated include may still nest a view.
 */
export function isolatedScope(names: readonly string[], values: readonly unknown[], outer?: Scope): Scope {
  return new FrameScope(names, values, outer === undefined ? null : new RuntimeOnlyScope(outer));
}

class RuntimeOnlyScope implements Scope {
  private readonly outer: Scope;
  constructor(outer: Scope) {
    this.outer = outer;
  }
  get(name: string): unknown {
    return name.charCodeAt(0) === 32 ? this.outer.get(name) : undefined;
  }
  push(bindings: Record<string, unknown>): Scope {
    return new FrameScope(Object.keys(bindings), Object.values(bindings), this);
  }
}

/**
 * The globals (`tenant`, `errors`, `js`) of the scope chain `scope` ends in, without the state or
 * any loop or `with` names: the parent scope of a component (D79). A chain cut by `include … only`
 * has no globals left, and neither does a scope this module did not make.
 */
export function globalsOf(scope: Scope): Scope {
  let current: Scope | null = scope;
  while (current instanceof FrameScope || current instanceof LoopItemScope) current = current.parent;
  return current instanceof RootScope ? current.globalsOnly() : EMPTY_SCOPE;
}

const EMPTY_SCOPE: Scope = new FrameScope(NO_NAMES, NO_NAMES, null);
