/**
 * A view's live components (D80): mounts, updates, renders and drops the components its template
 * shows, and keeps their state in the view's own state record.
 *
 * - State: each component has a record in the view's raw state under COMPONENTS_KEY — `{n: name,
 *   c: cid, a: attrs, s: state}` by id — so it is saved, size-checked and restored with the view's
 *   (a reconnect or another process adopting the instance finds it there and mounts nothing).
 * - Wire: a component slot's value is the component's `cid`, a number; the component's own tree
 *   travels in the frame's root `c` member, `{cid: diff}` (a full node the first time), and `null`
 *   for a component the view no longer shows. A parent render that leaves a component's
 *   attributes unchanged costs nothing; changed ones call `update(attrs)` and send the
 *   component's own diff.
 * - Every render pass ends with `attach`: renders what changed, then walks the view's tree (and
 *   the components' trees) for the components still shown: the rest are dropped, state and all;
 *   one shown twice (two slots with one id) fails the render with LV_COMPONENT_DUPLICATE_ID.
 * - Async `mount`/`update` (D84): the render goes on with the component `loading` (its placeholder
 *   state); on a socket the view's runner applies the outcome in its mailbox, in a page render
 *   `loaded()` waits for it and the caller renders again.
 */
import { K_COMPONENTS } from '../protocol/index.ts';
import { LiveryError, registryCode, type ErrorCode } from '../errors.ts';
import { encodeRoot, updateBlock, type RBlock, type StaticsCollector, type WireNode } from '../diff/index.ts';
import { isList, isStream, renderBlock, type RValue } from '../diff/rendered.ts';
import { createScope, renderToString, type Scope } from '../template/index.ts';
import { COMPONENT_HOST, type ComponentRenderer, type ComponentSlot } from '../template/types.ts';
import { COMPONENT_PARENT, type Attrs, type LiveComponent, type RegisteredComponent } from '../view/live-component.ts';
import { ASYNC_WORK, type AsyncOutcome } from '../view/async-result.ts';
export type { RegisteredComponent };
import type { LiveView } from '../view/live-view.ts';
import { findNonPlainValue, trackState, type TrackedState } from '../view/tracked-state.ts';

/** The view state's key holding its components' records: not a name a template can read. */
export const COMPONENTS_KEY = '$components';


interface ComponentRecord {
  /** The component's registered name. */
  n: string;
  /** Its wire id, kept so a restored view shows the same ids. */
  c: number;
  /** The attributes it last got. */
  a: Record<string, unknown>;
  s: object;
}

/** One component live in a view (what the record does not hold: the instance, its tracker, its tree). */
export interface LiveComponentEntry {
  readonly id: string;
  readonly cid: number;
  readonly def: RegisteredComponent;
  readonly instance: LiveComponent<object>;
  readonly tracked: TrackedState<object>;
  scope: Scope;
  tree: RBlock | null;
  attrsJson: string;
  readonly record: ComponentRecord;
  /** Its async `mount` or `update` has not settled yet (D84): the template's `loading`. */
  loading: 'mount' | 'update' | null;
  /** The code its last async mount or update failed with (D84): the template's `failed`. */
  failed: string | null;
}

/**
 * Runs a component's async mount or update on a live socket (D84): the view's async work (aborted
 * when the view goes, `awaitAsync` waits for it), its outcome applied by `settle` in the view's
 * mailbox as the component's own change — unless the component was removed meanwhile.
 */
export type ComponentRunner = (entry: LiveComponentEntry, hook: 'mount' | 'update', running: Promise<unknown>, settle: (outcome: AsyncOutcome) => ComponentError | undefined) => void;

/** The `failed` of a component whose record the view's state had no room for (D85): not saved, its events refused. */
export const OVER_LIMIT = 'LV_COMPONENTS_OVER_LIMIT';

/** What the template of a component sees from Livery beside its state (no state key may use these names). */
const LIVERY_NAMES = ['loading', 'failed'] as const;

/** A component problem while rendering: its code reaches the socket (and the page render's log). */
export class ComponentError extends LiveryError {
  constructor(code: ErrorCode, detail: string, cause?: unknown) {
    super(code, detail, cause === undefined ? undefined : { cause });
  }
}

/** `<div …` → `<div lv-component="3" …`: how the client finds a component's element (client/rendered.ts does the same). */
export function markRoot(html: string, cid: number): string {
  return html.replace(/^(\s*<[A-Za-z][\w:-]*)/, `$1 lv-component="${cid}"`);
}

