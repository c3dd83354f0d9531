/**
 * Applies a view's new HTML to its container with morphdom (children only: the container's own
 * attributes and classes belong to the client).
 *
 * Rules, in the order morphdom meets an element:
 * - nested view containers (`[data-lv-token]` below the root) belong to their own view: skipped;
 * - an element with a request in flight keeps `lv-loading` (the server's HTML never has it);
 * - an element `lv-disable-with` holds during a submit stays disabled with its text;
 * - a form field's attributes always follow the server; its value only when the server rendered a
 *   different one and the user is not typing in it or waiting for it (`forms.ts`, `keepsValue`);
 * - elements are matched by `id`, then by `data-lv-key` (both must be unique within the view).
 */
import morphdom from 'morphdom';
import { A_TOKEN, C_LOADING } from '../server/protocol/index.ts';
import { holdDisabled, isField, isTypingField, keepsValue } from './forms.ts';

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

/** Copies every attribute (morphdom's own sync, for an element it is told to skip). */
function mergeAttrs(from: Element, to: Element): void {
  for (const a of Array.from(to.attributes)) {
    if (from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  }
  for (const a of Array.from(from.attributes)) {
    if (!to.hasAttribute(a.name)) from.removeAttribute(a.name);
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

export function patch(container: HTMLElement, html: string, options: PatchOptions = {}): void {
  // A <template> parses any content (table rows too) without running scripts or loading images.
  const template = document.createElement('template');
  template.innerHTML = html;
  const target = document.createElement('div');
  target.appendChild(template.content);

  const active = document.activeElement as Field | null;
  const focused = active && container.contains(active) ? active : null;
  const selection = focused && isTypingField(focused) ? [focused.selectionStart, focused.selectionEnd] : null;
  const selects: Array<[HTMLSelectElement, string[]]> = [];

  morphdom(container, target, {
    childrenOnly: true,
    getNodeKey: nodeKey,
    onBeforeElUpdated(from, to) {
      if (from.hasAttribute(A_TOKEN)) return false;
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
