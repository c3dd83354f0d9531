/**
 * What the browser client sends for a click, a submit or a change (`client/bindings.ts`), read
 * from a parsed copy of the view's HTML: the event name from the `lv-*` binding on the element or
 * its nearest ancestor, `lv-value-*` attributes, and form fields serialized as `FormData` would.
 * A test that clicks a button the template does not bind fails here, as the user's click would
 * do nothing in the browser.
 */
import type { HTMLElement } from 'node-html-parser';
import { LiveryError } from '../errors.ts';
import { A_COMPONENT, B_CHANGE, B_CLICK, B_INPUT, B_SUBMIT, B_TARGET, B_VALUE_PREFIX, P_TARGET, P_UNUSED } from '../protocol/index.ts';

export type Payload = Record<string, unknown>;
export type FieldValues = Record<string, string | string[]>;

/**
 * What the "user" typed into fields earlier, by field name, with the value the server had
 * rendered for the field then. Like the browser, a field keeps what was typed into it until the
 * server renders a different value for it (or the form is reset after a successful submit).
 */
export type Typed = ReadonlyMap<string, { readonly value: string | string[]; readonly rendered: string | string[] | undefined }>;

export interface Action {
  readonly event: string;
  readonly payload: Payload;
  /** The live component the event goes to (the binding has `lv-target`, D80). */
  readonly cid?: number;
  /** For a form's events: the names of its fields that hold the user's data (what `_unused` lists from). */
  readonly fields?: readonly string[];
  /** The field names this action uses (typed into, changed). */
  readonly uses?: readonly string[];
  /** The values typed into the form by this action, with what the server rendered for each then. */
  readonly typed?: Typed;
}

const NOT_SUBMITTED = new Set(['submit', 'button', 'image', 'reset', 'file']);

/** `lv-click`: the nearest `[lv-click]` at or above `el`, with its `lv-value-*`. */
export function clickAction(el: HTMLElement, selector: string): Action {
  const bound = el.closest(`[${B_CLICK}]`);
  if (bound === null) throw misuse(`nothing happens on a click on "${selector}": neither it nor an ancestor has lv-click`);
  return pushed(bound.getAttribute(B_CLICK)!, values(bound), selector, bound);
}

/**
 * A binding's event and payload. A binding holding JS commands (a JSON array, D78) sends what its
 * first `push` sends — the binding's payload with the push's `value` merged in; its DOM effects
 * are the browser's (the test client keeps no DOM of its own between renders).
 */
function pushed(binding: string, payload: Payload, selector: string, bound: HTMLElement): { event: string; payload: Payload; cid?: number } {
  const cid = targetOf(bound, selector);
  if (!binding.startsWith('[')) return cid === undefined ? { event: binding, payload } : { event: binding, payload, cid };
  let commands: unknown;
  try {
    commands = JSON.parse(binding);
  } catch {
    throw misuse(`the JS commands on "${selector}" are not JSON: ${binding.slice(0, 80)}`);
  }
  const push = Array.isArray(commands) ? commands.find((c): c is [string, { event: string; value?: Payload }] => Array.isArray(c) && c[0] === 'push' && typeof c[1]?.event === 'string') : undefined;
  if (push === undefined) throw misuse(`nothing reaches the server from "${selector}": its JS commands push no event`);
  return { event: push[1].event, payload: { ...payload, ...push[1].value }, ...(cid === undefined ? {} : { cid }) };
}

/** `lv-target` on the bound element: the cid of the live component it is in (client/view.ts does the same). */
function targetOf(bound: HTMLElement, selector: string): number | undefined {
  if (!bound.hasAttribute(B_TARGET)) return undefined;
  const component = bound.closest(`[${A_COMPONENT}]`);
  if (component === null) throw misuse(`"${selector}" has lv-target but is not inside a live component`);
  return Number(component.getAttribute(A_COMPONENT));
}

/** `lv-submit`: the form's fields (with `fields` typed in), plus its `lv-value-*`. */
export function submitAction(el: HTMLElement, selector: string, fields: FieldValues, typed: Typed = new Map()): Action {
  const form = el.closest(`form[${B_SUBMIT}]`);
  if (form === null) throw misuse(`"${selector}" is not inside a form with lv-submit`);
  return {
    ...pushed(form.getAttribute(B_SUBMIT)!, { ...serialize(form, fields, typed), ...values(form) }, selector, form),
    fields: dataFields(form),
    uses: Object.keys(fields),
    typed: typedNow(form, fields),
  };
}

