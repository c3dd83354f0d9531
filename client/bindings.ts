/**
 * Event bindings (docs/protocol.md, "Client bindings"): one delegated listener per DOM event type
 * on the document. Attributes are read when the event fires, so bindings patched in by a diff
 * take effect at once and nothing needs re-binding after a patch.
 */
import {
  B_AUTO_RECOVER,
  B_BLUR,
  B_CHANGE,
  B_CLICK,
  B_DEBOUNCE,
  B_FOCUS,
  B_INPUT,
  B_KEY,
  B_KEY_PREFIX,
  B_SUBMIT,
  B_THROTTLE,
  B_VALUE_PREFIX,
  B_WINDOW_KEY_PREFIX,
  A_TOKEN,
  P_TARGET,
  P_UNUSED,
} from '../server/protocol/index.ts';
import { exec } from './commands.ts';
import { canSubmit, edited, forgetUsed, formsToRecover, unusedNames } from './forms.ts';
import { limit, flushDebounced } from './limit.ts';
import type { View } from './view.ts';

export interface BindingHost {
  /** The joined view that owns `el` (the nearest view container above it), if any. */
  viewOf(el: Element): View | undefined;
}

type Payload = Record<string, unknown>;
type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const FIELD_TAGS = /^(INPUT|SELECT|TEXTAREA)$/;
/** A field's value as its form's lv-change last sent it on an input event (a change event with it adds nothing). */
const announced = new WeakMap<Element, string>();

export function bindEvents(host: BindingHost): void {
  const on = (type: string, listener: (e: Event, target: Element) => void) =>
    document.addEventListener(type, (e) => {
      if (e.target instanceof Element) listener(e, e.target);
    });

  /**
   * Sends `el`'s `attr` event with `payload` plus its `lv-value-*`, rate-limited by `limitEl`; or,
   * for a value that is a JSON array, runs those JS commands at once (their `push` sends like this).
   */
  const trigger = (el: Element, attr: string, payload: Payload, limitEl = el, kind = attr): void => {
    const event = el.getAttribute(attr);
    // Commands run anywhere on the page (a layout's menu too); only their push needs a view.
    if (!event || (event[0] !== '[' && !host.viewOf(el))) return;
    Object.assign(payload, values(el));
    // The view is looked up again at send time: a debounced element may have left the page.
    const send = (name: string, extra?: Payload) => limit(limitEl, kind, () => host.viewOf(el)?.push(el, name, { ...payload, ...extra }, attr === B_SUBMIT));
    if (event[0] === '[') exec(el, event, send);
    else send(event);
  };

  on('click', (_e, target) => {
    const el = target.closest(`[${B_CLICK}]`);
    if (el) trigger(el, B_CLICK, {});
  });

  on('submit', (e, target) => {
    const form = target.closest(`[${B_SUBMIT}]`);
    if (!(form instanceof HTMLFormElement) || !host.viewOf(form)) return;
    e.preventDefault();
    // One submit at a time: a double click or a second Enter while the first is in flight sends nothing.
    if (canSubmit(form)) trigger(form, B_SUBMIT, serialize(form, (e as SubmitEvent).submitter));
  });

  /** `attr` (lv-change / lv-input) of the field `target` or of its form. */
  const changed = (target: Element, el: Element, attr: string): void => {
    const field = target as Field;
    const payload = el instanceof HTMLFormElement ? formPayload(el, field.name) : { [field.name || 'value']: fieldValue(field) };
    // A field's own lv-debounce/lv-throttle wins over the form's.
    const limited = target.hasAttribute(B_DEBOUNCE) || target.hasAttribute(B_THROTTLE);
    trigger(el, attr, payload, limited ? target : el, attr);
  };

  // A form's lv-change fires as the user types (each input event), and on a change event that no
  // input event announced (browsers fire both for selects and checkboxes: one is sent).
  on('input', (_e, target) => {
    edited(target);
    const el = target.closest(`[${B_INPUT}]`);
    if (el) changed(target, el, B_INPUT);
    const form = target.closest(`[${B_CHANGE}]`);
    if (form instanceof HTMLFormElement) {
      announced.set(target, JSON.stringify(fieldValue(target as Field)));
      changed(target, form, B_CHANGE);
    }
  });
  on('reset', (_e, target) => {
    if (target instanceof HTMLFormElement) forgetUsed(target);
  });
  on('change', (_e, target) => {
    edited(target);
    const el = target.closest(`[${B_CHANGE}]`);
    if (!el) return;
    if (el instanceof HTMLFormElement && announced.get(target) === JSON.stringify(fieldValue(target as Field))) return;
    changed(target, el, B_CHANGE);
  });

  for (const type of ['keydown', 'keyup']) {
    on(type, (e, target) => {
      const key = String((e as KeyboardEvent).key);
      const keyed = (el: Element, attr: string): void => {
        const want = el.getAttribute(B_KEY);
        if (want === null || want.toLowerCase() === key.toLowerCase()) trigger(el, attr, { key });
      };
      const el = target.closest(`[${B_KEY_PREFIX}${type}]`);
      if (el) keyed(el, B_KEY_PREFIX + type);
      for (const w of document.querySelectorAll(`[${B_WINDOW_KEY_PREFIX}${type}]`)) keyed(w, B_WINDOW_KEY_PREFIX + type);
    });
  }

  on('focusin', (_e, target) => trigger(target, B_FOCUS, focusPayload(target)));
  on('focusout', (_e, target) => {
    flushDebounced(target);
    const form = (target as Field).form;
    if (form) flushDebounced(form);
    trigger(target, B_BLUR, focusPayload(target));
  });
}