export class ComponentHost implements ComponentRenderer {
  readonly #registry: ReadonlyMap<string, RegisteredComponent>;
  readonly #state: Record<string, unknown>;
  readonly #view: LiveView<object>;
  readonly #byId = new Map<string, LiveComponentEntry>();
  readonly #byCid = new Map<number, LiveComponentEntry>();
  #next = 1;
  /** Ids a page render showed (a page render has no tree to find duplicates in). */
  #shown: Set<string> | undefined;
  /** Set by the live view: where `sendParent` messages go. */
  send: ((id: string, message: unknown) => void) | undefined;
  /** Set by the live view: runs async mounts and updates (without it — a page render — the host awaits them itself). */
  runner: ComponentRunner | undefined;
  /** A page render's async mounts and updates still running (`loaded()` waits for them). */
  readonly #running = new Set<Promise<void>>();
  /**
   * A page render's failed async mounts, for its log (a socket reports them in the view's
   * mailbox); and, on both, mounts the view's state had no room for (the view reports them).
   */
  readonly failures: unknown[] = [];
  readonly #maxBytes: number;
  /** Bytes the state may still grow by in the running (synchronous) render; measured at its first mount. */
  #room: number | undefined;

  constructor(registry: ReadonlyMap<string, RegisteredComponent>, state: Record<string, unknown>, view: LiveView<object>, maxBytes = Infinity) {
    this.#registry = registry;
    this.#state = state;
    this.#view = view;
    this.#maxBytes = maxBytes;
    for (const record of Object.values(this.#records(false) ?? {})) this.#next = Math.max(this.#next, record.c + 1);
  }

  #records(create: boolean): Record<string, ComponentRecord> | undefined {
    const records = this.#state[COMPONENTS_KEY] as Record<string, ComponentRecord> | undefined;
    if (records !== undefined || !create) return records;
    return (this.#state[COMPONENTS_KEY] = {});
  }

  get size(): number {
    return this.#byCid.size;
  }

  /** The component with id `id` in this view, if it is shown. */
  byId(id: string): LiveComponentEntry | undefined {
    return this.#byId.get(id);
  }

  /** The component with wire id `cid` in this view, if it is shown. */
  byCid(cid: unknown): LiveComponentEntry | undefined {
    return typeof cid === 'number' ? this.#byCid.get(cid) : undefined;
  }

  html(slot: ComponentSlot, scope: Scope): string {
    const entry = this.#resolve(slot, scope);
    const shown = (this.#shown ??= new Set());
    if (shown.has(entry.id)) throw duplicate(slot.component, entry.id);
    shown.add(entry.id);
    entry.tracked.clearChanges();
    return markRoot(renderToString(entry.def.template, entry.scope), entry.cid);
  }

  ref(slot: ComponentSlot, scope: Scope): number {
    return this.#resolve(slot, scope).cid;
  }

  #resolve(slot: ComponentSlot, scope: Scope): LiveComponentEntry {
    const { id, attrs } = slot.args(scope);
    // An id from a name the scope lacks renders empty: every such component would share it.
    if (id === '' || id.length > MAX_ID) throw new ComponentError('LV_COMPONENT_ID_INVALID', `live_component "${slot.component}" id="${id.slice(0, 64)}": an id is 1-${MAX_ID} characters`);
    const json = JSON.stringify(attrs);
    const def = this.#registry.get(slot.component)!;
    let entry = this.#byId.get(id);
    if (entry !== undefined && entry.def !== def) {
      // Another component under the same id: the old one goes, state and all.
      this.#drop(entry);
      entry = undefined;
    }
    if (entry === undefined) return this.#restore(id, slot.component, def, json) ?? this.#mount(id, slot.component, def, json);
    if (entry.attrsJson !== json) this.#update(entry, json);
    // Not kept for want of room (D85): kept once the state has room again.
    if (entry.failed === OVER_LIMIT && this.#fits(id, entry.record)) {
      this.#keep(id, entry.record);
      entry.failed = null;
      this.#changedFlags(entry);
    }
    return entry;
  }

  /** True while a page render's async mount or update runs: `loaded()`, then render again. */
  get loading(): boolean {
    return this.#running.size > 0;
  }

  /** Waits for the page render's async mounts and updates; the next render starts afresh (D84). */
  async loaded(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    this.#shown = undefined;
  }

  #instance(id: string, def: RegisteredComponent): LiveComponent<object> {
    const instance = new def.componentClass();
    Object.defineProperty(instance, 'id', { value: id, enumerable: true });
    instance[COMPONENT_PARENT] = { view: this.#view, send: (to, message) => this.send?.(to, message) };
    return instance;
  }

  #entry(id: string, def: RegisteredComponent, instance: LiveComponent<object>, record: ComponentRecord, json: string): LiveComponentEntry {
    const tracked = trackState(record.s);
    instance.state = tracked.proxy;
    const entry: LiveComponentEntry = { id, cid: record.c, def, instance, tracked, scope: undefined as unknown as Scope, tree: null, attrsJson: json, record, loading: null, failed: null };
    entry.scope = this.#scope(entry);
    this.#byId.set(id, entry);
    this.#byCid.set(record.c, entry);
    return entry;
  }

  /** A saved component: its state comes back as it was; attributes changed meanwhile reach `update`. */
  #restore(id: string, name: string, def: RegisteredComponent, json: string): LiveComponentEntry | undefined {
    const records = this.#records(false);
    const record = records !== undefined && Object.hasOwn(records, id) ? records[id] : undefined;
    if (record === undefined || record.n !== name || typeof record.s !== 'object' || record.s === null) return undefined;
    const entry = this.#entry(id, def, this.#instance(id, def), record, JSON.stringify(record.a));
    if (entry.attrsJson !== json) this.#update(entry, json);
    return entry;
  }

