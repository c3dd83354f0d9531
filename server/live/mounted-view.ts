/**
 * One view live on one socket: its instance, tracked state, rendered tree and mailbox.
 *
 * Hot path (an event): validate the name and payload → run the handler in the mailbox → diff the
 * slots whose deps intersect the changed state keys → one frame out. No I/O of its own unless
 * the state backend is write-through (then the new state is stored before the reply).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { FastifyBaseLogger } from 'fastify';
import { encodeRoot, updateBlock, type RBlock, type StaticsCollector, type WireNode } from '../diff/index.ts';
import { renderBlock } from '../diff/rendered.ts';
import { LiveryError, registryCode, type ErrorCode } from '../errors.ts';
import type { DevErrorReport } from '../protocol/index.ts';
import { encodeDiff, encodeError, encodeReply } from '../protocol/codec.ts';
import type { TickHandle, TickScheduler } from '../scheduler/index.ts';
import type { StateBackend } from '../state/index.ts';
import type { Scope, Template } from '../template/types.ts';
import type { PubSub } from '../pubsub/index.ts';
import type { Presence } from '../presence/index.ts';
import type { Params, Session } from '../view/live-view.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import { ViewSubscriptions, type SubscriptionSink } from './view-subscriptions.ts';
import type { SaveEvent } from '../data/index.ts';
import type { PresenceDiff, PresenceEntry, PresenceMeta } from '../presence/index.ts';
import { EVENT_EM, RUNTIME, type LiveView, type TerminateReason, type ViewClass, type ViewRuntime } from '../view/live-view.ts';
import { serializeState, type TrackedState } from '../view/tracked-state.ts';
import { Mailbox } from './mailbox.ts';
import type { Uploads } from '../uploads/index.ts';
import { K_UPLOADS } from '../protocol/index.ts';
import { isUploadEvent, uploadEvent, type Grant } from './upload-events.ts';

/** What a mounted view needs from its socket. */
export interface ViewHost {
  readonly statics: StaticsCollector;
  readonly sessionId: string;
  /** The socket's logger: every line carries its tenant and session. */
  readonly log: FastifyBaseLogger;
  send(frame: string): void;
  /** False while the socket is backpressured: pushes wait for `drain`. */
  canPush(): boolean;
}

export interface ViewServices {
  readonly backend: StateBackend;
  readonly scheduler: TickScheduler;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  readonly maxStateBytes: number;
  readonly counters: { events: number; renders: number };
  /** Dev loop only: error frames carry this description of the error for the overlay. */
  readonly describe?: (error: unknown) => DevErrorReport;
  /** Resumable uploads, for views that declare upload fields. */
  readonly uploads?: Uploads;
}

export interface MountedViewInit {
  readonly tenant: TenantInfo;
  readonly params: Params;
  readonly session: Session;
  readonly vid: number;
  readonly viewClass: ViewClass;
  readonly view: LiveView<object>;
  readonly tracked: TrackedState<object>;
  readonly scope: Scope;
  readonly template: Template;
  readonly instance: string;
  readonly stateKey: string;
}

export class MountedView implements ViewRuntime, SubscriptionSink {
  readonly vid: number;
  readonly viewClass: ViewClass;
  readonly view: LiveView<object>;
  readonly instance: string;
  readonly stateKey: string;
  readonly #tracked: TrackedState<object>;
  readonly #scope: Scope;
  readonly #template: Template;
  readonly #host: ViewHost;
  readonly #services: ViewServices;
  readonly #mailbox: Mailbox;
  #tree: RBlock | null = null;
  #pushPending = false;
  #tickHandle: TickHandle | undefined;
  #timers: Set<NodeJS.Timeout> | undefined;
  readonly #subscriptions: ViewSubscriptions;
  readonly #params: Params;
  readonly #session: Session;
  readonly #tenant: TenantInfo;
  /** Upload grants for the reply to the event being handled (an `lv:upload` offer). */
  #grants: Grant[] | undefined;
  #closed = false;

