/**
 * Applies a view's new HTML to its container with morphdom (children only: the container's own
 * attributes and classes belong to the client).
 *
 * Rules, in the order morphdom meets an element:
 * - nested view containers (`[data-lv-token]` below the root) belong to their own view: skipped;
 * - an element with a request in flight keeps `lv-loading` (the server's HTML never has it);
 * - the focused text field keeps its value (and so its caret); its other attributes are updated;
 * - elements are matched by `id`, then by `data-lv-key` (both must be unique within the view).
 */
import morphdom from 'morphdom';
import { A_TOKEN, C_LOADING } from '../server/protocol/index.ts';

const KEY_ATTR = 'data-lv-key';
/** Inputs whose value is not typed text: morphdom may sync them (checked state, labels). */
const UNTYPED_INPUT = /^(checkbox|radio|submit|button|reset|image|file|hidden)$/;

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function isTypingField(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  return el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !UNTYPED_INPUT.test((el as HTMLInputElement).type));
}

function nodeKey(node: Node): string | undefined {
  if (node.nodeType !== 1) return undefined;
  const el = node as Element;
  return el.id || el.getAttribute(KEY_ATTR) || undefined;
}

/** Copies every attribute but `value`: writing it would reset what the user is typing. */
function mergeAttrsExceptValue(from: Element, to: Element): void {
  for (const a of Array.from(to.attributes)) {
    if (a.name !== 'value' && from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  }
  for (const a of Array.from(from.attributes)) {
    if (a.name !== 'value' && !to.hasAttribute(a.name)) from.removeAttribute(a.name);
  }
}

export function patch(container: HTMLElement, html: string): void {
  // A <template> parses any content (table rows too) without running scripts or loading images.
  const template = document.createElement('template');
  template.innerHTML = html;
  const target = document.createElement('div');
  target.appendChild(template.content);

  const active = document.activeElement as Field | null;
  const focused = active && container.contains(active) ? active : null;
  const selection = focused && isTypingField(focused) ? [focused.selectionStart, focused.selectionEnd] : null;
  const selected = focused?.tagName === 'SELECT' ? selectedValues(focused as HTMLSelectElement) : null;

  morphdom(container, target, {
    childrenOnly: true,
    getNodeKey: nodeKey,
    onBeforeElUpdated(from, to) {
      if (from.hasAttribute(A_TOKEN)) return false;
      if (from.classList.contains(C_LOADING)) to.classList.add(C_LOADING);
      if (from === focused && isTypingField(from)) {
        mergeAttrsExceptValue(from, to);
        return false;
      }
      return true;
    },
  });

  if (!focused || !focused.isConnected) return;
  if (selected) restoreSelected(focused as HTMLSelectElement, selected);
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

/** The focused select keeps the user's choice as long as those options still exist. */
function restoreSelected(select: HTMLSelectElement, values: string[]): void {
  const options = Array.from(select.options);
  if (!options.some((o) => values.includes(o.value))) return;
  for (const o of options) o.selected = values.includes(o.value);
}
