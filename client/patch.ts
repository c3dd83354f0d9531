/**
 * Applies a view's new rendering to its container with morphdom: the whole container (children
 * only: the container's own attributes and classes belong to the client), or only the rows a diff
 * changed (D62), or only the live components it changed (their root elements, D80).
 *
 * Rows: a whole-container morph renders each list outside list items between marker comments
 * (partial.ts), finds in the parsed HTML the element each row renders, and follows morphdom to the
 * element of the page that element became. A later diff that changes only rows of such lists
 * re-renders those rows and morphs each row's element on its own, so a one-cell change costs the
 * same in a 10,000-row table as in a 10-row one. When that is unsure — the diff changes anything
 * else, a list's items are not one element each, a row element left the page, a row now renders
 * more than one element — the whole container is morphed, as before.
 *
 * Rules, in the order morphdom meets an element (the same for both):
 * - nested view containers (`[data-lv-token]` below the root) belong to their own view: skipped;
 * - a hook element (`lv-hook`) whose server HTML changed gets `beforeUpdate` (hooks.ts);
 * - what JS commands did to an element's classes, attributes and display stays (commands.ts), and
 *   so do the attributes it names in `lv-ignore-attributes`;
 * - an `lv-ignore` element keeps its children and attributes; only its `data-*` attributes follow
 *   the server (a hook reads its data there);
 * - an element with a request in flight keeps `lv-loading` (the server's HTML never has it);
 * - an element `lv-disable-with` holds during a submit stays disabled with its text;
 * - a form field's attributes always follow the server; its value only when the server rendered a
 *   different one and the user is not typing in it or waiting for it (`forms.ts`, `keepsValue`);
 * - elements are matched by `id`, then by `data-lv-key` (both must be unique within the view).
 */
import morphdom from 'morphdom';
import { A_COMPONENT, A_TOKEN, B_IGNORE, B_IGNORE_ATTRIBUTES, C_LOADING, K_COMPONENTS } from '../server/protocol/index.ts';
import { keepSticky } from './commands.ts';
import { hookAdded, hookBefore } from './hooks.ts';
import { holdDisabled, isField, isTypingField, keepsValue } from './forms.ts';
import { changedRows, MARK, markedHTML, rowsOnly } from './partial.ts';
import { touchesRoot, type Item, type List, type Rendered, type WireNode } from './rendered.ts';

const KEY_ATTR = 'data-lv-key';

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface PatchOptions {
  /** A join: fields the user used keep their values whatever the server renders (they are recovered next). */
  readonly keepUsed?: boolean;
}

function nodeKey(node: Node): string | undefined {
  if (node.nodeType !== 1) return undefined;
  const el = node as Element;
  return el.id || el.getAttribute(KEY_ATTR) || undefined;
}