  constructor(init: MountedViewInit, host: ViewHost, services: ViewServices) {
    this.vid = init.vid;
    this.viewClass = init.viewClass;
    this.view = init.view;
    this.instance = init.instance;
    this.stateKey = init.stateKey;
    this.#tracked = init.tracked;
    this.#scope = init.scope;
    this.#template = init.template;
    this.#host = host;
    this.#services = services;
    this.#params = init.params;
    this.#session = init.session;
    this.#tenant = init.tenant;
    this.#mailbox = new Mailbox((error) => this.#report(0, 'LV_HANDLER_FAILED', error, 'mailbox'));
    this.#subscriptions = new ViewSubscriptions(init.tenant, init.session, services, this);
    this.view.state = init.tracked.proxy;
    // The view's runtime is this object: no per-view closures (an idle session's memory matters).
    this.view[RUNTIME] = this;
  }

  // ViewRuntime: what `this.sendSelf`, `this.subscribe`, … in a view call.
  sendSelf(message: unknown, afterMs: number): void {
    this.#sendSelf(message, afterMs);
  }
  subscribe(topic: string): Promise<void> {
    return this.#subscriptions.subscribe(topic);
  }
  broadcast(topic: string, message: unknown): Promise<void> {
    return this.#subscriptions.broadcast(topic, message);
  }
  pushToView(viewName: string, message: unknown): Promise<void> {
    return this.#subscriptions.pushToView(viewName, message);
  }
  track(topic: string, meta: PresenceMeta): Promise<void> {
    return this.#subscriptions.track(topic, meta);
  }
  presence(topic: string): Promise<PresenceEntry[]> {
    return this.#subscriptions.presence(topic);
  }

  // SubscriptionSink: messages, presence diffs and saves, each run in the mailbox.
  deliverMessage(message: unknown): void {
    this.#run('handleInfo', () => this.#info(message));
  }
  deliverPresence(topic: string, diff: PresenceDiff): void {
    this.#run('onPresence', () => this.view.onPresence?.(topic, diff));
  }
  deliverSaves(events: SaveEvent[]): void {
    this.#run(this.view.onSave !== undefined ? 'onSave' : 'mount', () => (this.view.onSave !== undefined ? this.view.onSave(events) : this.#remount()));
  }

  /** Subscribes to the view's own channels before the join reply (see ViewSubscriptions.listen). */
  listen(): Promise<void> {
    return this.#subscriptions.listen(this.viewClass);
  }

