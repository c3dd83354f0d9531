/**
 * What the browser client sends for a click, a submit or a change (`client/bindings.ts`), read
 * from a parsed copy of the view's HTML: the event name from the `lv-*` binding on the element or
 * its nearest ancestor, `lv-value-*` attributes, and form fields serialized as `FormData` would.
 * A test that clicks a button the template does not bind fails here, as the user's click would
 * do nothing in the browser.
 */
import type { HTMLElement } from 'node-html-parser';
import { LiveryError } from '../errors.ts';
import { B_CHANGE, B_CLICK, B_INPUT, B_SUBMIT, B_VALUE_PREFIX } from '../protocol/index.ts';

export type Payload = Record<string, unknown>;
export type FieldValues = Record<string, string | string[]>;

export interface Action {
  readonly event: string;
  readonly payload: Payload;
}

const NOT_SUBMITTED = new Set(['submit', 'button', 'image', 'reset', 'file']);

/** `lv-click`: the nearest `[lv-click]` at or above `el`, with its `lv-value-*`. */
export function clickAction(el: HTMLElement, selector: string): Action {
  const bound = el.closest(`[${B_CLICK}]`);
  if (bound === null) throw misuse(`nothing happens on a click on "${selector}": neither it nor an ancestor has lv-click`);
  return { event: bound.getAttribute(B_CLICK)!, payload: values(bound) };
}

/** `lv-submit`: the form's fields (with `fields` typed in), plus its `lv-value-*`. */
export function submitAction(el: HTMLElement, selector: string, fields: FieldValues): Action {
  const form = el.closest(`form[${B_SUBMIT}]`);
  if (form === null) throw misuse(`"${selector}" is not inside a form with lv-submit`);
  return { event: form.getAttribute(B_SUBMIT)!, payload: { ...serialize(form, fields), ...values(form) } };
}

/**
 * `lv-change` (else `lv-input`) on the field or its form: a form sends all its fields and
 * `_target` (the field's name); a bound field alone sends `{name: value}`.
 */
export function changeAction(el: HTMLElement, selector: string, fields: FieldValues): Action {
  for (const attr of [B_CHANGE, B_INPUT]) {
    const bound = el.closest(`[${attr}]`);
    if (bound === null) continue;
    const event = bound.getAttribute(attr)!;
    if (bound.tagName === 'FORM') {
      const target = el.tagName === 'FORM' ? undefined : el.getAttribute('name');
      return { event, payload: { ...serialize(bound, fields), ...(target ? { _target: target } : {}), ...values(bound) } };
    }
    const name = el.getAttribute('name') || 'value';
    const value = name in fields ? fields[name] : (fieldValue(el) ?? '');
    const unknown = Object.keys(fields).filter((key) => key !== name);
    if (unknown.length > 0) throw misuse(`"${selector}" is the field "${name}"; it cannot set ${unknown.map((k) => `"${k}"`).join(', ')}`);
    return { event, payload: { [name]: value, ...values(bound) } };
  }
  throw misuse(`nothing happens on a change of "${selector}": neither it nor an ancestor has lv-change or lv-input`);
}

/** `lv-value-NAME="v"` → `{NAME: "v"}`. */
function values(el: HTMLElement): Payload {
  const out: Payload = {};
  for (const [name, value] of Object.entries(el.attributes)) {
    if (name.startsWith(B_VALUE_PREFIX)) out[name.slice(B_VALUE_PREFIX.length)] = value;
  }
  return out;
}

/**
 * The form's successful controls as `name → value` (a repeated name becomes an array), with the
 * values in `fields` in place of what the HTML holds — as if the user had typed them. Naming a
 * field the form does not have is an error: the user could not have typed into it.
 */
function serialize(form: HTMLElement, fields: FieldValues): Payload {
  const out: Payload = {};
  const typed = new Set<string>();
  const add = (name: string, value: string) => {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  for (const field of form.querySelectorAll('input, select, textarea')) {
    const name = field.getAttribute('name');
    if (!name || field.hasAttribute('disabled')) continue;
    const type = (field.getAttribute('type') ?? '').toLowerCase();
    if (field.tagName === 'INPUT' && NOT_SUBMITTED.has(type)) continue;
    if (name in fields) {
      if (typed.has(name)) continue; // a typed value replaces every control of that name once
      typed.add(name);
      const value = fields[name];
      for (const v of Array.isArray(value) ? value : [value]) add(name, v);
      continue;
    }
    const value = fieldValue(field);
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) add(name, v);
  }
  const unknown = Object.keys(fields).filter((name) => !typed.has(name));
  if (unknown.length > 0) throw misuse(`the form has no field named ${unknown.map((n) => `"${n}"`).join(', ')}`);
  return out;
}

/** A control's current value as the HTML states it; undefined when it would not be submitted. */
function fieldValue(field: HTMLElement): string | string[] | undefined {
  if (field.tagName === 'TEXTAREA') return field.text;
  if (field.tagName === 'SELECT') {
    const options = field.querySelectorAll('option');
    const chosen = options.filter((o) => o.hasAttribute('selected'));
    const pick = (o: HTMLElement) => o.getAttribute('value') ?? o.text;
    if (field.hasAttribute('multiple')) return chosen.map(pick);
    const one = chosen[0] ?? options[0];
    return one === undefined ? undefined : pick(one);
  }
  const type = (field.getAttribute('type') ?? 'text').toLowerCase();
  if (type === 'checkbox' || type === 'radio') return field.hasAttribute('checked') ? (field.getAttribute('value') ?? 'on') : undefined;
  return field.getAttribute('value') ?? '';
}

function misuse(detail: string): LiveryError {
  return new LiveryError('LV_TEST_ACTION_INVALID', detail);
}
