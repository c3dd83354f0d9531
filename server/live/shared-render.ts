/**
 * Broadcasts render once (D65): the pushes one pub/sub message causes are grouped by what their
 * diff can depend on, one view per group renders, and the others take its diff and its bytes.
 *
 * A view's diff is a function of its template, the names its handler changed, the values of the
 * names each re-evaluated slot reads (slot deps, looked up in the scope the slot runs in) and
 * the values its rendered tree held in those slots — the rule `server/diff/update.ts` follows
 * to decide what to re-evaluate. {@link shareGroup} walks exactly those inputs down a trie of
 * maps, one level per input, so two views that reach the same leaf render equal diffs and end
 * with equal trees along the diff's path. It walks the slots `updateBlock` would walk, and gives
 * up (undefined: the view renders on its own, as before) wherever a render would build new
 * structure whose objects could not be shared — a loop, a branch that switches to another block
 * — or reads names nobody declared (deps null). Values are map keys as they are: primitives by
 * value, objects by identity (the same object renders the same; distinct objects are never
 * assumed equal — no deep comparison on the hot path). The trie lives for one delivery.
 */
import { intersects, type RBlock, type WireNode } from '../diff/index.ts';
import { isBlock } from '../diff/rendered.ts';
import { K_TEMPLATES } from '../protocol/index.ts';
import { encodeDiff } from '../protocol/codec.ts';
import type { Scope, Template } from '../template/types.ts';

/** A level of the trie: the next input's value → the level after it. */
export type ShareNode = Map<unknown, unknown>;

/** One group's render: its diff (undefined: nothing to show), how to apply it, its frames by vid. */
export interface SharedRender {
  readonly diff: WireNode | undefined;
  /** False when the render failed or built per-socket statics: the others render on their own. */
  readonly shareable: boolean;
  /** The diff as assignments into a tree: a path of slot indexes, then the new string. */
  readonly ops: ReadonlyArray<readonly [path: readonly number[], value: string]>;
  readonly frames: Map<number, string>;
}

// Inputs no value can equal (private symbols): where a branch went, and -0 (a Map key equal to 0).
const RESULT = Symbol('result');
const EMPTY = Symbol('empty');
const CLEARED = Symbol('cleared');
const KEPT = Symbol('kept');
const NEGATIVE_ZERO = Symbol('-0');

/** Walks a view's inputs down the trie, adding levels as it goes. */
class Walk {
  node: ShareNode;

  constructor(root: ShareNode) {
    this.node = root;
  }

  step(part: unknown): void {
    const key = part === 0 && Object.is(part, -0) ? NEGATIVE_ZERO : part;
    let next = this.node.get(key) as ShareNode | undefined;
    if (next === undefined) this.node.set(key, (next = new Map()));
    this.node = next;
  }
}

/**
 * The group of views whose next diff must equal this view's — the trie leaf its inputs lead to —
 * or undefined when the view must render on its own. `changed` is the view's set of changed state
 * names, as `updateBlock` gets it.
 */
export function shareGroup(root: ShareNode, template: Template, tree: RBlock, scope: Scope, changed: ReadonlySet<string>): ShareNode | undefined {
  const walk = new Walk(root);
  walk.step(template);
  walk.step(changed.size);
  // Sorted: the same names changed in another order are the same change.
  for (const name of changed.size === 1 ? changed : [...changed].sort()) walk.step(name);
  return keyBlock(tree, scope, changed, walk) ? walk.node : undefined;
}

/** The render a group's leaf holds, once its first view rendered. */
export function groupRender(leaf: ShareNode): SharedRender | undefined {
  return leaf.get(RESULT) as SharedRender | undefined;
}

export function keepRender(leaf: ShareNode, render: SharedRender): void {
  leaf.set(RESULT, render);
}

/** Walks the inputs of `updateBlock(tree, scope, changed)`; false when not shareable. */
function keyBlock(tree: RBlock, scope: Scope, changed: ReadonlySet<string> | null, walk: Walk): boolean {
  const slots = tree.block.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    const deps = slot.deps;
    if (deps === null) return false;
    if (changed !== null && !intersects(deps, changed)) continue;
    walk.step(i);
    for (const name of deps) walk.step(scope.get(name));
    const old = tree.values[i];
    if (slot.kind === 'text') {
      if (typeof old !== 'string') return false;
      walk.step(old);
    } else if (slot.kind === 'branch') {
      const chosen = slot.select(scope);
      if (chosen === null) {
        // Nothing or a block before, nothing after: "" either way, no structure built.
        if (typeof old === 'string') walk.step(EMPTY);
        else if (isBlock(old)) {
          walk.step(CLEARED);
          walk.step(old.block);
        } else return false;
      } else {
        if (typeof old === 'string' || !isBlock(old) || old.block !== chosen.block) return false;
        walk.step(KEPT);
        walk.step(chosen.block);
        if (!keyBlock(old, chosen.scope, slot.scoped ? null : changed, walk)) return false;
      }
    } else {
      return false; // loops: new items are new objects per view; they render on their own
    }
  }
  return true;
}


/**
 * A group's render, from its first view's diff. Only a diff without statics (`p`) is shared: one
 * carrying them was built for one socket. Its values become assignments (`ops`) the other views
 * apply to their trees — strings only, so nothing mutable is shared between views.
 */
export function sharedRender(diff: WireNode | undefined, failed: boolean): SharedRender {
  const ops: Array<readonly [readonly number[], string]> = [];
  const shareable = !failed && (diff === undefined || (!(K_TEMPLATES in diff) && flatten(diff, [], ops)));
  return { diff, shareable, ops, frames: new Map() };
}

function flatten(diff: WireNode, path: number[], ops: Array<readonly [readonly number[], string]>): boolean {
  for (const key in diff) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0) return false;
    const value = diff[key];
    if (typeof value === 'string') ops.push([[...path, i], value]);
    else if (typeof value !== 'object' || value === null || !flatten(value as WireNode, [...path, i], ops)) return false;
  }
  return true;
}

/**
 * Applies a group's render to another view of the group. Returns false, having changed at most
 * some slots, if the tree does not fit — which equal inputs rule out.
 */
export function applyShared(tree: RBlock, render: SharedRender): boolean {
  for (const [path, value] of render.ops) {
    let block = tree;
    const last = path.length - 1;
    for (let d = 0; d < last; d++) {
      const next = block.values[path[d]];
      if (typeof next !== 'object' || !isBlock(next)) return false;
      block = next;
    }
    if (path[last] >= block.values.length) return false;
    block.values[path[last]] = value;
  }
  return true;
}

/** A shared render's frame for one vid, encoded once per vid. */
export function frameFor(render: SharedRender, vid: number): string {
  let frame = render.frames.get(vid);
  if (frame === undefined) render.frames.set(vid, (frame = encodeDiff(vid, render.diff!)));
  return frame;
}
