/**
 * Broadcasts render once (D65): the pushes one pub/sub message causes are grouped by what their
 * diff can depend on, one view per group renders, and the others take its diff and its bytes.
 *
 * A view's diff is a function of its template, the names its handler changed, the values of the
 * names each re-evaluated slot reads (slot deps, looked up in the scope the slot runs in) and
 * the values its rendered tree held in those slots — the rule `server/diff/update.ts` follows
 * to decide what to re-evaluate. {@link shareKey} writes exactly those inputs into a string, so
 * two views with equal keys render equal diffs and end with equal trees along the diff's path.
 * It walks the slots `updateBlock` would walk, and gives up (undefined: the view renders on its
 * own, as before) wherever a render would build new structure whose objects could not be shared
 * — a loop, a branch that switches to another block — or reads names nobody declared (deps
 * null). Object values are keyed by identity: the same object renders the same, and distinct
 * objects are never assumed equal (no deep comparison on the hot path).
 */
import type { RBlock, RValue, WireNode } from '../diff/index.ts';
import { isBlock, isList } from '../diff/rendered.ts';
import { K_TEMPLATES } from '../protocol/index.ts';
import type { Scope, Template } from '../template/types.ts';

/** Ids of templates and of object values within keys (by identity, never reused while alive). */
const ids = new WeakMap<object, number>();
let lastId = 0;

function idOf(object: object): number {
  let id = ids.get(object);
  if (id === undefined) ids.set(object, (id = ++lastId));
  return id;
}

/**
 * The key of what the next diff of a view can depend on, or undefined when the view must render
 * on its own. `changed` is the view's set of changed state names, as `updateBlock` gets it.
 */
export function shareKey(template: Template, tree: RBlock, scope: Scope, changed: ReadonlySet<string>): string | undefined {
  const parts: string[] = [`t${idOf(template)}`, String(changed.size)];
  // Sorted: the same names changed in another order are the same change.
  for (const name of changed.size === 1 ? changed : [...changed].sort()) parts.push(text(name));
  return keyBlock(tree, scope, changed, parts) ? parts.join('\u0000') : undefined;
}

/** Appends the inputs of `updateBlock(tree, scope, changed)` to `parts`; false when not shareable. */
function keyBlock(tree: RBlock, scope: Scope, changed: ReadonlySet<string> | null, parts: string[]): boolean {
  const slots = tree.block.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    const deps = slot.deps;
    if (deps === null) return false;
    if (changed !== null && !intersects(deps, changed)) continue;
    parts.push(String(i));
    for (const name of deps) parts.push(valueKey(scope.get(name)));
    const old = tree.values[i];
    if (slot.kind === 'text') {
      if (typeof old !== 'string') return false;
      parts.push(text(old));
    } else if (slot.kind === 'branch') {
      const chosen = slot.select(scope);
      if (chosen === null) {
        // Nothing or a block before, nothing after: "" either way, no structure built.
        if (typeof old === 'string') parts.push('-');
        else if (isBlock(old)) parts.push(`-${idOf(old.block)}`);
        else return false;
      } else {
        if (typeof old === 'string' || !isBlock(old) || old.block !== chosen.block) return false;
        parts.push(`+${idOf(chosen.block)}`);
        if (!keyBlock(old, chosen.scope, slot.scoped ? null : changed, parts)) return false;
      }
    } else {
      return false; // loops: new items are new objects per view; they render on their own
    }
  }
  return true;
}

/**
 * A string as a key part, length first: the parts then decode one way whatever the strings hold
 * (the separator included), so equal keys mean equal inputs.
 */
function text(value: string): string {
  return `${value.length}:${value}`;
}

/** An injective text for a scope value: type, then content (primitives) or identity (objects). */
function valueKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${text(value)}`;
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'undefined':
      return 'u';
    case 'bigint':
      return `g${value}`;
    case 'object':
      return value === null ? 'l' : `o${idOf(value)}`;
    default:
      return `o${idOf(value as object)}`; // functions, symbols: by identity
  }
}

function intersects(deps: ReadonlySet<string>, changed: ReadonlySet<string>): boolean {
  if (changed.size <= deps.size) {
    for (const name of changed) if (deps.has(name)) return true;
    return false;
  }
  for (const name of deps) if (changed.has(name)) return true;
  return false;
}

/**
 * Applies a diff rendered for another view with the same key to this view's tree: the same slot
 * values land in the same places (strings are immutable, so sharing them is free). Returns false,
 * touching nothing more, if the diff does not fit the tree — which equal keys rule out.
 */
export function applyShared(tree: RBlock, diff: WireNode): boolean {
  for (const key in diff) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= tree.values.length) return false;
    const value = diff[key];
    if (typeof value === 'string') tree.values[i] = value;
    else {
      const old: RValue = tree.values[i];
      if (typeof old === 'string' || isList(old) || !applyShared(old, value as WireNode)) return false;
    }
  }
  return true;
}

/** A diff other views can take as theirs: one carrying statics (`p`) was built for one socket. */
export function shareable(diff: WireNode | undefined): boolean {
  return diff === undefined || !(K_TEMPLATES in diff);
}