/**
 * `lv-change` (else `lv-input`) on the field or its form: a form sends all its fields, `_target`
 * (the field's name) and `_unused` (its fields not in `used` nor changed now, as the browser
 * lists the fields the user has not typed in yet); a bound field alone sends `{name: value}`.
 */
export function changeAction(el: HTMLElement, selector: string, fields: FieldValues, used: ReadonlySet<string> = new Set(), typed: Typed = new Map()): Action {
  for (const attr of [B_CHANGE, B_INPUT]) {
    const bound = el.closest(`[${attr}]`);
    if (bound === null) continue;
    const event = bound.getAttribute(attr)!;
    if (bound.tagName === 'FORM') {
      const target = el.tagName === 'FORM' ? undefined : el.getAttribute('name');
      const uses = [...Object.keys(fields), ...(target ? [target] : [])];
      const names = dataFields(bound);
      const unused = names.filter((name) => !used.has(name) && !uses.includes(name));
      const meta = { ...(target ? { [P_TARGET]: target } : {}), ...(unused.length > 0 ? { [P_UNUSED]: unused } : {}) };
      return { ...pushed(event, { ...serialize(bound, fields, typed), ...meta, ...values(bound) }, selector, bound), fields: names, uses, typed: typedNow(bound, fields) };
    }
    const name = el.getAttribute('name') || 'value';
    const value = name in fields ? fields[name] : (fieldValue(el) ?? '');
    const unknown = Object.keys(fields).filter((key) => key !== name);
    if (unknown.length > 0) throw misuse(`"${selector}" is the field "${name}"; it cannot set ${unknown.map((k) => `"${k}"`).join(', ')}`);
    return pushed(event, { [name]: value, ...values(bound) }, selector, bound);
  }
  throw misuse(`nothing happens on a change of "${selector}": neither it nor an ancestor has lv-change or lv-input`);
}

/** The names of a form's controls that hold the user's data (not buttons, hidden or file inputs), once each. */
function dataFields(form: HTMLElement): string[] {
  const names = new Set<string>();
  for (const field of form.querySelectorAll('input, select, textarea')) {
    const name = field.getAttribute('name');
    const type = (field.getAttribute('type') ?? '').toLowerCase();
    if (name && !field.hasAttribute('disabled') && !(field.tagName === 'INPUT' && (NOT_SUBMITTED.has(type) || type === 'hidden'))) names.add(name);
  }
  return [...names];
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
function serialize(form: HTMLElement, fields: FieldValues, earlier: Typed): Payload {
  const out: Payload = {};
  const replaced = new Set<string>();
  const add = (name: string, value: string) => {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  // A typed value replaces every control of that name, once: now's first, else an earlier one
  // the server has not rendered a new value over since.
  const replace = (name: string, value: string | string[]) => {
    if (replaced.has(name)) return;
    replaced.add(name);
    for (const v of Array.isArray(value) ? value : [value]) add(name, v);
  };
  for (const field of form.querySelectorAll('input, select, textarea')) {
    const name = field.getAttribute('name');
    if (!name || field.hasAttribute('disabled')) continue;
    const type = (field.getAttribute('type') ?? '').toLowerCase();
    if (field.tagName === 'INPUT' && NOT_SUBMITTED.has(type)) continue;
    if (name in fields) {
      replace(name, fields[name]);
      continue;
    }
    const before = earlier.get(name);
    if (before !== undefined && JSON.stringify(renderedValue(form, name)) === JSON.stringify(before.rendered)) {
      replace(name, before.value);
      continue;
    }
    const value = fieldValue(field);
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) add(name, v);
  }
  const unknown = Object.keys(fields).filter((name) => !replaced.has(name));
  if (unknown.length > 0) throw misuse(`the form has no field named ${unknown.map((n) => `"${n}"`).join(', ')}`);
  return out;
}

function typedNow(form: HTMLElement, fields: FieldValues): Typed {
  return new Map(Object.entries(fields).map(([name, value]) => [name, { value, rendered: renderedValue(form, name) }]));
}

/** What the server renders for the field `name` of `form` now (every control of that name). */
export function renderedValue(form: HTMLElement, name: string): string | string[] | undefined {
  const found: string[] = [];
  for (const field of form.querySelectorAll('input, select, textarea')) {
    if (field.getAttribute('name') !== name) continue;
    const value = fieldValue(field);
    if (value !== undefined) found.push(...(Array.isArray(value) ? value : [value]));
  }
  return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
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
