/**
 * The server's copy of what a client holds: a tree of rendered values, one per slot.
 *
 * - a string: an already-escaped HTML fragment (a text slot, or "" for a branch that selected
 *   nothing);
 * - an {@link RBlock}: a block and the values of its slots (a branch's chosen block);
 * - an {@link RList}: a loop — the body block, keys in order, and one RBlock per key;
 * - an {@link RStream}: a loop over a stream (D82) — the body and the stream's name, no items.
 *
 * The tree is updated in place by `update.ts`, so after each diff it again equals the client's
 * tree. Full renders are built here; `encode.ts` turns trees and diffs into wire nodes.
 */
import { componentHost } from '../template/tags/live-component.ts';
import type { Block, LoopItem, LoopSlot, Scope, Slot } from '../template/types.ts';
import { Stream, type StreamBatch } from './stream.ts';

/** A number is a live component's wire id (`cid`, D80): its tree is the component's own. */
export type RValue = string | number | RBlock | RList | RStream;

export interface RBlock {
  readonly block: Block;
  readonly values: RValue[];
}

export interface RList {
  readonly body: Block;
  keys: string[];
  items: Map<string, RBlock>;
  /**
   * Whether this list's elements are distinct objects (or primitives): only then may one
   * element's change be applied to one item (D61) — an object shown at two positions changes
   * both. `undefined` until an item-wise update needs to know: element identities do not change
   * until the next full pass, so it is worked out once per full pass, from the array, and only
   * for lists that may go item-wise; `false` for lists that never do.
   */
  distinct: boolean | undefined;
}

/**
 * A loop over a stream: what the client holds of it is not kept (D82). `fresh` carries a full
 * render's items from rendering to encoding (the same call), which takes them.
 */
export interface RStream {
  readonly streamBody: Block;
  readonly name: string;
  fresh: { keys: string[]; items: RBlock[] } | undefined;
}

export function isStream(value: RValue): value is RStream {
  return typeof value === 'object' && 'streamBody' in value;
}

export function isList(value: RValue): value is RList {
  return typeof value === 'object' && 'keys' in value;
}

export function isBlock(value: RValue): value is RBlock {
  return typeof value === 'object' && 'values' in value;
}

export function renderBlock(block: Block, scope: Scope): RBlock {
  const slots = block.slots;
  const values = new Array<RValue>(slots.length);
  for (let i = 0; i < slots.length; i++) values[i] = renderSlot(slots[i], scope);
  return { block, values };
}

export function renderSlot(slot: Slot, scope: Scope): RValue {
  switch (slot.kind) {
    case 'text':
      return slot.render(scope);
    case 'branch': {
      const chosen = slot.select(scope);
      return chosen === null ? '' : renderBlock(chosen.block, chosen.scope);
    }
    case 'loop': {
      const value = slot.evaluate(scope);
      if (value instanceof Stream) return renderStream(slot, value, value.batch(), scope);
      return renderLoop(slot, slot.items(scope, value), scope);
    }
    case 'component':
      return componentHost(scope, slot).ref(slot, scope);
  }
}

/** A stream as a client starting with none sees it after `batch`; its `{% empty %}` is not used (D82). */
export function renderStream(slot: LoopSlot, stream: Stream, batch: StreamBatch, scope: Scope): RStream {
  const fresh = Stream.fresh(batch);
  return { streamBody: slot.body, name: stream.name, fresh: { keys: fresh.map(([key]) => key), items: renderItems(slot, fresh.map(([, item]) => item), scope) } };
}

/** Each stream item rendered with the loop's body, its variable bound as the loop binds it. */
export function renderItems(slot: LoopSlot, items: readonly unknown[], scope: Scope): RBlock[] {
  const n = items.length;
  const out = new Array<RBlock>(n);
  // `itemAt` reads position p as element n-1-p of a reversed loop: undo it, a stream has its own order.
  for (let i = 0; i < n; i++) out[i] = renderBlock(slot.body, slot.itemAt(scope, items, slot.reversed ? n - 1 - i : i).scope);
  return out;
}

export function renderLoop(slot: LoopSlot, items: readonly LoopItem[], scope: Scope): RValue {
  const { body, empty } = slot;
  if (items.length === 0 && empty !== null) return renderBlock(empty, scope);
  const keys: string[] = [];
  const map = new Map<string, RBlock>();
  for (const item of items) {
    const key = uniqueKey(item.key, map);
    keys.push(key);
    map.set(key, renderBlock(body, item.scope));
  }
  return { body, keys, items: map, distinct: itemwiseCandidate(slot, items.length) };
}

/**
 * Loops shorter than this always take the full pass: re-rendering a few items costs less than
 * proving which of them changed.
 */
export const ITEMWISE_MIN = 16;

/** `RList.distinct` after a full pass: unknown for a list that may go item-wise, else false. */
export function itemwiseCandidate(slot: LoopSlot, length: number): false | undefined {
  return slot.source !== null && length >= ITEMWISE_MIN ? undefined : false;
}

/** No object appears twice in `array`. */
export function distinctElements(array: readonly unknown[]): boolean {
  const seen = new Set<object>();
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (typeof element !== 'object' || element === null) continue;
    if (seen.has(element)) return false;
    seen.add(element);
  }
  return true;
}

/**
 * Duplicate keys would make the keyed diff ambiguous; the later duplicates get a suffix that
 * cannot collide with a user key by accident often enough to matter (`~2`, `~3`, …), and the
 * loop still renders every item.
 */
export function uniqueKey(key: string, seen: { has(key: string): boolean }): string {
  if (!seen.has(key)) return key;
  let n = 2;
  while (seen.has(`${key}~${n}`)) n++;
  return `${key}~${n}`;
}
