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
import { LiveryError } from '../errors.ts';
import type { PresenceDiff, PresenceEntry, PresenceMeta } from '../presence/index.ts';
import type { SaveEvent } from '../data/index.ts';
import type { Session } from '../session/index.ts';
import { SINGLE_TENANT, type TenantInfo } from '../tenancy/directory.ts';
import type { UploadedFile, UploadFields } from '../uploads/index.ts';

export type Params = Readonly<Record<string, string>>;
export type { Session };

export type EventSchemas = Readonly<Record<string, StandardSchemaV1 | null>>;

/** An entity class or `defineEntity` schema: both carry the entity's name. */
export interface WatchedEntity {
  readonly name: string;
}

export type TerminateReason = 'leave' | 'disconnect' | 'shutdown' | 'replaced';

/** What the runtime gives a view once it is live on a socket. Topics are always within the view's tenant. */
export interface ViewRuntime {
  sendSelf(message: unknown, afterMs: number): void;
  subscribe(topic: string): Promise<void>;
  broadcast(topic: string, message: unknown): Promise<void>;
  pushToView(viewName: string, message: unknown): Promise<void>;
  track(topic: string, meta: PresenceMeta): Promise<void>;
  presence(topic: string): Promise<PresenceEntry[]>;
}

/** Where a view's data comes from: the socket's (or page's) tenant context. */
export interface ViewData {
  /** A fresh EntityManager scoped to the tenant. */
  forEvent(): LiveryEntityManager;
}

export const RUNTIME: unique symbol = Symbol('livery.runtime');
export const DATA: unique symbol = Symbol('livery.data');
export const EVENT_EM: unique symbol = Symbol('livery.eventEm');

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

  /** Builds the initial state. Runs once per page view, on the HTTP request (or after the state expired). */
  abstract mount(params: Params, session: Session): S | Promise<S>;

  /** Called on each socket join, including rejoins after a reconnect (subscribe, start work). */
  onJoin?(): void | Promise<void>;
  /** Called every `tickInterval` ms while live; never concurrently with an event. */
  tick?(): void | Promise<void>;
  /** Receives messages from `sendSelf`, subscribed topics and `pushToView`. */
  handleInfo?(message: unknown): void | Promise<void>;
  /** Saves of watched entities, coalesced; without it the view mounts again. */
  onSave?(events: SaveEvent[]): void | Promise<void>;
  /** Joins and leaves on a topic this view tracks or subscribed to with `track`. */
  onPresence?(topic: string, diff: PresenceDiff): void | Promise<void>;
  /** Called when the view leaves the socket; its state has been saved. */
  terminate?(reason: TerminateReason): void;
  /**
   * A file of an upload field is complete (all bytes stored, type checked by content). Runs like
   * an event handler; copy or move what you keep: Livery removes the upload once this returns.
   */
  handleUpload?(field: string, file: UploadedFile): void | Promise<void>;

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

  #live(): ViewRuntime {
    const runtime = this[RUNTIME];
    if (runtime === undefined) throw new LiveryError('LV_VIEW_NOT_LIVE', this.constructor.name);
    return runtime;
  }
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
]);
