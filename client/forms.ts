/**
 * Forms (docs/forms.md, D52–D53): which fields the user has used, whose values are on their way
 * to the server, the submit lock and `lv-disable-with`, the reset after a submit, and the rule a
 * patch follows for a field's value.
 *
 * The model: a field's attributes (`value`, `checked`, `selected`, a textarea's text) are the
 * server's — every patch writes them; its current value is the user's. A patch writes the value
 * only when the server rendered a *different* value for the field than before, and not while the
 * user is typing in it (focused) or an event carrying its value awaits its answer. After the reply
 * to a submit, the form is reset to what the server rendered (`form.reset()`), focused field
 * included: the server decides a form's values after a submit.
 */
import { B_DISABLE_WITH } from '../server/protocol/index.ts';

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** Inputs whose value is not typed text. */
const UNTYPED_INPUT = /^(checkbox|radio|submit|button|reset|image|file|hidden)$/;
/** Named controls that are not the user's data to track (buttons, hidden and file inputs). */
const NOT_DATA = /^(submit|button|reset|image|file|hidden)$/;

/** Fields the user has typed in or changed, or whose form they submitted (until the form is reset). */
const used = new WeakSet<Element>();
/** Field → the ref of the latest event that carried its value, until that event is answered. */
const carrying = new WeakMap<Element, number>();
/** Ref → the fields its event carried. */
const carried = new Map<number, Element[]>();
/** Ref → the submit it is: the form and the elements `lv-disable-with` changed. */
const submits = new Map<number, { form: HTMLFormElement; held: Element[] }>();
/** Forms with a submit in flight: another submit of them is ignored. */
const locked = new WeakSet<HTMLFormElement>();
/** An element `lv-disable-with` holds: the server's latest content and disabled state, restored on the answer. */
const held = new WeakMap<Element, { html: string; disabled: boolean }>();

export function isField(el: Element): el is Field {
  return el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA';
}

export function isTypingField(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  return el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !UNTYPED_INPUT.test((el as HTMLInputElement).type));
}

/** The form's named controls that hold the user's data. */
function dataFields(form: HTMLFormElement): Field[] {
  return Array.from(form.elements).filter((el): el is Field => isField(el) && !!el.name && !NOT_DATA.test((el as HTMLInputElement).type));
}

/** An input or change event on `target`: the user used it. */
export function edited(target: Element): void {
  if (isField(target)) used.add(target);
}

/** The names of the form's fields the user has not used yet (`_unused` in its events). */
export function unusedNames(form: HTMLFormElement): string[] {
  const names = new Set<string>();
  const usedNames = new Set<string>();
  for (const field of dataFields(form)) (used.has(field) ? usedNames : names).add(field.name);
  return [...names].filter((name) => !usedNames.has(name));
}

/** The form was reset (after a submit's reply, or by a reset button): it starts over, unused. */
export function forgetUsed(form: HTMLFormElement): void {
  for (const field of dataFields(form)) used.delete(field);
}

/** False while a submit of `form` is in flight: a double click or a second Enter sends nothing. */
export function canSubmit(form: HTMLFormElement): boolean {
  return !locked.has(form);
}

/**
 * An event from `el` went out with `ref`. The fields it carries (a form's, or the field itself)
 * keep the user's values until it is answered. A submit also counts every field as used, locks
 * the form and applies `lv-disable-with`.
 */
export function sent(ref: number, el: Element, submit: boolean): void {
  const fields = el instanceof HTMLFormElement ? dataFields(el) : isField(el) ? [el] : [];
  if (fields.length > 0) {
    for (const field of fields) carrying.set(field, ref);
    carried.set(ref, fields);
  }
  if (!submit || !(el instanceof HTMLFormElement)) return;
  for (const field of fields) used.add(field);
  locked.add(el);
  const holding = Array.from(el.querySelectorAll(`[${B_DISABLE_WITH}]`));
  for (const target of holding) {
    held.set(target, { html: target.innerHTML, disabled: target.hasAttribute('disabled') });
    target.textContent = target.getAttribute(B_DISABLE_WITH);
    target.setAttribute('disabled', '');
  }
  submits.set(ref, { form: el, held: holding });
}

