/**
 * Re-render a rendered tree in place and return the wire diff (docs/protocol.md, "Diffs").
 *
 * `changed` is the set of root names the view's state changed since the last render; a slot is
 * re-evaluated only when its deps intersect it (or its deps are unknown). The set passes into
 * the blocks of `if` branches, which read the same scope; inside loops, `with` and `include` the
 * scope differs, so their contents are re-evaluated in full (`changed = null`) and compared value
 * by value. Returns `undefined` when nothing changed: the caller then sends nothing.
 */
import { K_ENTRIES } from '../protocol/index.ts';
import type { Block, LoopSlot, Scope, Slot } from '../template/types.ts';
import { encodeBlock, encodeList, encodeSlots, encodeValue, type StaticsCollector, type WireNode, type WireValue } from './encode.ts';
import { encodeOrder, sameOrder } from './keyed.ts';
import { isBlock, isList, renderBlock, renderLoop, uniqueKey, type RBlock, type RList, type RValue } from './rendered.ts';

export function updateBlock(
  tree: RBlock,
  scope: Scope,
  changed: ReadonlySet<string> | null,
  statics: StaticsCollector,
): WireNode | undefined {
  let diff: WireNode | undefined;
  const slots = tree.block.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (changed !== null && slot.deps !== null && !intersects(slot.deps, changed)) continue;
    const d = updateSlot(tree.values, i, slot, scope, changed, statics);
    if (d !== undefined) (diff ??= {})[i] = d;
  }
  return diff;
}

function updateSlot(
  values: RValue[],
  i: number,
  slot: Slot,
  scope: Scope,
  changed: ReadonlySet<string> | null,
  statics: StaticsCollector,
): WireValue | undefined {
  const old = values[i];
  if (slot.kind === 'text') {
    const html = slot.render(scope);
    if (html === old) return undefined;
    values[i] = html;
    return html;
  }
  if (slot.kind === 'branch') {
    const chosen = slot.select(scope);
    if (chosen === null) return replace(values, i, '', statics);
    if (isBlock(old) && old.block === chosen.block) {
      return updateBlock(old, chosen.scope, slot.scoped ? null : changed, statics);
    }
    return replace(values, i, renderBlock(chosen.block, chosen.scope), statics);
  }
  return updateLoop(values, i, slot, scope, statics);
}

function replace(values: RValue[], i: number, value: RValue, statics: StaticsCollector): WireValue | undefined {
  if (value === '' && values[i] === '') return undefined;
  values[i] = value;
  return encodeValue(value, statics);
}

function updateLoop(values: RValue[], i: number, slot: LoopSlot, scope: Scope, statics: StaticsCollector): WireValue | undefined {
  const old = values[i];
  const items = slot.iterate(scope);
  if (items.length === 0 && slot.empty !== null) {
    if (isBlock(old) && old.block === slot.empty) return updateBlock(old, scope, null, statics);
    values[i] = renderBlock(slot.empty, scope);
    return encodeBlock(values[i] as RBlock, statics);
  }
  if (!isList(old) || old.body !== slot.body) {
    values[i] = renderLoop(slot.body, slot.empty, items, scope);
    return encodeList(values[i] as RList, statics);
  }
  return updateList(old, slot.body, items, statics);
}

function updateList(
  list: RList,
  body: Block,
  items: ReadonlyArray<{ key: string; scope: Scope }>,
  statics: StaticsCollector,
): WireNode | undefined {
  const keys: string[] = new Array(items.length);
  const seen = new Set<string>();
  let entries: WireNode | undefined;
  for (let n = 0; n < items.length; n++) {
    const key = uniqueKey(items[n].key, seen);
    seen.add(key);
    keys[n] = key;
    const existing = list.items.get(key);
    if (existing !== undefined) {
      const d = updateBlock(existing, items[n].scope, null, statics);
      if (d !== undefined) (entries ??= {})[key] = d;
    } else {
      const fresh = renderBlock(body, items[n].scope);
      list.items.set(key, fresh);
      (entries ??= {})[key] = encodeSlots(fresh, statics);
    }
  }
  let diff: WireNode | undefined;
  if (!sameOrder(list.keys, keys)) {
    const order = encodeOrder(list.keys, keys, seen);
    for (const key of order.removed) list.items.delete(key);
    diff = order.wire;
    list.keys = keys;
  }
  if (entries !== undefined) (diff ??= {})[K_ENTRIES] = entries;
  return diff;
}

function intersects(deps: ReadonlySet<string>, changed: ReadonlySet<string>): boolean {
  // Iterate the smaller set: `changed` is usually one or two names.
  if (changed.size <= deps.size) {
    for (const name of changed) if (deps.has(name)) return true;
    return false;
  }
  for (const name of deps) if (changed.has(name)) return true;
  return false;
}

/** A full render as a wire diff (join replies): the root node with `s`. */
export function encodeRoot(tree: RBlock, statics: StaticsCollector): WireNode {
  return encodeBlock(tree, statics);
}