  /**
   * A new component: `mount(attrs)` builds its state. An async one (D84) shows its `placeholder`
   * state with `loading` meanwhile; its record joins the view's state only once it loaded, so a
   * reconnect before that (or after a failure) mounts it again rather than restoring a placeholder.
   */
  #mount(id: string, name: string, def: RegisteredComponent, json: string): LiveComponentEntry {
    const instance = this.#instance(id, def);
    const attrs = JSON.parse(json) as Record<string, unknown>;
    const mounted = this.#call(instance, 'mount', () => instance.mount(attrs));
    const pending = mounted instanceof Promise;
    const state = pending ? this.#call(instance, 'placeholder', () => instance.placeholder?.(attrs) ?? {}) : mounted;
    const record: ComponentRecord = { n: name, c: this.#next++, a: attrs, s: this.#checked(name, pending ? 'placeholder' : 'mount', state) };
    const fits = pending || this.#fits(id, record);
    if (!pending && fits) this.#keep(id, record);
    const entry = this.#entry(id, def, instance, record, json);
    if (pending) this.#await(entry, 'mount', mounted);
    if (!fits) {
      // Kept, its record would take the view's state past state.maxBytes: every later save would
      // fail, losing what the user did since the last one. Shown `failed`, never saved (D85).
      entry.failed = OVER_LIMIT;
      entry.scope = this.#scope(entry);
      this.failures.push(new ComponentError('LV_COMPONENTS_OVER_LIMIT', `${name} "${id.slice(0, 64)}" and any after it in this render`));
    }
    return entry;
  }

  /**
   * Whether the view's state has room for one more record. The state is measured once per render
   * (at its first mount, forgotten in a microtask: renders are synchronous) and each kept record
   * counted against what is left. Components this render drops are counted until it ends.
   */
  #fits(id: string, record: ComponentRecord): boolean {
    if (this.#maxBytes === Infinity) return true;
    if (this.#room === undefined) {
      // `"$components":{},` when the state has no records yet.
      this.#room = this.#maxBytes - JSON.stringify(this.#state).length - (this.#state[COMPONENTS_KEY] === undefined ? COMPONENTS_KEY.length + 6 : 0);
      queueMicrotask(() => (this.#room = undefined));
    }
    const cost = JSON.stringify(id).length + JSON.stringify(record).length + 2; // "id":{…},
    if (cost > this.#room) return false;
    this.#room -= cost;
    return true;
  }

  /** An async mount's state arrived: it replaces the placeholder, and the record joins the view's state. */
  #loaded(entry: LiveComponentEntry, loaded: unknown): void {
    const fresh = this.#checked(entry.record.n, 'mount', loaded) as Record<string, unknown>;
    const target = entry.instance.state as Record<string, unknown>;
    for (const key of Object.keys(target)) if (!Object.hasOwn(fresh, key)) delete target[key];
    Object.assign(target, fresh);
    this.#keep(entry.id, entry.record);
  }

  /** A mount's state (or placeholder): a plain object, with no key the template could not see. */
  #checked(name: string, hook: string, state: unknown): object {
    if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new ComponentError('LV_COMPONENT_FAILED', `${name}.${hook}() must return a state object`);
    const bad = findNonPlainValue(state);
    if (bad !== null) throw new ComponentError('LV_STATE_INVALID', `${name}.${hook}() returned non-plain data at ${bad}`);
    const reserved = LIVERY_NAMES.find((key) => Object.hasOwn(state, key));
    if (reserved !== undefined) throw new ComponentError('LV_COMPONENT_FAILED', `${name}.${hook}() returned a state key "${reserved}": "${reserved}" in a component's template is Livery's (D84), rename the key`);
    return state;
  }

  /** The record joins the view's state: saved with it from now on. */
  #keep(id: string, record: ComponentRecord): void {
    // Defined, not assigned: an id such as "__proto__" is a key like any other.
    Object.defineProperty(this.#records(true)!, id, { value: record, enumerable: true, writable: true, configurable: true });
  }

  #update(entry: LiveComponentEntry, json: string): void {
    const attrs = JSON.parse(json) as Record<string, unknown>;
    entry.record.a = attrs;
    entry.attrsJson = json;
    entry.tracked.mark('attrs');
    entry.scope = this.#scope(entry);
    const instance = entry.instance;
    if (entry.loading === 'mount') {
      // Still loading for the old attributes: load for the new ones instead (the old outcome is dropped).
      return this.#await(entry, 'mount', Promise.resolve(this.#call(instance, 'mount', () => instance.mount(attrs))));
    }
    const update = instance.update;
    if (update === undefined) return;
    const result = this.#call(instance, 'update', () => update.call(instance, attrs));
    if (result instanceof Promise) this.#await(entry, 'update', result);
  }

