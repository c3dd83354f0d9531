/**
 * The server's copy of what a client holds: a tree of rendered values, one per slot.
 *
 * - a string: an already-escaped HTML fragment (a text slot, or "" for a branch that selected
 *   nothing);
 * - an {@link RBlock}: a block and the values of its slots (a branch's chosen block);
 * - an {@link RList}: a loop — the body block, keys in order, and one RBlock per key.
 *
 * The tree is updated in place by `update.ts`, so after each diff it again equals the client's
 * tree. Full renders are built here; `encode.ts` turns trees and diffs into wire nodes.
 */
import type { Block, Scope, Slot } from '../template/types.ts';

export type RValue = string | RBlock | RList;

export interface RBlock {
  readonly block: Block;
  readonly values: RValue[];
}

export interface RList {
  readonly body: Block;
  keys: string[];
  items: Map<string, RBlock>;
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
    case 'loop':
      return renderLoop(slot.body, slot.empty, slot.iterate(scope), scope);
  }
}

export function renderLoop(
  body: Block,
  empty: Block | null,
  items: ReadonlyArray<{ key: string; scope: Scope }>,
  scope: Scope,
): RValue {
  if (items.length === 0 && empty !== null) return renderBlock(empty, scope);
  const keys: string[] = [];
  const map = new Map<string, RBlock>();
  for (const item of items) {
    const key = uniqueKey(item.key, map);
    keys.push(key);
    map.set(key, renderBlock(body, item.scope));
  }
  return { body, keys, items: map };
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
