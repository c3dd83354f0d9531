/**
 * What a diff changes, in list rows (D62; pure, no DOM: unit-tested in Node).
 *
 * The client patches the rows of a keyed list on their own when a diff changes nothing but rows:
 * a row is a list item that renders as one element (statics opening with a tag and closing with
 * one, whitespace around), and only lists outside other lists' items are mapped to their rows'
 * elements. Anything else — a string or a new node in a block, a list whose order or membership
 * changed — is for the whole view's morph, which also maps the rows again (patch.ts).
 */
import { K_ENTRIES, K_STATICS } from '../server/protocol/index.ts';
import { isList, type Block, type Item, type List, type Rendered, type Value, type WireNode } from './rendered.ts';

/** The comment that brackets each list in the HTML of a whole-view morph, before and after it (removed before morphing). */
export const MARK = 'lv-rows';

/** The view's HTML with every list outside list items between marker comments, and those lists in document order. */
export function markedHTML(r: Rendered): { html: string; lists: List[] } {
  const lists: List[] = [];
  const walk = (v: Value): string => {
    if (typeof v !== 'object') return r.html(v);
    if (isList(v)) {
      lists.push(v);
      return `<!--${MARK}-->${r.html(v)}<!--${MARK}-->`;
    }
    let out = v.st[0];
    for (let i = 0; i < v.v.length; i++) out += walk(v.v[i]) + v.st[i + 1];
    return out;
  };
  return { html: r.root ? walk(r.root) : '', lists };
}

/**
 * Whether each item of `list` opens and closes with a tag, whitespace around (its statics say so;
 * the whole morph checks it renders one element). Not options: morphdom re-selects an option
 * through its select, which a row patch would not restore.
 */
export function rowsOnly(list: List): boolean {
  return /^\s*<(?!opt)[a-z]/i.test(list.st[0]) && />\s*$/.test(list.st[list.st.length - 1]);
}

/**
 * The items a (merged) diff changed, when it changed nothing else: slots of existing items, in
 * lists reached through blocks merged in place. Undefined when it did anything else.
 */
export function changedRows(root: Block, diff: WireNode): Array<[List, Item]> | undefined {
  const rows: Array<[List, Item]> = [];
  const walk = (node: Block, d: WireNode): boolean => {
    for (const k in d) {
      if (k === K_STATICS) return false;
      // Not a slot: the root's other keys (statics, token, page keys).
      const v = node.v[+k];
      if (v === undefined) continue;
      const sub = d[k] as WireNode;
      if (typeof sub !== 'object' || sub[K_STATICS] !== undefined || typeof v !== 'object') return false;
      if (!isList(v)) {
        if (!walk(v, sub)) return false;
        continue;
      }
      // Anything but changed entries (removed, moved or inserted keys) changes the list's order.
      for (const lk in sub) if (lk !== K_ENTRIES) return false;
      for (const key in sub[K_ENTRIES] as WireNode) {
        const item = v.items.get(key);
        if (!item) return false;
        rows.push([v, item]);
      }
    }
    return true;
  };
  return walk(root, diff) ? rows : undefined;
}
