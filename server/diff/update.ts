/**
 * Re-render a rendered tree in place and return the wire diff (docs/protocol.md, "Diffs").
 *
 * `changed` is the set of root names the view's state changed since the last render; a slot is
 * re-evaluated only when its deps intersect it (or its deps are unknown). The set passes into
 * the blocks of `if` branches, which read the same scope; inside loops, `with` and `include` the
 * scope differs, so their contents are re-evaluated in full (`changed = null`) and compared value
 * by value — except a component's slot contents, which render in the caller's scope (D79). Returns `undefined` when nothing changed: the caller then sends nothing.
 *
 * `items` narrows a changed name further (D61): for a name holding an array whose elements were
 * only changed in place, the indexes of the elements that may differ. A loop over that name
 * (`for row in rows`) then re-renders just those items — when nothing else it reads changed,
 * their keys are unchanged and its elements were distinct — and the event costs the items it
 * changed, not the list.
 */
import { K_ENTRIES, K_INSERTS, K_LIMIT, K_REMOVED } from '../protocol/index.ts';
import { componentHost } from '../template/tags/live-component.ts';
import type { Block, LoopItem, LoopSlot, Scope, Slot } from '../template/types.ts';
import { encodeBlock, encodeList, encodeSlots, encodeStream, encodeValue, type StaticsCollector, type WireNode, type WireValue } from './encode.ts';
import { encodeOrder, sameOrder } from './keyed.ts';
import { distinctElements, isBlock, isList, isStream, itemwiseCandidate, renderBlock, renderItems, renderLoop, renderStream, uniqueKey, type RBlock, type RList, type RValue } from './rendered.ts';
import { Stream } from './stream.ts';

/** Per changed name holding an array: the indexes of the elements that may have changed (D61). */
export type ItemChanges = ReadonlyMap<string, ReadonlySet<number>>;

/**
 * Function components (D79): the change set of the scope a component is used in. The component's
 * own scope differs (its contents are compared value by value, `changed = null`), but each
 * `{% render_slot %}` in it renders the caller's block in the caller's scope, where this change
 * set holds — so slot contents skip what did not change, and a loop in a slot may go item-wise.
 * `outer` is the caller's own, for a slot passed on from one component to another.
 */
interface CallerChanges {
  readonly changed: ReadonlySet<string> | null;
  readonly items: ItemChanges | undefined;
  readonly outer: CallerChanges | undefined;
}

export function updateBlock(
  tree: RBlock,
  scope: Scope,
  changed: ReadonlySet<string> | null,
  statics: StaticsCollector,
  items?: ItemChanges,
  caller?: CallerChanges,
): WireNode | undefined {
  let diff: WireNode | undefined;
  const slots = tree.block.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (changed !== null && slot.deps !== null && !intersects(slot.deps, changed)) continue;
    const d = updateSlot(tree.values, i, slot, scope, changed, statics, items, caller);
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
  items: ItemChanges | undefined,
  caller: CallerChanges | undefined,
): WireValue | undefined {
  const old = values[i];
  if (slot.kind === 'text') {
    const html = slot.render(scope);
    if (html === old) return undefined;
    values[i] = html;
    return html;
  }
  if (slot.kind === 'component') {
    // The component diffs its own tree (D80); the slot changes only when another component is shown.
    const cid = componentHost(scope, slot).ref(slot, scope);
    if (cid === old) return undefined;
    values[i] = cid;
    return cid;
  }
  if (slot.kind === 'branch') {
    const chosen = slot.select(scope);
    if (chosen === null) return replace(values, i, '', statics);
    if (isBlock(old) && old.block === chosen.block) {
      if (!slot.scoped) return updateBlock(old, chosen.scope, changed, statics, items, caller);
      if (slot.boundary === 'component') return updateBlock(old, chosen.scope, null, statics, undefined, { changed, items, outer: caller });
      if (slot.boundary === 'slot' && caller !== undefined) return updateBlock(old, chosen.scope, caller.changed, statics, caller.items, caller.outer);
      return updateBlock(old, chosen.scope, null, statics, undefined, slot.boundary === 'slot' ? undefined : caller);
    }
    return replace(values, i, renderBlock(chosen.block, chosen.scope), statics);
  }
  if (changed !== null && items !== undefined && slot.source !== null && isList(old)) {
    const indexes = items.get(slot.source);
    if (indexes !== undefined && old.distinct !== false && old.body === slot.body && (slot.itemDeps === null || !intersects(slot.itemDeps, changed))) {
      const d = updateItems(old, slot, scope, indexes, statics, caller);
      if (d !== FULL) return d;
    }
  }
  return updateLoop(values, i, slot, scope, statics, caller);
}

const FULL = Symbol('full pass');

