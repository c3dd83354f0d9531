/**
 * Wire encoding of rendered trees (see docs/protocol.md, "Rendered nodes").
 *
 * A full block node is `{s: fp, "0": …, "1": …}`, a full list node `{s: bodyFp, k: [keys],
 * e: {key: {"0": …}}}`. Statics travel once per fingerprint per socket: every full node that
 * names a fingerprint the socket has not received registers it in the frame's `p` map.
 */
import { K_ENTRIES, K_KEYS, K_STATICS, K_STREAM, K_TEMPLATES } from '../protocol/index.ts';
import type { Block } from '../template/types.ts';
import { isList, isStream, type RBlock, type RList, type RStream, type RValue } from './rendered.ts';

export type WireValue = string | number | WireNode;
export interface WireNode {
  [key: string]: unknown;
}

/**
 * Collects, while one frame is encoded, the statics the socket still needs. `sent` holds the
 * fingerprints the socket has already received; it is shared by every view on the socket. A page
 * names a few fingerprints, so they are kept in an array (a Set's hash table costs ~150 bytes per
 * idle socket) until there are more than {@link SENT_AS_ARRAY} (D68).
 */
const SENT_AS_ARRAY = 8;

export class StaticsCollector {
  #sent: string[] | Set<string>;
  templates: Record<string, readonly string[]> | undefined;

  constructor(sent: Iterable<string> = []) {
    this.#sent = Array.from(sent);
  }

  need(block: Block): void {
    const sent = this.#sent;
    const fp = block.fp;
    if (Array.isArray(sent)) {
      if (sent.includes(fp)) return;
      // A copy of exact length (`concat`): `push` or a spread grows the store to 17 slots.
      this.#sent = sent.length < SENT_AS_ARRAY ? sent.concat(fp) : new Set(sent).add(fp);
    } else {
      if (sent.has(fp)) return;
      sent.add(fp);
    }
    (this.templates ??= {})[fp] = block.statics;
  }

  /** Moves collected statics into the root of a diff (creating one if needed). */
  attachTo(diff: WireNode | undefined): WireNode | undefined {
    if (this.templates === undefined) return diff;
    const root = diff ?? {};
    root[K_TEMPLATES] = this.templates;
    this.templates = undefined;
    return root;
  }
}

export function encodeValue(value: RValue, statics: StaticsCollector): WireValue {
  if (typeof value !== 'object') return value;
  if (isStream(value)) return encodeStream(value, statics);
  return isList(value) ? encodeList(value, statics) : encodeBlock(value, statics);
}

/** A full stream node: a full list node of the items just rendered, plus the stream's name (D82). Takes the items. */
export function encodeStream(value: RStream, statics: StaticsCollector): WireNode {
  statics.need(value.streamBody);
  const fresh = value.fresh;
  value.fresh = undefined;
  const entries: WireNode = {};
  const keys = fresh?.keys ?? [];
  for (let i = 0; i < keys.length; i++) entries[keys[i]] = encodeSlots(fresh!.items[i], statics);
  return { [K_STATICS]: value.streamBody.fp, [K_KEYS]: keys, [K_ENTRIES]: entries, [K_STREAM]: value.name };
}

export function encodeBlock(value: RBlock, statics: StaticsCollector): WireNode {
  statics.need(value.block);
  const node = encodeSlots(value, statics);
  node[K_STATICS] = value.block.fp;
  return node;
}

/** A block's slot values without its fingerprint: list entries share the body's. */
export function encodeSlots(value: RBlock, statics: StaticsCollector): WireNode {
  const node: WireNode = {};
  const values = value.values;
  for (let i = 0; i < values.length; i++) node[i] = encodeValue(values[i], statics);
  return node;
}

export function encodeList(list: RList, statics: StaticsCollector): WireNode {
  statics.need(list.body);
  const entries: WireNode = {};
  for (const key of list.keys) entries[key] = encodeSlots(list.items.get(key)!, statics);
  return { [K_STATICS]: list.body.fp, [K_KEYS]: list.keys.slice(), [K_ENTRIES]: entries };
}
