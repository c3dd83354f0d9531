/**
 * Dependency sets: the root names a slot reads from the scope it is evaluated in.
 *
 * `null` is "unknown" and absorbs everything. Reads of an outer loop's `forloop` through
 * `forloop.parentloop` are recorded as the dotted name `forloop.parentloop` (one `.parentloop`
 * per level); each enclosing loop strips one level, so the loop whose `forloop` is really read
 * ends up depending on the `forloop` of *its* scope. A leftover dotted name at a template's root
 * never matches a state name, which is right: there is no loop there.
 */
export type Deps = ReadonlySet<string> | null;

const PARENT = '.parentloop';

/**
 * Read by a slot that compares the loop item with the previous one (`{% ifchanged %}`): the
 * innermost loop then re-renders every item, never only the changed ones (D61). Like `forloop`,
 * it belongs to the innermost loop and is removed there.
 */
export const PREVIOUS_ITEM = 'forloop.previous';

export function union(sets: readonly Deps[]): Deps {
  const out = new Set<string>();
  for (const set of sets) {
    if (set === null) return null;
    for (const name of set) out.add(name);
  }
  return out;
}

/** Deps of a body evaluated with `bound` names pushed on the scope (`with`, `include … with`). */
export function unbind(deps: Deps, bound: readonly string[]): Deps {
  if (deps === null) return null;
  const out = new Set<string>();
  for (const name of deps) {
    if (!bound.some((b) => name === b || name.startsWith(`${b}.`))) out.add(name);
  }
  return out;
}

/** Deps of a loop body seen from outside the loop: loop variables and `forloop` are bound. */
export function unbindLoop(deps: Deps, loopVars: readonly string[]): Deps {
  if (deps === null) return null;
  const out = new Set<string>();
  for (const name of deps) {
    if (name === 'forloop' || name === PREVIOUS_ITEM || loopVars.includes(name)) continue;
    out.add(name.startsWith(`forloop${PARENT}`) ? name.slice(0, -PARENT.length) : name);
  }
  return out;
}