  /**
   * An async mount or update runs (D84): the component shows `loading` until it settles; then its
   * result is applied — a mount's replaces the placeholder state, an update's (a plain object, if
   * any) is merged into the state — or the component shows `failed` and the failure is reported
   * (LV_COMPONENT_FAILED). On a socket the view's runner applies it in the view's mailbox; in a
   * page render, the host applies it here and `loaded()` waits for it.
   */
  #await(entry: LiveComponentEntry, hook: 'mount' | 'update', running: Promise<unknown>): void {
    running.catch(() => {}); // settled below, or dropped: never an unhandled rejection
    entry.loading = hook;
    entry.failed = null;
    this.#changedFlags(entry);
    const token = {};
    this.#tokens.set(entry, token);
    const settle = (outcome: AsyncOutcome): ComponentError | undefined => {
      // Removed, or loading again for newer attributes: this outcome is nobody's.
      if (this.#byCid.get(entry.cid) !== entry || this.#tokens.get(entry) !== token) return undefined;
      this.#tokens.delete(entry);
      entry.loading = null;
      let error: ComponentError | undefined;
      try {
        if (!outcome.ok) throw outcome.error;
        if (hook === 'mount') this.#loaded(entry, outcome.result);
        else if (outcome.result !== undefined && outcome.result !== null) Object.assign(entry.instance.state, this.#checked(entry.record.n, 'update', outcome.result));
      } catch (thrown) {
        error = failure(entry.record.n, hook, thrown);
        entry.failed = error.code;
      }
      this.#changedFlags(entry);
      return error;
    };
    if (this.runner !== undefined) return this.runner(entry, hook, running, settle);
    const done: Promise<void> = running
      .then((result) => ({ ok: true, result }) as const, (error: unknown) => ({ ok: false, error }) as const)
      .then((outcome) => {
        const error = settle(outcome);
        if (error !== undefined) this.failures.push(error);
      })
      .finally(() => this.#running.delete(done));
    this.#running.add(done);
  }

  /**
   * Applying a load's result failed after all (the view's state would grow past `state.maxBytes`:
   * the mailbox job was rolled back and reported): the component shows `failed`, and a mount's
   * record leaves the view's state again, so a reconnect mounts it afresh.
   */
  loadFailed(entry: LiveComponentEntry, hook: 'mount' | 'update', error: unknown): void {
    const records = this.#records(false);
    if (hook === 'mount' && records !== undefined && Object.hasOwn(records, entry.id) && records[entry.id] === entry.record) delete records[entry.id];
    entry.loading = null;
    entry.failed = registryCode(error) ?? 'LV_COMPONENT_FAILED';
    this.#changedFlags(entry);
  }

  /** Each loading component's latest mount or update: an outcome it does not match is dropped. */
  readonly #tokens = new WeakMap<LiveComponentEntry, object>();

  /** `loading` / `failed` changed: the template's scope gets them anew, and their slots re-render. */
  #changedFlags(entry: LiveComponentEntry): void {
    entry.scope = this.#scope(entry);
    for (const name of LIVERY_NAMES) entry.tracked.mark(name);
  }

  /**
   * Runs mount, update or placeholder, with its own EntityManager for `this.db` as the view's
   * async work has (an async mount outlives the render that started it): what it throws is the
   * component's failure; an async one returns its promise.
   */
  #call<T>(instance: LiveComponent<object>, hook: string, fn: () => T): T {
    try {
      return ASYNC_WORK.run({ view: this.#view }, fn);
    } catch (error) {
      throw failure(instance.constructor.name, hook, error);
    }
  }

  /** The component's template sees its state, `attrs`, `id`, `tenant`, `loading` and `failed` (which no state key can shadow). */
  #scope(entry: LiveComponentEntry): Scope {
    const { record } = entry;
    return createScope(record.s as Record<string, unknown>, { tenant: this.#view.tenant, attrs: record.a as Attrs, id: entry.id, loading: entry.loading !== null, failed: entry.failed, [COMPONENT_HOST]: this });
  }

  #drop(entry: LiveComponentEntry): void {
    this.#byId.delete(entry.id);
    this.#byCid.delete(entry.cid);
    const records = this.#records(false);
    if (records !== undefined && Object.hasOwn(records, entry.id) && records[entry.id] === entry.record) delete records[entry.id];
  }

  /** Forget every rendered tree: the next `attach` sends each component whole (a full re-render). */
  reset(): void {
    for (const entry of this.#byCid.values()) entry.tree = null;
  }

  /**
   * After the view's tree was rendered or updated: renders the components that are new or
   * changed, drops the ones no longer shown, and puts their diffs in `diff.c`. Returns the diff
   * (made when it was undefined and a component changed).
   */
  attach(diff: WireNode | undefined, root: RBlock, statics: StaticsCollector): WireNode | undefined {
    if (this.#byCid.size === 0) return diff;
    let out: Record<string, unknown> | undefined;
    // Rendering a component may show new ones (a component's template may show others).
    for (let rendered = true; rendered; ) {
      rendered = false;
      for (const entry of this.#byCid.values()) {
        const changed = entry.tracked.changed;
        if (entry.tree === null) {
          entry.tree = renderBlock(entry.def.template.root, entry.scope);
          (out ??= {})[entry.cid] = encodeRoot(entry.tree, statics);
        } else if (changed.size > 0) {
          const d = updateBlock(entry.tree, entry.scope, changed, statics);
          if (d !== undefined) (out ??= {})[entry.cid] = d;
        } else continue;
        entry.tracked.clearChanges();
        rendered = true;
      }
    }
    // Only a changed tree can stop showing a component.
    if (diff === undefined && out === undefined) return diff;
    const shown = new Set<number>();
    const walk = (value: RValue): void => {
      if (typeof value === 'string') return;
      if (typeof value === 'number') {
        const entry = this.#byCid.get(value);
        if (shown.has(value)) throw duplicate(entry?.record.n ?? '?', entry?.id ?? String(value));
        shown.add(value);
        if (entry?.tree != null) walk(entry.tree);
        return;
      }
      if (isStream(value)) {
        // A stream's items are not kept (D82): a component in one could never be found again.
        if (value.fresh?.items.some((item) => holdsComponent(item))) throw new ComponentError('LV_COMPONENT_FAILED', `stream "${value.name}": a live component cannot be inside a stream item (the server does not keep the items); use a keyed {% for %}`);
        return;
      }
      if (isList(value)) for (const item of value.items.values()) walk(item);
      else for (const v of value.values) walk(v);
    };
    walk(root);
    for (const entry of [...this.#byCid.values()]) {
      if (shown.has(entry.cid)) continue;
      this.#drop(entry);
      (out ??= {})[entry.cid] = null;
    }
    if (out === undefined) return diff;
    const result = diff ?? {};
    result[K_COMPONENTS] = out;
    return result;
  }
}

/** A mount, update or placeholder threw or rejected: LV_COMPONENT_FAILED, with the cause kept for the log. */
function failure(name: string, hook: string, error: unknown): ComponentError {
  if (error instanceof ComponentError) return error;
  return new ComponentError('LV_COMPONENT_FAILED', `${name}.${hook}() failed: ${error instanceof Error ? error.message : String(error)}`, error);
}

/** Ids are keys of the view's saved state: bounded, so a page cannot grow it through them. */
const MAX_ID = 128;

function duplicate(name: string, id: string): ComponentError {
  return new ComponentError('LV_COMPONENT_DUPLICATE_ID', `live_component "${name}" id="${id.slice(0, 64)}" is shown twice in one render: give each its own id`);
}

/** Whether a rendered value shows a live component anywhere inside. */
function holdsComponent(value: RValue): boolean {
  if (typeof value === 'number') return true;
  if (typeof value === 'string' || isStream(value)) return false;
  if (isList(value)) return [...value.items.values()].some(holdsComponent);
  return value.values.some(holdsComponent);
}
