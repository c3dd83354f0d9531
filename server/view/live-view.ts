/**
 * The base class of every live view.
 *
 * A view owns plain-data state (`this.state`, JSON-serializable: it is saved in the state
 * backend between page load, socket join and reconnects). Writes through `this.state` — and
 * reads of object-valued fields, which may be mutated in place — are tracked, so the runtime
 * re-evaluates only the template slots that read what changed. Only events named in the static
 * `events` map are callable from the client; each maps to a method of the same name and to a
 * payload schema (any Standard Schema: zod, valibot, arktype…) or `null` for "no payload".
 *
 * @example
 * ```ts
 * export class CounterView extends LiveView<{ count: number }> {
 *   static template = 'counter.html';
 *   static events = { inc: null, set: z.object({ value: z.coerce.number().int() }) };
 *   mount() { return { count: 0 }; }
 *   inc() { this.state.count += 1; }
 *   set({ value }: { value: number }) { this.state.count = value; }
 * }
 * ```
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { EntityName } from '@mikro-orm/core';
import { scoped, type LiveryEntityManager, type Scoped } from '../data/index.ts';
import { LiveryError, registryCode } from '../errors.ts';
import type { PresenceDiff, PresenceEntry, PresenceMeta } from '../presence/index.ts';
import type { SaveEvent } from '../data/index.ts';
import type { Session } from '../session/index.ts';
import { SINGLE_TENANT, type TenantInfo } from '../tenancy/directory.ts';
import type { UploadedFile, UploadFields } from '../uploads/index.ts';
import { PageRecord, resolveAppUrl, type FlashKind, type NavigateOptions } from './page.ts';
import type { JsCommands } from './js.ts';
import { checkOptions, ViewStreams, type StreamDeclarations, type StreamInsertOptions, type StreamOptions } from './streams.ts';

export type { FlashKind, NavigateOptions };
import { ASYNC_WORK, failed, reloading, succeeded, type AsyncKeys, type AsyncOutcome, type AsyncValue } from './async-result.ts';
import { emptyFieldErrors, type FieldErrors } from './field-errors.ts';

export type Params = Readonly<Record<string, string>>;
export type { Session };

export type EventSchemas = Readonly<Record<string, StandardSchemaV1 | null>>;

/** An entity class or `defineEntity` schema: both carry the entity's name. */
export interface WatchedEntity {
  readonly name: string;
}

export type TerminateReason = 'leave' | 'disconnect' | 'shutdown' | 'replaced' | 'navigate';

/** What the runtime gives a view once it is live on a socket. Topics are always within the view's tenant. */
export interface ViewRuntime {
  sendSelf(message: unknown, afterMs: number): void;
  subscribe(topic: string): Promise<void>;
  broadcast(topic: string, message: unknown): Promise<void>;
  pushToView(viewName: string, message: unknown): Promise<void>;
  track(topic: string, meta: PresenceMeta): Promise<void>;
  presence(topic: string): Promise<PresenceEntry[]>;
  /**
   * Runs `work` outside the mailbox (aborting the previous work of the same name), then `apply`s
   * its outcome inside it. Failed work is reported (logged, LV_ASYNC_FAILED) before `apply`;
   * `recover` is applied instead when applying a success fails (the state grew too large).
   */
  startAsync(
    name: string,
    work: (signal: AbortSignal) => unknown,
    apply: (outcome: AsyncOutcome) => void | Promise<void>,
    recover?: (error: unknown) => void,
  ): void;
}

/** Where a view's data comes from: the socket's (or page's) tenant context. */
export interface ViewData {
  /** A fresh EntityManager scoped to the tenant. */
  forEvent(): LiveryEntityManager;
}

export const RUNTIME: unique symbol = Symbol('livery.runtime');
export const DATA: unique symbol = Symbol('livery.data');
export const EVENT_EM: unique symbol = Symbol('livery.eventEm');
export const PAGE: unique symbol = Symbol('livery.page');
export const FIELD_ERRORS: unique symbol = Symbol('livery.fieldErrors');
export const STREAMS: unique symbol = Symbol('livery.streams');