/**
 * After a join: each form of the view the user used is sent again with its recovery event
 * (`lv-auto-recover`, else its `lv-change`), so nothing typed while the socket was down, or before
 * a server restart lost it, is lost (docs/forms.md). The fields kept their values through the
 * join's patch (`keepUsed`).
 */
export function recoverForms(view: View): void {
  const container = view.el;
  const owns = (form: Element) => form.closest(`[${A_TOKEN}]`) === container;
  const eventOf = (form: HTMLFormElement) => form.getAttribute(B_AUTO_RECOVER) ?? form.getAttribute(B_CHANGE);
  for (const [form, event] of formsToRecover(container, owns, eventOf)) view.push(form, event, { ...formPayload(form), ...values(form) });
}

/** A form's fields for its `lv-change` / `lv-input` (and recovery): `_target` names the field that changed, `_unused` lists those not used yet. */
function formPayload(form: HTMLFormElement, target?: string): Payload {
  const payload = serialize(form);
  if (target !== undefined) payload[P_TARGET] = target;
  const unused = unusedNames(form);
  if (unused.length > 0) payload[P_UNUSED] = unused;
  return payload;
}

/** `lv-value-NAME="v"` → `{NAME: "v"}`. */
function values(el: Element): Payload {
  const out: Payload = {};
  for (const a of Array.from(el.attributes)) {
    if (a.name.startsWith(B_VALUE_PREFIX)) out[a.name.slice(B_VALUE_PREFIX.length)] = a.value;
  }
  return out;
}

/** The form's fields as `name → value`; a repeated name becomes an array. Files are skipped. */
export function serialize(form: HTMLFormElement, submitter?: HTMLElement | null): Payload {
  const out: Payload = {};
  new FormData(form, submitter).forEach((value, name) => {
    if (typeof value !== 'string') return;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return out;
}

/** An unchecked checkbox or radio reads as `""`; a multiple select as the array of its values. */
function fieldValue(field: Field): string | string[] {
  if (field instanceof HTMLSelectElement && field.multiple) return Array.from(field.selectedOptions, (o) => o.value);
  if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) {
    return field.checked ? field.value : '';
  }
  return field.value ?? '';
}

function focusPayload(el: Element): Payload {
  return FIELD_TAGS.test(el.tagName) ? { value: fieldValue(el as Field) } : {};
}