/**
 * Re-renders only the items at `indexes` (element indexes of the loop's array), or answers FULL
 * when that cannot be proven enough: the array is no longer one of the same length, too many
 * items changed for it to pay, or a changed element's key moved (then the order may have
 * changed). Keys are all checked before the tree is touched, so FULL leaves it as it was.
 */
function updateItems(list: RList, slot: LoopSlot, scope: Scope, indexes: ReadonlySet<number>, statics: StaticsCollector, caller: CallerChanges | undefined): WireNode | undefined | typeof FULL {
  const array = slot.array(scope);
  const n = list.keys.length;
  if (array === null || array.length !== n || indexes.size * 2 > n) return FULL;
  // The elements are the ones the last full pass rendered (only their contents changed since).
  list.distinct ??= distinctElements(array);
  if (!list.distinct) return FULL;
  const fresh: LoopItem[] = [];
  for (const index of indexes) {
    if (index >= n) return FULL;
    const position = slot.reversed ? n - 1 - index : index;
    const item = slot.itemAt(scope, array, position);
    if (item.key !== list.keys[position]) return FULL;
    fresh.push(item);
  }
  let entries: WireNode | undefined;
  for (const item of fresh) {
    const d = updateBlock(list.items.get(item.key)!, item.scope, null, statics, undefined, caller);
    if (d !== undefined) (entries ??= {})[item.key] = d;
  }
  return entries === undefined ? undefined : { [K_ENTRIES]: entries };
}

function replace(values: RValue[], i: number, value: RValue, statics: StaticsCollector): WireValue | undefined {
  if (value === '' && values[i] === '') return undefined;
  values[i] = value;
  return encodeValue(value, statics);
}

function updateLoop(values: RValue[], i: number, slot: LoopSlot, scope: Scope, statics: StaticsCollector, caller: CallerChanges | undefined): WireValue | undefined {
  const old = values[i];
  const value = slot.evaluate(scope);
  if (value instanceof Stream) return updateStream(values, i, slot, value, scope, statics);
  const items = slot.items(scope, value);
  if (items.length === 0 && slot.empty !== null) {
    if (isBlock(old) && old.block === slot.empty) return updateBlock(old, scope, null, statics, undefined, caller);
    values[i] = renderBlock(slot.empty, scope);
    return encodeBlock(values[i] as RBlock, statics);
  }
  if (!isList(old) || old.body !== slot.body) {
    values[i] = renderLoop(slot, items, scope);
    return encodeList(values[i] as RList, statics);
  }
  old.distinct = itemwiseCandidate(slot, items.length);
  return updateList(old, slot.body, items, statics, caller);
}

/**
 * A loop over a stream (D82): its pending operations as item operations — deletes (`d`), inserts
 * placed in order (`i`, their slots in `e`), a limit (`l`) — or, for a reset or a loop that did
 * not show this stream before, a full node. The tree keeps no items either way.
 */
function updateStream(values: RValue[], i: number, slot: LoopSlot, stream: Stream, scope: Scope, statics: StaticsCollector): WireNode | undefined {
  const old = values[i];
  const batch = stream.batch();
  if (!isStream(old) || old.streamBody !== slot.body || old.name !== stream.name || batch.reset) {
    const fresh = renderStream(slot, stream, batch, scope);
    values[i] = fresh;
    return encodeStream(fresh, statics);
  }
  if (batch.inserts.size === 0 && batch.deletes.length === 0) return undefined;
  const diff: WireNode = {};
  if (batch.deletes.length > 0) diff[K_REMOVED] = batch.deletes;
  if (batch.inserts.size > 0) {
    const rendered = renderItems(slot, Array.from(batch.inserts.values(), (insert) => insert.item), scope);
    const placed: Array<[number, string]> = [];
    const entries: WireNode = {};
    let n = 0;
    for (const [key, { at }] of batch.inserts) {
      placed.push([at, key]);
      entries[key] = encodeSlots(rendered[n++], statics);
    }
    diff[K_INSERTS] = placed;
    diff[K_ENTRIES] = entries;
  }
  if (batch.limit !== undefined) diff[K_LIMIT] = batch.limit;
  return diff;
}

function updateList(list: RList, body: Block, items: readonly LoopItem[], statics: StaticsCollector, caller: CallerChanges | undefined): WireNode | undefined {
  const keys: string[] = new Array(items.length);
  const seen = new Set<string>();
  let entries: WireNode | undefined;
  for (let n = 0; n < items.length; n++) {
    const key = uniqueKey(items[n].key, seen);
    seen.add(key);
    keys[n] = key;
    const existing = list.items.get(key);
    if (existing !== undefined) {
      const d = updateBlock(existing, items[n].scope, null, statics, undefined, caller);
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

/** Whether a slot reading `deps` is touched by `changed` (also the broadcast grouping's rule, D65). */
export function intersects(deps: ReadonlySet<string>, changed: ReadonlySet<string>): boolean {
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