/** Copies every attribute, or those starting with `prefix` (morphdom's own sync, for an element it is told to skip). */
function mergeAttrs(from: Element, to: Element, prefix = ''): void {
  for (const a of Array.from(to.attributes)) {
    if (a.name.startsWith(prefix) && from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  }
  for (const a of Array.from(from.attributes)) {
    if (a.name.startsWith(prefix) && !to.hasAttribute(a.name)) from.removeAttribute(a.name);
  }
}

/**
 * Makes morphdom leave the user's value in `from`: a textarea is skipped after its attributes
 * and default text are synced (morphdom would rewrite its text); an input gets the user's value
 * copied into `to`, so morphdom finds nothing to write; a select's choice is returned to be
 * restored after morphdom re-selected its options from their attributes.
 */
function keepUserValue(from: Field, to: Field): 'skip' | string[] | undefined {
  if (from.tagName === 'TEXTAREA') {
    mergeAttrs(from, to);
    return 'skip';
  }
  if (from instanceof HTMLSelectElement) return selectedValues(from);
  const input = from as HTMLInputElement;
  if (input.type === 'checkbox' || input.type === 'radio') (to as HTMLInputElement).checked = input.checked;
  else (to as HTMLInputElement).value = input.value;
  return undefined;
}

/** The lists whose rows all have their element (`Item.el`), as the last whole morph found them. */
const mapped = new WeakSet<List>();
let inert: Document | undefined;

/**
 * Brings the container up to date with the tree `diff` was just merged into: only the rows the diff
 * changed when that is all it changed and their elements are known, else the whole container.
 * Returns the elements patched.
 */
export function patch(container: HTMLElement, rendered: Rendered, diff: WireNode, options: PatchOptions = {}): Element[] {
  const c = diff[K_COMPONENTS] as WireNode | undefined;
  // Each element to patch alone: changed rows (D62), or — when only live components changed
  // (D80) — each one's root element (its own view's, not a nested view's), else none: all of it.
  const todo: Array<[Element | undefined | null, string, Item?]> | undefined = !c
    ? rendered.root && changedRows(rendered.root, diff)?.map(([list, item]) => [mapped.has(list) ? (item.el as Element) : undefined, rendered.itemHTML(list, item), item])
    : touchesRoot(diff) ? undefined
    : Object.keys(c).map((cid) => {
      const el = c[cid] === null ? null : container.querySelector(`[${A_COMPONENT}="${cid}"]`);
      return [el?.closest(`[${A_TOKEN}]`) === container ? el : null, rendered.html(+cid)];
    });
  const parts: Array<[Element, Element]> = [];
  const toItem = new Map<Node, Item>();
  for (const [el, html, item] of todo ?? []) {
    if (!el || !el.isConnected) return patchAll(container, rendered, options);
    const parent = el.parentNode as Element;
    // Parsed where the element lives (the table body, an <svg>…), in an inert document.
    inert ??= document.implementation.createHTMLDocument('');
    const holder = inert.createElementNS(parent.namespaceURI, parent.localName);
    holder.innerHTML = html;
    const to = holder.firstElementChild;
    if (!to || holder.childElementCount !== 1 || Array.from(holder.childNodes).some((n) => n !== to && n.nodeType !== 3)) return patchAll(container, rendered, options);
    parts.push([el, to]);
    if (item) toItem.set(to, item);
  }
  if (!todo) return patchAll(container, rendered, options);
  morph(container, parts, options, toItem);
  return parts.map(([el]) => el);
}

/** The whole container, mapping the rows of each list whose items are one element each. */
function patchAll(container: HTMLElement, rendered: Rendered, options: PatchOptions): Element[] {
  let { html, lists } = markedHTML(rendered);
  let target = parse(html);
  const marks: Comment[] = [];
  const walker = document.createTreeWalker(target, NodeFilter.SHOW_COMMENT);
  for (let n; (n = walker.nextNode() as Comment | null); ) if (n.data === MARK) marks.push(n);
  if (marks.length !== 2 * lists.length) {
    // A marker landed in text or an attribute (a list inside a textarea, a class…): no rows this time.
    target = parse(rendered.toHTML());
    lists = [];
  }
  const toItem = new Map<Node, Item>();
  lists.forEach((list, i) => {
    const [open, close] = [marks[2 * i], marks[2 * i + 1]];
    const els: Element[] = [];
    let ok = open.parentNode === close.parentNode && rowsOnly(list);
    for (let n = open.nextSibling; ok && n && n !== close; n = n.nextSibling) {
      if (n.nodeType === 1) els.push(n as Element);
      else ok = n.nodeType === 3 && !(n as Text).data.trim();
    }
    // As many elements as items, each item's opening with a tag: one element per item, in order.
    if (ok && els.length === list.keys.length) {
      mapped.add(list);
      list.keys.forEach((key, j) => toItem.set(els[j], list.items.get(key) as Item));
    } else mapped.delete(list);
    open.remove();
    close.remove();
  });
  morph(container, [[container, target]], options, toItem);
  return [container];
}

function parse(html: string): HTMLElement {
  // A <template> parses any content (table rows too) without running scripts or loading images.
  const template = document.createElement('template');
  template.innerHTML = html;
  const target = document.createElement('div');
  target.appendChild(template.content);
  return target;
}

/**
 * Morphs each `[from, to]` (the container: its children only) and records where each row's
 * target element ended up on the page: the element morphed into it, or itself when added.
 */
function morph(container: HTMLElement, parts: Array<[Element, Element]>, options: PatchOptions, toItem: Map<Node, Item>): void {
  const active = document.activeElement as Field | null;
  const focused = active && container.contains(active) ? active : null;
  const selection = focused && isTypingField(focused) ? [focused.selectionStart, focused.selectionEnd] : null;
  const selects: Array<[HTMLSelectElement, string[]]> = [];
  for (const item of toItem.values()) item.el = undefined;
  const found = (item: Item | undefined, el: Element) => item && (item.el = el);

  for (const [root, target] of parts) morphdom(root, target, {
    childrenOnly: root === container,
    getNodeKey: nodeKey,
    onNodeAdded(node) {
      found(toItem.get(node), node as Element);
      if (node.nodeType === 1) hookAdded(node as Element);
      return node;
    },
    onBeforeElUpdated(from, to) {
      found(toItem.get(to), from);
      if (from.hasAttribute(A_TOKEN)) return false;
      hookBefore(from, to);
      keepSticky(from, to);
      for (const name of (from.getAttribute(B_IGNORE_ATTRIBUTES) ?? '').split(/\s+/)) {
        const mine = name ? from.getAttribute(name) : undefined;
        if (typeof mine === 'string') to.setAttribute(name, mine);
        else if (mine === null) to.removeAttribute(name);
      }
      if (from.hasAttribute(B_IGNORE)) {
        mergeAttrs(from, to, 'data-');
        return false;
      }
      if (from.classList.contains(C_LOADING)) to.classList.add(C_LOADING);
      holdDisabled(from, to);
      if (!isField(from) || from.tagName !== to.tagName) return true;
      if (from.tagName === 'INPUT' && (from as HTMLInputElement).type === 'file') return true;
      const keep = keepsValue(from, to as Field, focused, options.keepUsed === true);
      if (from.tagName === 'TEXTAREA') {
        // morphdom writes a textarea's text only when it has some; its default must follow the server
        // (an untouched textarea follows its default: put a kept value back).
        const value = from.value;
        (from as HTMLTextAreaElement).defaultValue = (to as HTMLTextAreaElement).defaultValue;
        if (keep && from.value !== value) from.value = value;
      }
      if (!keep) return true;
      const kept = keepUserValue(from, to as Field);
      if (kept === 'skip') return false;
      if (kept !== undefined) selects.push([from as HTMLSelectElement, kept]);
      return true;
    },
  });

  for (const [select, values] of selects) restoreSelected(select, values);
  if (!focused || !focused.isConnected) return;
  // A keyed move re-inserts the element, which blurs it: give focus and caret back.
  if (document.activeElement !== focused) {
    focused.focus({ preventScroll: true });
    if (selection) {
      try {
        (focused as HTMLInputElement).setSelectionRange(selection[0], selection[1]);
      } catch {
        // input types without a selection (number, email) refuse it
      }
    }
  }
}

function selectedValues(select: HTMLSelectElement): string[] {
  return Array.from(select.selectedOptions, (o) => o.value);
}

/** A select keeps the user's choice as long as those options still exist. */
function restoreSelected(select: HTMLSelectElement, values: string[]): void {
  const options = Array.from(select.options);
  if (!options.some((o) => values.includes(o.value))) return;
  for (const o of options) o.selected = values.includes(o.value);
}