export abstract class LiveView<S extends object = Record<string, unknown>> {
  /** The template file, relative to the templates directory. */
  static template: string;
  /** Events the client may send, each with its payload schema or null. */
  static events: EventSchemas = {};
  /** Milliseconds between `tick()` calls while live; undefined: no ticks. */
  static tickInterval: number | undefined = undefined;
  /**
   * Entities whose committed saves in this tenant (by any process) re-render the view: bursts are
   * coalesced into one `onSave(events)` call (default: `mount` again and take its state).
   */
  static watch: readonly WatchedEntity[] = [];
  /**
   * Upload fields the page may upload files to (`<input type="file" lv-upload="field">`), each
   * with its limits: `{ avatar: { maxSize: 5_000_000, maxFiles: 1, accept: ['image/*'] } }`.
   * The template sees `uploads.<field>.entries`; complete files arrive in `handleUpload`.
   */
  static uploads: UploadFields = {};
  /**
   * JS commands the template uses by name: `{{ js.openMenu }}` renders the attribute value of
   * `static commands = { openMenu: JS.show({ to: '#menu' }) }` (docs/client.md, D78).
   */
  static commands: Readonly<Record<string, JsCommands>> = {};
  /**
   * Streams: collections rendered once and then changed item by item, kept neither in the state
   * nor on the server (docs/views.md, "Streams"). Each name may say how to key its items
   * (default: `item.id`): `static streams = { messages: {}, people: { key: (p) => p.email } }`.
   * The template loops over `streams.messages`.
   */
  static streams: StreamDeclarations = {};

  /** The view's tracked state (set by the runtime from `mount()` or the saved state). */
  declare state: S;
  /**
   * The tenant this view serves: resolved once for the page or socket, never from anything the
   * client sends per event. Also `{{ tenant }}` in templates.
   */
  tenant: TenantInfo = SINGLE_TENANT;
  /** Set by the runtime while the view is live on a socket. */
  [RUNTIME]: ViewRuntime | undefined = undefined;
  [DATA]: ViewData | undefined = undefined;
  [EVENT_EM]: LiveryEntityManager | undefined = undefined;
  /** The page this view shows: URL, title, flash, where to go next (server/view/page.ts). */
  [PAGE] = new PageRecord();
  /** What `errors` returns; the runtime updates it in place as payloads are validated. */
  [FIELD_ERRORS]: FieldErrors = emptyFieldErrors();
  /** The view's streams, made on first use (`streamsOf`): declared only, so a view without any has not even the field (D86). */
  declare [STREAMS]: ViewStreams | undefined;

  /**
   * Builds the initial state. Runs once per page view, on the HTTP request (or after the state
   * expired). `params` holds the route's path params and the query string's (a path param wins).
   */
  abstract mount(params: Params, session: Session): S | Promise<S>;

  /**
   * The URL's params, after `mount` and whenever the URL changes without leaving the view (an
   * `lv-patch` link, `pushPatch`, the browser's back and forward buttons). `url` is the path and
   * query the browser shows. Derive URL-driven state here (page, sort, filter).
   */
  handleParams?(params: Params, url: string): void | Promise<void>;

  /** Called on each socket join, including rejoins after a reconnect (subscribe, start work). */
  onJoin?(): void | Promise<void>;
  /** Called every `tickInterval` ms while live; never concurrently with an event. */
  tick?(): void | Promise<void>;
  /** Receives messages from `sendSelf`, subscribed topics and `pushToView`. */
  handleInfo?(message: unknown): void | Promise<void>;
  /**
   * A message from one of the view's live components (`this.sendParent(message)` in the
   * component, D80), with the component's id; runs in the mailbox after the component's handler.
   */
  handleComponentMessage?(id: string, message: unknown): void | Promise<void>;
  /** Saves of watched entities, coalesced; without it the view mounts again. */
  onSave?(events: SaveEvent[]): void | Promise<void>;
  /** Joins and leaves on a topic this view tracks or subscribed to with `track`. */
  onPresence?(topic: string, diff: PresenceDiff): void | Promise<void>;
  /** The outcome of work started with `startAsync(name, fn)`, in the view's mailbox like an event. */
  handleAsync?(name: string, outcome: AsyncOutcome): void | Promise<void>;
  /** Called when the view leaves the socket; its state has been saved. */
  terminate?(reason: TerminateReason): void;
  /**
   * A file of an upload field is complete (all bytes stored, type checked by content). Runs like
   * an event handler; copy or move what you keep: Livery removes the upload once this returns.
   */
  handleUpload?(field: string, file: UploadedFile): void | Promise<void>;

  /** The path and query the page shows now (`/projects?page=2`); relative URLs resolve against it. */
  get url(): string {
    return this[PAGE].url;
  }