  /**
   * Runs `work` (a tick, an info, saves, presence) in the mailbox with a fresh EntityManager, then
   * pushes what it changed. Work that throws changes nothing: its state writes are rolled back.
   */
  #run(hook: string, work: () => void | Promise<void>): void {
    if (this.#closed) return;
    this.#mailbox.run(() => {
      this.view[EVENT_EM] = undefined;
      this.#tracked.begin();
      let result: void | Promise<void>;
      try {
        result = work();
      } catch (error) {
        return this.#workFailed(0, hook, error);
      }
      if (result instanceof Promise) return result.then(() => this.#succeeded(undefined, hook), (error: unknown) => this.#workFailed(0, hook, error));
      return this.#succeeded(undefined, hook);
    });
  }

  /**
   * The handler returned: keep its changes and send them — unless they made the state larger
   * than `state.maxBytes`. Such a state could never be saved (every later save would fail and a
   * reconnect would lose it), so the change that grew it fails like a throwing handler: rolled
   * back, answered LV_STATE_OVER_LIMIT, and the last good state stays saved.
   */
  #succeeded(ref: number | undefined, hook: string): void | Promise<void> {
    try {
      this.#tracked.commit(this.#services.maxStateBytes);
    } catch (error) {
      return this.#workFailed(ref ?? 0, hook, error);
    }
    return this.#sendChanges(ref);
  }

  /**
   * A handler (event, tick, info, onSave, onPresence) threw: its state writes are undone, so the
   * view is exactly as before it ran and the rolled-back changes send no diff. One of Livery's
   * own errors (LV_TENANT_MISMATCH from a scoped create, say) is reported as itself; anything else
   * as LV_HANDLER_FAILED. Changes held back earlier (backpressure) still go out.
   */
  #workFailed(ref: number, hook: string, error: unknown): void | Promise<void> {
    this.#grants = undefined;
    this.#tracked.rollback();
    this.#report(ref, registryCode(error) ?? 'LV_HANDLER_FAILED', error, hook);
    return this.#sendChanges();
  }

  async #remount(): Promise<void> {
    Object.assign(this.view.state, await this.view.mount(this.#params, this.#session));
  }



  get raw(): object {
    return this.#tracked.raw;
  }

  /** Renders everything and returns the root node for a join reply. Starts ticks. */
  start(): WireNode {
    this.#tree = renderBlock(this.#template.root, this.#scope);
    this.#tracked.changed.clear();
    const interval = this.viewClass.tickInterval;
    if (interval !== undefined && interval > 0) this.#tickHandle = this.#services.scheduler.every(interval, this);
    return encodeRoot(this.#tree, this.#host.statics);
  }

  event(ref: number, name: string, payload: unknown): void {
    if (isUploadEvent(name)) {
      const context = { tenant: this.#tenant, sessionId: this.#host.sessionId, view: this.viewClass.name };
      return this.#mailbox.run(() => this.#handle(ref, name, payload, async () => {
        this.#grants = await uploadEvent(this.view, this.viewClass, this.#services.uploads, context, name, payload);
      }));
    }
    const events = this.viewClass.events;
    if (!Object.hasOwn(events, name)) return this.#fail(ref, 'LV_EVENT_UNKNOWN', `"${name.slice(0, 64)}"`);
    const schema = events[name];
    if (schema === null) {
      if (payload !== undefined && (payload === null || typeof payload !== 'object' || Array.isArray(payload))) {
        return this.#fail(ref, 'LV_EVENT_PAYLOAD_INVALID', 'expected an object');
      }
      return this.#mailbox.run(() => this.#handle(ref, name, {}));
    }
    // Validation is pure, so it runs on arrival; its outcome is acted on in the mailbox, in order.
    const result = schema['~standard'].validate(payload);
    this.#mailbox.run(() => (result instanceof Promise ? result.then((r) => this.#validated(ref, name, r)) : this.#validated(ref, name, result)));
  }

  #validated(ref: number, name: string, result: StandardSchemaV1.Result<unknown>): void | Promise<void> {
    if (result.issues) {
      const issue = result.issues[0];
      const where = issue?.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
      return this.#fail(ref, 'LV_EVENT_PAYLOAD_INVALID', `${where ? where + ': ' : ''}${issue?.message ?? 'invalid'}`);
    }
    return this.#handle(ref, name, result.value);
  }

  #handle(ref: number, name: string, payload: unknown, run?: () => unknown): void | Promise<void> {
    let result: unknown;
    this.#services.counters.events++;
    this.view[EVENT_EM] = undefined; // a fresh EntityManager per event: no identity map outlives it
    this.#tracked.begin();
    try {
      result = run !== undefined ? run() : (this.view as unknown as Record<string, (p: unknown) => unknown>)[name](payload);
    } catch (error) {
      return this.#workFailed(ref, name, error);
    }
    if (result instanceof Promise) return result.then(() => this.#succeeded(ref, name), (error: unknown) => this.#workFailed(ref, name, error));
    return this.#succeeded(ref, name);
  }

  /**
   * The commit pipeline every change goes through — an event's reply (`ref`) or a push (a tick,
   * an info, saves, presence; no ref): diff the changed slots → store the state (write-through
   * backends only, and only when something changed) → one frame.
   *
   * A reply always goes out (it acknowledges the event), with or without a diff. With a
   * write-through backend it goes out only once the new state is stored; if storing fails within
   * the backend's bounded wait, the client gets LV_STATE_UNAVAILABLE for the ref instead, and the
   * diff as a push: the view stays consistent, the state stays in memory and is written again with
   * the next change or at close. A push is skipped when nothing changed, and held back while the
   * socket is backpressured (`flush` sends the coalesced diff); a failed store is logged and the
   * push still shows what changed.
   */
  #sendChanges(ref?: number): void | Promise<void> {
    if (this.#closed) return;
    const touched = this.#tracked.changed.size > 0;
    if (ref === undefined) {
      if (!touched) return;
      if (!this.#host.canPush()) {
        this.#pushPending = true;
        return;
      }
    }
    let diff = this.#diff();
    if (ref !== undefined && this.#grants !== undefined) {
      // An upload offer's reply carries the grants the page needs to start uploading.
      diff = { ...diff, [K_UPLOADS]: this.#grants } as WireNode;
      this.#grants = undefined;
    }
    const frame = ref !== undefined ? encodeReply(ref, this.vid, diff) : diff !== undefined ? encodeDiff(this.vid, diff) : undefined;
    if (!touched || !this.#services.backend.writeThrough) {
      if (frame !== undefined) this.#host.send(frame);
      return;
    }
    return this.save().then((saved) => {
      if (saved || ref === undefined) {
        if (frame !== undefined) this.#host.send(frame);
        return;
      }
      this.#fail(ref, 'LV_STATE_UNAVAILABLE');
      if (diff !== undefined) this.#host.send(encodeDiff(this.vid, diff));
    });
  }

  /** Scheduler callback: skipped (not queued) while the view is busy, so ticks never delay events. */
  tick(): void {
    if (this.#closed || this.#mailbox.busy || this.view.tick === undefined) return;
    this.#run('tick', () => this.view.tick!());
  }

  #sendSelf(message: unknown, afterMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers?.delete(timer);
      this.#run('handleInfo', () => this.#info(message));
    }, afterMs);
    (this.#timers ??= new Set()).add(timer);
  }

  /** Delivers a message to `handleInfo` (run by `#run`, inside the mailbox). */
  #info(message: unknown): void | Promise<void> {
    return this.view.handleInfo?.(message);
  }

  /** True while a handler, tick or info is running (a tick falling due now is skipped). */
  get busy(): boolean {
    return this.#mailbox.busy;
  }

  /** Resolves once every job queued in the view's mailbox so far has run, its frames sent. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.#mailbox.run(resolve));
  }

  /** The socket drained: send the coalesced diff of everything that changed meanwhile. */
  flush(): void {
    if (!this.#pushPending) return;
    this.#pushPending = false;
    this.#mailbox.run(() => this.#sendChanges());
  }

  #diff(): WireNode | undefined {
    const changed = this.#tracked.changed;
    if (changed.size === 0 || this.#tree === null) return undefined;
    const statics = this.#host.statics;
    this.#services.counters.renders++;
    try {
      return statics.attachTo(updateBlock(this.#tree, this.#scope, changed, statics));
    } catch (error) {
      // The tree may be half-updated; re-render from scratch so server and client agree again.
      this.#report(0, 'LV_RENDER_FAILED', error);
      try {
        this.#tree = renderBlock(this.#template.root, this.#scope);
        return statics.attachTo(encodeRoot(this.#tree, statics));
      } catch {
        return undefined;
      }
    } finally {
      changed.clear();
    }
  }

  /** Serialized state, checked to be plain JSON within the size bound. */
  serialize(): string {
    return serializeState(this.viewClass.name, this.#tracked.raw, this.#services.maxStateBytes);
  }

  /** Stores the state; false (logged) when the backend could not take it. */
  async save(): Promise<boolean> {
    try {
      await this.#services.backend.set(this.stateKey, this.serialize());
      return true;
    } catch (error) {
      this.#host.log.error({ err: error, view: this.viewClass.name }, 'saving view state failed');
      return false;
    }
  }

  /** Stops ticks and timers, saves the state, then lets the view clean up. */
  async terminate(reason: TerminateReason): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tickHandle?.cancel();
    for (const timer of this.#timers ?? []) clearTimeout(timer);
    await this.#subscriptions.close((error) => this.#host.log.warn({ err: error, view: this.viewClass.name }, 'unsubscribing failed'));
    this.view[RUNTIME] = undefined;
    if (reason !== 'replaced') await this.save();
    try {
      this.view.terminate?.(reason);
    } catch (error) {
      this.#host.log.error({ err: error, view: this.viewClass.name }, 'terminate() threw');
    }
  }

  #fail(ref: number, code: ErrorCode, detail?: string, dev?: DevErrorReport): void {
    this.#host.send(encodeError(ref, this.vid, code, new LiveryError(code, detail).message, dev));
  }

  /**
   * Logs a failure with what an operator needs — view, handler, code and the stack; the socket's
   * logger adds tenant and session (hashed) — and tells the client with an error frame (in
   * development with the error's details for the overlay).
   */
  #report(ref: number, code: ErrorCode, error: unknown, hook?: string): void {
    const where = hook === undefined ? this.viewClass.name : `${this.viewClass.name}.${hook}`;
    this.#host.log.error({ err: error, view: this.viewClass.name, handler: hook, vid: this.vid, ref, code }, `${where} failed: ${code}`);
    if (this.#closed) return;
    const describe = this.#services.describe;
    const dev = describe === undefined ? undefined : { ...describe(error), title: `${code} in ${where}` };
    this.#fail(ref, code, undefined, dev);
  }
}
