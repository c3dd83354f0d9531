/**
 * The base class of a stateful live component (D80, docs/components.md "Live components"): a part
 * of a live view's page with its own state, template and events, rendered by the parent's
 * template with `{% live_component "Name" id="…" attr=… %}` and registered with the app
 * (`createServer({ components: { Name } })`).
 *
 * It lives inside its parent view: on the parent's socket and mailbox (a component's handler never
 * runs at the same time as the view's), with the parent's tenant, database and session, and its
 * state is saved in the parent's state record. Its events come from elements marked `lv-target`
 * inside it; `sendParent` hands the parent a message.
 *
 * @example
 * ```ts
 * export class Counter extends LiveComponent<{ count: number }> {
 *   static template = 'live/counter.html'; // not components/: that folder holds function components
 *   static events = { inc: null };
 *   mount(attrs: Attrs) { return { count: Number(attrs.start ?? 0) }; } // or async, loading data (D84)
 *   inc() { this.state.count++; }
 * }
 * ```
 */
import type { EntityName } from '@mikro-orm/core';
import type { LiveryEntityManager, Scoped } from '../data/index.ts';
import { LiveryError } from '../errors.ts';
import type { Template } from '../template/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { EventSchemas, LiveView } from './live-view.ts';

/** What the parent's template passed: each attribute's value, as plain JSON data. */
export type Attrs = Readonly<Record<string, unknown>>;

/** Set by the component host: the view the component lives in, and where its messages go. */
export const COMPONENT_PARENT: unique symbol = Symbol('livery.componentParent');

export interface ComponentParent {
  readonly view: LiveView<object>;
  /** Delivers `message` to the parent's `handleComponentMessage(id, message)` (while the view is live). */
  readonly send: (id: string, message: unknown) => void;
}

export abstract class LiveComponent<S extends object = Record<string, unknown>> {
  /** The template file, relative to the templates directory; it must render one root element. */
  static template: string;
  /** Events elements with `lv-target` inside the component may send, each with its payload schema or null. */
  static events: EventSchemas = {};

  /** The component's tracked state (from `mount`, or its saved state). */
  declare state: S;
  /** The id the parent's template gave it: unique within the view. */
  declare readonly id: string;
  declare [COMPONENT_PARENT]: ComponentParent;

  /**
   * Builds the component's state from the attributes the parent's template passed, once: when it
   * first appears (a saved state is restored instead, after a reconnect too). May be async (D84):
   * the component then shows its `placeholder` state with `loading` true in its template until
   * the promise settles — or `failed` set to an error code if it rejects. A page render waits for
   * it, so the first paint shows the loaded state. Return the state: do not write `this.state`.
   */
  abstract mount(attrs: Attrs): S | Promise<S>;

  /**
   * The state an async `mount` shows while it loads (synchronous; `{}` when absent): the template
   * also sees `loading` true meanwhile.
   */
  placeholder?(attrs: Attrs): Partial<S>;

  /**
   * The parent rendered it again with different attributes (never called for equal ones). The
   * template sees the new ones as `attrs` anyway; derive state from them here. May be async (D84):
   * `loading` is true until it settles, and the plain object it resolves with (if any) is merged
   * into the state in the parent's mailbox — return the changes rather than writing `this.state`
   * after an `await`. A newer update (or the component's removal) drops an older one's result.
   */
  update?(attrs: Attrs): void | Partial<S> | Promise<void | Partial<S>>;

  /** The parent view's tenant: never anything the client sends. */
  get tenant(): TenantInfo {
    return this[COMPONENT_PARENT].view.tenant;
  }

  /**
   * The parent view's tenant-scoped EntityManager for the current event — inside `mount` and
   * `update`, one of their own (they may outlive the render that called them, D84).
   */
  get db(): LiveryEntityManager {
    return this[COMPONENT_PARENT].view.db;
  }

  /** Tenant-scoped helpers for an entity, as `LiveView.scoped`. */
  scoped<T extends object>(entity: EntityName<T>): Scoped<T> {
    return this[COMPONENT_PARENT].view.scoped(entity);
  }

  /** True while the parent view is live on a socket. */
  get connected(): boolean {
    return this[COMPONENT_PARENT].view.connected;
  }

  /**
   * Hands `message` to the parent view's `handleComponentMessage(id, message)`, in the parent's
   * mailbox after the running handler (its changes go out in a frame of their own). Needs the
   * view live (not during the page render).
   */
  sendParent(message: unknown): void {
    const parent = this[COMPONENT_PARENT];
    if (!parent.view.connected) throw new LiveryError('LV_VIEW_NOT_LIVE', `${this.constructor.name}.sendParent`);
    if (typeof (parent.view as { handleComponentMessage?: unknown }).handleComponentMessage !== 'function') {
      throw new LiveryError('LV_COMPONENT_MESSAGE_UNHANDLED', `${parent.view.constructor.name} has no handleComponentMessage(id, message) for ${this.constructor.name}`);
    }
    parent.send(this.id, message);
  }

  /** Sends an event to the page's hooks, as the parent's `pushEvent` (docs/client.md, "Hooks"). */
  pushEvent(name: string, payload: Readonly<Record<string, unknown>> = {}): void {
    this[COMPONENT_PARENT].view.pushEvent(name, payload);
  }
}

/** A concrete component class as the registry sees it. */
export interface ComponentClass {
  new (): LiveComponent<object>;
  readonly name: string;
  template: string;
  events: EventSchemas;
}

/** A component class with its compiled template, as the runtime renders it. */
export interface RegisteredComponent {
  readonly componentClass: ComponentClass;
  readonly template: Template;
}

/** Names that can never be component events. */
export const COMPONENT_RESERVED: ReadonlySet<string> = new Set([
  'constructor', 'mount', 'placeholder', 'update', 'loading', 'failed', 'state', 'id', 'tenant', 'db', 'scoped', 'connected', 'sendParent', 'pushEvent',
]);