  /** The page's title (`document.title`, the layout's `{{ title }}`); default: the route's title. */
  get pageTitle(): string | undefined {
    return this[PAGE].title;
  }

  set pageTitle(title: string) {
    this[PAGE].setTitle(title);
  }

  /**
   * Shows `message` in the layout's flash region (`#lv-flash`): at once, and on the next page the
   * user navigates to, after which it is gone; the user can dismiss it. One message per kind.
   */
  flash(kind: FlashKind, message: string): void {
    this[PAGE].setFlash(kind, message);
  }

  /**
   * Changes the URL without leaving the view: `handleParams` runs with the new URL's params
   * after the handler returns, and the browser gets a history entry (`replace`: no new entry).
   * `url` is a path on this site, resolved against the current one (`'?page=2'` works).
   */
  pushPatch(url: string, options: NavigateOptions = {}): void {
    const resolved = resolveAppUrl(url, this.url);
    if (!resolved.local) throw new LiveryError('LV_NAV_URL_INVALID', 'pushPatch stays on this page: give a path, or use redirect for another site');
    this[PAGE].intent = { kind: 'patch', to: resolved.to, replace: options.replace === true };
  }

  /**
   * Opens the live view at `url` in this view's place, over the same socket (the layout stays).
   * A URL another tenant, another site or a page that is not live serves becomes a full page
   * load. During the HTTP render, a redirect (302).
   */
  pushNavigate(url: string, options: NavigateOptions = {}): void {
    const resolved = resolveAppUrl(url, this.url);
    this[PAGE].intent = { kind: resolved.local ? 'navigate' : 'redirect', to: resolved.to, replace: options.replace === true };
  }

  /**
   * Sends `name` with `payload` (JSON) to the page's hooks that `handleEvent(name, …)`, with the
   * frame this handler's changes go out in (after they are applied). Only while live: during the
   * HTTP render (`mount` for a page load) it is dropped — push from `onJoin` instead. A handler
   * that fails sends none of its events. See docs/client.md, "Hooks" (D77).
   */
  pushEvent(name: string, payload: Readonly<Record<string, unknown>> = {}): void {
    if (this.connected) this[PAGE].pushEvent(name, payload);
  }

  /** Loads `url` as a new page (any http(s) URL); during the HTTP render, a real 302. Flash messages go with it. */
  redirect(url: string, options: NavigateOptions = {}): void {
    this[PAGE].intent = { kind: 'redirect', to: resolveAppUrl(url, this.url).to, replace: options.replace === true };
  }

  /**
   * What the event schemas refused, by field name — also `{{ errors.title }}` in the template.
   * Only fields the user has used (typed in, or submitted) have a message; each validated event
   * replaces the messages of the fields it carries. See docs/forms.md.
   */
  get errors(): Readonly<FieldErrors> {
    return this[FIELD_ERRORS];
  }

  /** True while the view is live on a socket (false during the HTTP render). */
  get connected(): boolean {
    return this[RUNTIME] !== undefined;
  }

  /**
   * The tenant-scoped EntityManager for the current event (or mount, tick, info): a fresh fork
   * each time, so no identity map outlives an event, with the tenant filter (and PostgreSQL's
   * row-level security) bound to `this.tenant`.
   */
  get db(): LiveryEntityManager {
    const data = this[DATA];
    if (data === undefined) throw new LiveryError('LV_DATA_UNAVAILABLE', this.constructor.name);
    const work = ASYNC_WORK.getStore();
    if (work !== undefined && work.view === this) return (work.em ??= data.forEvent()) as LiveryEntityManager;
    return (this[EVENT_EM] ??= data.forEvent());
  }

  /**
   * Tenant-scoped helpers for an entity (djust's TenantScopedMixin): `find`, `findOne`, `count`,
   * `get(id)` (another tenant's id is "not found"), `create(data)` (stamps the tenant, refuses a
   * foreign one), `update`, `delete`. The tenant field is the entity's (see `tenantOwned`).
   *
   * @example
   * const todos = await this.scoped(TodoSchema).find({}, { orderBy: { title: 'asc' } });
   */
  scoped<T extends object>(entity: EntityName<T>): Scoped<T> {
    return scoped(this.db, entity);
  }

  /** Merges `patch` into the state (tracked like direct writes). */
  assign(patch: Partial<S>): void {
    Object.assign(this.state, patch);
  }