/**
 * The answer to `ref` arrived (or never will: the socket dropped). Its fields follow the server
 * again and a submit's form is unlocked. Returns the form of a submit, to reset once the reply's
 * diff is applied.
 */
export function answered(ref: number): HTMLFormElement | undefined {
  for (const field of carried.get(ref) ?? []) if (carrying.get(field) === ref) carrying.delete(field);
  carried.delete(ref);
  const submit = submits.get(ref);
  if (submit === undefined) return undefined;
  submits.delete(ref);
  locked.delete(submit.form);
  for (const target of submit.held) {
    const was = held.get(target);
    if (was === undefined) continue;
    held.delete(target);
    target.innerHTML = was.html;
    target.toggleAttribute('disabled', was.disabled);
  }
  return submit.form;
}

/**
 * After the reply to a submit: every field of the form takes what the server rendered (its
 * attributes), the focused one too, with the caret at the end; the form starts over, unused.
 */
export function resetForm(form: HTMLFormElement): void {
  if (!form.isConnected) return;
  form.reset(); // its reset event makes the fields unused (`forgetUsed`)
  const active = document.activeElement;
  if (active && form.contains(active) && isTypingField(active)) {
    const end = active.value.length;
    try {
      active.setSelectionRange(end, end);
    } catch {
      // input types without a selection (number, email) refuse it
    }
  }
}

/** What the server rendered as the field's value: its attributes, not what the user typed. */
function rendered(el: Field): string {
  if (el.tagName === 'TEXTAREA') return (el as HTMLTextAreaElement).defaultValue;
  if (el.tagName === 'SELECT') return Array.from((el as HTMLSelectElement).options).filter((o) => o.hasAttribute('selected')).map((o) => o.value).join('\n');
  const type = (el as HTMLInputElement).type;
  if (type === 'checkbox' || type === 'radio') return el.hasAttribute('checked') ? 'on' : '';
  return el.getAttribute('value') ?? '';
}

/**
 * morphdom is about to update the field `from` to `to`: does the user's value stay? Yes, unless
 * the server rendered a different value than before and the field is neither being typed in
 * (focused) nor awaiting the answer to an event that carried its value. During a join
 * (`keepUsed`) every field the user used keeps its value too: the recovery event sends it.
 */
export function keepsValue(from: Field, to: Field, focused: Element | null, keepUsed: boolean): boolean {
  const typing = isTypingField(from) || from.tagName === 'SELECT';
  return (typing && from === focused) || carrying.has(from) || (keepUsed && used.has(from)) || rendered(from) === rendered(to);
}

/** While a submit is in flight, an element `lv-disable-with` holds stays disabled with its text; the server's new content is kept for the answer. */
export function holdDisabled(from: Element, to: Element): void {
  const was = held.get(from);
  if (was === undefined) return;
  was.html = to.innerHTML;
  was.disabled = to.hasAttribute('disabled');
  to.innerHTML = from.innerHTML;
  to.setAttribute('disabled', '');
}

/** Forms in `container` whose used fields a (re)join must send again, each with its recovery event. */
export function formsToRecover(container: Element, owns: (el: Element) => boolean, eventOf: (form: HTMLFormElement) => string | null): Array<[HTMLFormElement, string]> {
  const out: Array<[HTMLFormElement, string]> = [];
  for (const form of Array.from(container.querySelectorAll('form'))) {
    if (!owns(form)) continue;
    const event = eventOf(form);
    if (event && event !== 'ignore' && dataFields(form).some((field) => used.has(field))) out.push([form, event]);
  }
  return out;
}
