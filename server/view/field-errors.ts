/**
 * Field errors: what a payload schema refused, by field name, for the template (`{{ errors.title }}`)
 * and the view (`this.errors`), shown only for fields the user has used (D52).
 *
 * The browser client lists the fields of a form the user has not typed in yet in `_unused` (a
 * form's `lv-change` sends it; a submit never does, since submitting uses every field). A field
 * in `_unused` gets no message, so a form validated as the user types does not greet them with
 * "required" under every field they have not reached. A client that sends no `_unused` (a submit,
 * the test client's `submit`, a script) sees every message.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { P_UNUSED } from '../protocol/index.ts';

/** Field name → the first message the schema gave for it. */
export type FieldErrors = Record<string, string>;

/**
 * Instances inherit nothing: their prototype is an empty object without a prototype, so a field
 * may be called `constructor` or `__proto__`. Not `Object.create(null)`: V8 keeps that in
 * dictionary mode, 184 bytes for every view's (nearly always empty) map; this is 24 (D68).
 */
const NoPrototype = function NoPrototype() {} as unknown as new () => FieldErrors;
NoPrototype.prototype = Object.create(null) as FieldErrors;

/** An empty errors map, inheriting nothing (see {@link NoPrototype}). */
export function emptyFieldErrors(): FieldErrors {
  return new NoPrototype();
}

/** Where issues that name no field (a refinement of the whole payload) are reported. */
export const FORM_ERROR_KEY = 'form';

/** A payload split into what the schema validates and the fields the client says are unused. */
export interface SplitPayload {
  readonly payload: unknown;
  readonly unused: ReadonlySet<string> | undefined;
}

/** Takes Livery's `_unused` out of an object payload (ignoring a malformed one: it only hides messages). */
export function splitPayload(payload: unknown): SplitPayload {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || !Object.hasOwn(payload, P_UNUSED)) {
    return { payload, unused: undefined };
  }
  const { [P_UNUSED]: listed, ...rest } = payload as Record<string, unknown>;
  const unused = Array.isArray(listed) ? new Set(listed.filter((name): name is string => typeof name === 'string')) : undefined;
  return { payload: rest, unused };
}

/** The key an issue is reported under: its path joined with dots (`address.city`), or `form`. */
function issueKey(issue: StandardSchemaV1.Issue): string {
  const path = issue.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
  return path ? path : FORM_ERROR_KEY;
}

/**
 * Updates `errors` in place after an event's payload was validated: every field the payload
 * carries (and every field an issue names, and `form`) loses its old message, then each issue's
 * field that the user has used gets the first message about it. Fields the payload does not carry
 * (another form's) keep theirs. Returns whether anything changed, so the caller re-renders only then.
 */
export function updateFieldErrors(
  errors: FieldErrors,
  payload: unknown,
  issues: readonly StandardSchemaV1.Issue[] | undefined,
  unused: ReadonlySet<string> | undefined,
): boolean {
  // The hot path: a valid payload while no message shows allocates nothing.
  if (issues === undefined && !hasKeys(errors)) return false;
  const next: FieldErrors = Object.create(null);
  for (const issue of issues ?? []) {
    const key = issueKey(issue);
    // A message about the whole form waits until every field has been used.
    const hidden = key === FORM_ERROR_KEY ? unused !== undefined && unused.size > 0 : unused?.has(key.split('.')[0]) === true;
    if (!hidden && next[key] === undefined) next[key] = issue.message;
  }
  const cleared = new Set([FORM_ERROR_KEY, ...(issues ?? []).map(issueKey)]);
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) for (const name of Object.keys(payload)) cleared.add(name);
  let changed = false;
  for (const key of cleared) {
    if (errors[key] === next[key]) continue;
    changed = true;
    if (next[key] === undefined) delete errors[key];
    else errors[key] = next[key];
  }
  return changed;
}

function hasKeys(errors: FieldErrors): boolean {
  for (const _ in errors) return true;
  return false;
}