  /**
   * Sends `items` to the stream `name` (declared in `static streams`), keeping their order: they
   * are appended, or placed from index `at` on (`at: 0` prepends them, first item first); an item
   * whose key the page shows already is replaced where it stands.
   * `reset: true` empties the page's items first; `limit` trims them afterwards (negative: keep
   * the last |limit|, positive: the first limit). The items are rendered with the next diff and
   * then forgotten. In `mount` they show in the first paint only: stream again in `onJoin`.
   *
   * @example
   * ```ts
   * async onJoin() { this.stream('messages', await this.recent(), { reset: true }); }
   * ```
   */
  stream<T>(name: string, items: Iterable<T>, options: StreamOptions = {}): void {
    const streams = streamsOf(this);
    const stream = streams.stream(name);
    const { at, limit } = checkOptions(name, options);
    // Every key first: an item without one leaves the stream as it was.
    const keyed = Array.from(items, (item) => [streams.keyOf(name, item), item] as const);
    if (options.reset === true) stream.reset();
    // Inserted at one index in turn, items would land in reverse: each goes after the one before.
    keyed.forEach(([key, item], i) => stream.insert(key, item, at < 0 ? at : at + i, i === keyed.length - 1 ? limit : undefined));
  }

  /** Inserts (or, for a key the page shows, replaces) one item of stream `name`; see `stream`. */
  streamInsert<T>(name: string, item: T, options: StreamInsertOptions = {}): void {
    const streams = streamsOf(this);
    const stream = streams.stream(name);
    const { at, limit } = checkOptions(name, options);
    stream.insert(streams.keyOf(name, item), item, at, limit);
  }

  /** Removes an item (or the item with this key) from stream `name`. */
  streamDelete<T>(name: string, itemOrKey: T | string | number): void {
    const streams = streamsOf(this);
    const stream = streams.stream(name);
    stream.delete(typeof itemOrKey === 'string' || typeof itemOrKey === 'number' ? String(itemOrKey) : streams.keyOf(name, itemOrKey));
  }

  /** Delivers `message` to `handleInfo` after `afterMs` (ignored while not connected). */
  sendSelf(message: unknown, afterMs = 0): void {
    this[RUNTIME]?.sendSelf(message, afterMs);
  }

  /** Receive this tenant's messages on `topic` in `handleInfo` (call in `onJoin`). */
  subscribe(topic: string): Promise<void> {
    return this.#live().subscribe(topic);
  }

  /** Deliver `message` to every subscriber of `topic` in this tenant, in every process. */
  broadcast(topic: string, message: unknown): Promise<void> {
    return this.#live().broadcast(topic, message);
  }

  /** Deliver `message` to `handleInfo` of every live `view` in this tenant (djust's push_to_view). */
  pushToView(view: { readonly name: string }, message: unknown): Promise<void> {
    return this.#live().pushToView(view.name, message);
  }

  /**
   * Show this session on `topic` (keyed by the signed-in user, else the session) with `meta`,
   * until the view leaves; joins and leaves arrive in `onPresence`.
   */
  track(topic: string, meta: PresenceMeta = {}): Promise<void> {
    return this.#live().track(topic, meta);
  }

  /** Who is on `topic` in this tenant, across processes, grouped by key. */
  presence(topic: string): Promise<PresenceEntry[]> {
    return this.#live().presence(topic);
  }

  /**
   * Loads `key` (or several keys) of the state in the background: the key becomes an
   * `AsyncResult` that is loading now, and ok (`result` = what `fn` returned) or failed when `fn`
   * settles. Meanwhile the view handles events as usual; the result is applied in its mailbox.
   * `fn` gets an AbortSignal, aborted when the view leaves or the same key is loaded again (the
   * older result is then dropped). For several keys, `fn` returns an object with each of them.
   * Needs the view to be live: call it from `onJoin` (which runs again after a reconnect) or a handler.
   *
   * @example
   * ```ts
   * async onJoin() {
   *   this.assignAsync('stats', async (signal) => ({ projects: await this.scoped(ProjectSchema).count() }));
   * }
   * ```
   */
  assignAsync<K extends AsyncKeys<S>>(key: K, fn: (signal: AbortSignal) => Promise<AsyncValue<S[K]>> | AsyncValue<S[K]>): void;
  assignAsync<K extends AsyncKeys<S>>(keys: readonly K[], fn: (signal: AbortSignal) => Promise<{ [P in K]: AsyncValue<S[P]> }> | { [P in K]: AsyncValue<S[P]> }): void;
  assignAsync(keys: string | readonly string[], fn: (signal: AbortSignal) => unknown): void {
    const runtime = this.#live();
    const list = typeof keys === 'string' ? [keys] : [...keys];
    const state = this.state as Record<string, unknown>;
    for (const key of list) state[key] = reloading(state[key]);
    const name = `assign:${list.join(',')}`;
    const fail = (error: unknown) => {
      for (const key of list) state[key] = failed(state[key], registryCode(error) ?? 'LV_ASYNC_FAILED');
    };
    runtime.startAsync(name, fn, (outcome) => {
      if (!outcome.ok) return fail(outcome.error);
      for (const key of list) {
        const value = typeof keys === 'string' ? outcome.result : pick(outcome.result, key, name);
        state[key] = succeeded(value);
      }
    }, fail);
  }

  /**
   * Runs `fn` in the background and hands its outcome to `handleAsync(name, outcome)`, in the
   * view's mailbox like an event: `{ ok: true, result }` or `{ ok: false, error }` (the failure is
   * also logged and reported as LV_ASYNC_FAILED). Starting `name` again aborts the running one
   * and drops its outcome; leaving aborts everything. Needs the view to be live.
   */
  startAsync(name: string, fn: (signal: AbortSignal) => unknown): void {
    const runtime = this.#live();
    const handle = this.handleAsync;
    if (typeof handle !== 'function') throw new LiveryError('LV_ASYNC_UNHANDLED', `${this.constructor.name}.startAsync("${name}")`);
    runtime.startAsync(`start:${name}`, fn, (outcome) => handle.call(this, name, outcome));
  }

  #live(): ViewRuntime {
    const runtime = this[RUNTIME];
    if (runtime === undefined) throw new LiveryError('LV_VIEW_NOT_LIVE', this.constructor.name);
    return runtime;
  }
}

/** `assignAsync([...keys], fn)`: the key's value in what `fn` returned; a missing key fails the work. */
function pick(result: unknown, key: string, name: string): unknown {
  if (result === null || typeof result !== 'object' || !Object.hasOwn(result, key)) {
    throw new LiveryError('LV_ASYNC_FAILED', `${name}: the work returned no "${key}"`);
  }
  return (result as Record<string, unknown>)[key];
}

/** A view's streams, made on first use from its class's declarations. */
export function streamsOf(view: LiveView<object>): ViewStreams {
  return (view[STREAMS] ??= new ViewStreams((view.constructor as ViewClass).streams ?? {}));
}

/** A concrete view class as routes and the runtime see it. */
export interface ViewClass {
  new (): LiveView<object>;
  readonly name: string;
  template: string;
  events: EventSchemas;
  tickInterval: number | undefined;
  watch: readonly WatchedEntity[];
  uploads: UploadFields;
  commands: Readonly<Record<string, JsCommands>>;
  streams: StreamDeclarations;
}

type PayloadOf<E> = E extends StandardSchemaV1<unknown, infer Out> ? Out : Record<string, never>;

/** The methods a view class must have for the events it declares. */
export type HandlersFor<E extends EventSchemas> = {
  [K in keyof E & string]: (payload: PayloadOf<E[K]>) => unknown;
};

/**
 * A view class whose declared events all have handlers with matching payload types. A class
 * that declares no events inherits the base's open-ended map, which needs no handlers.
 */
export type CheckedView<C extends ViewClass> = string extends keyof C['events'] ? C : C & { prototype: HandlersFor<C['events']> };

/** Names that are part of the view lifecycle and therefore can never be events. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'constructor', 'mount', 'onJoin', 'tick', 'handleInfo', 'terminate', 'assign', 'sendSelf', 'state', 'connected',
  'tenant', 'db', 'scoped', 'onSave', 'onPresence', 'subscribe', 'broadcast', 'pushToView', 'track', 'presence',
  'handleUpload', 'uploads',
  'handleParams', 'url', 'pageTitle', 'flash', 'pushPatch', 'pushNavigate', 'redirect',
  'errors', 'assignAsync', 'startAsync', 'handleAsync', 'pushEvent', 'commands', 'handleComponentMessage',
  'stream', 'streamInsert', 'streamDelete', 'streams',
]);
