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
import { attachPage, encodeDiff, encodeError, encodeReply, type PageEffects, type PageLocation } from '../protocol/codec.ts';
import { FLASH_CLEAR_EVENT, isFlashKind, type Flash } from '../protocol/flash.ts';
import type { TickHandle, TickScheduler } from '../scheduler/index.ts';
import { stateFingerprint, type StateBackend } from '../state/index.ts';
import { TemplateAppCodeError } from '../template/errors.ts';
import type { Scope, Template } from '../template/types.ts';
import type { PubSub } from '../pubsub/index.ts';
import type { Presence } from '../presence/index.ts';
import type { Params, Session } from '../view/live-view.ts';
import { sessionUnder, type SessionData } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import { ViewSubscriptions, type SubscriptionSink } from './view-subscriptions.ts';
import type { SaveEvent } from '../data/index.ts';
import type { PresenceDiff, PresenceEntry, PresenceMeta } from '../presence/index.ts';
import { EVENT_EM, FIELD_ERRORS, PAGE, RUNTIME, STREAMS, type EventSchemas, type LiveView, type TerminateReason, type ViewClass, type ViewRuntime } from '../view/live-view.ts';
import { ASYNC_WORK, type AsyncOutcome } from '../view/async-result.ts';
import { splitPayload, updateFieldErrors } from '../view/field-errors.ts';
import { MAX_HELD_STREAM_OPS, STREAMS_NAME } from '../view/streams.ts';
import { serializeState, type TrackedState } from '../view/tracked-state.ts';
import { AsyncWork } from './async-work.ts';
import { applyShared, groupRender, keepRender, shareGroup, sharedRender, type SharedRender, type ShareNode } from './shared-render.ts';
import type { SharedPushes, SharedSocket, TopicHub } from './topic-hub.ts';
import { Mailbox, type JobFailures } from './mailbox.ts';
import type { Uploads } from '../uploads/index.ts';
import { K_REPLY, K_UPLOADS } from '../protocol/index.ts';
import { isUploadEvent, uploadEvent, type Grant } from './upload-events.ts';
import { isNested, NestedHost } from './nested.ts';
import { followIntent, type IntentContext, type RouteMatch } from './navigation.ts';
import { ComponentError, ComponentHost, COMPONENTS_KEY, OVER_LIMIT, type ComponentRunner, type LiveComponentEntry, type RegisteredComponent } from './components.ts';

type ComponentSettle = Parameters<ComponentRunner>[3];
import type { ComponentRenderer, ComponentSlot } from '../template/types.ts';
import type { NestedViews } from '../template/index.ts';
import type { TokenSigner } from '../token/index.ts';

/** The template name of the view's field errors (a global, like `tenant`): marked changed when they change. */
const ERRORS_NAME = 'errors';
import { LATENCY_SAMPLE, type LiveStats, type TenantCounts } from '../metrics/index.ts';

/** What a mounted view needs from its socket. */
export interface ViewHost extends SharedSocket {
  readonly statics: StaticsCollector;
  readonly sessionId: string;
  /** The socket's raw session data; a view sees it under its tenant (`sessionUnder`). */
  readonly sessionData: SessionData | undefined;
  /** The socket's logger: every line carries its tenant and session. */
  readonly log: FastifyBaseLogger;
  send(frame: string): void;
  /** False while the socket is backpressured: pushes wait for `drain`. */
  canPush(): boolean;
  /** The client is not keeping up (D85): closes the socket LV_SOCKET_STALLED. */
  stalled(reason: 'stream'): void;
  /** The live route serving `url` on this socket's tenant, if any (else the browser loads it). */
  resolve(url: string): Promise<RouteMatch | undefined>;
  /** Keeps flash messages in the browser session for the next page load (a redirect). */
  keepFlash(flash: Flash): Promise<void>;
}

export interface ViewServices {
  readonly backend: StateBackend;
  readonly scheduler: TickScheduler;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  /** Topic subscriptions of this process's views: one listener per channel, shared renders (D65). */
  readonly topics: TopicHub;
  readonly maxStateBytes: number;
  /** `socket.maxViews`: a view never nests more views than one socket may join (D85). */
  readonly maxViews: number;
  /** The tenant's budget for stored view state, passed with every save (D36). */
  readonly stateBudget: (tenant: TenantInfo) => number;
  /** The backend refused a save: another join owns the instance now; the runtime closes this copy (D34). */
  readonly lost: (view: MountedView) => void;
  /** The live counters (metrics): plain increments only, on this path. */
  readonly counters: LiveStats;
  /** Dev loop only: error frames carry this description of the error for the overlay. */
  readonly describe?: (error: unknown) => DevErrorReport;
  /** Resumable uploads, for views that declare upload fields. */
  readonly uploads?: Uploads;
  /** The registered views (what `{% live %}` may nest) and the token signer of their containers (D81). */
  readonly views: ReadonlyMap<string, unknown>;
  readonly signer: TokenSigner;
  /** The app's live components by name (D80). */
  readonly components: ReadonlyMap<string, RegisteredComponent>;
}

export interface MountedViewInit {
  readonly tenant: TenantInfo;
  readonly params: Params;
  readonly vid: number;
  readonly viewClass: ViewClass;
  readonly view: LiveView<object>;
  readonly tracked: TrackedState<object>;
  /**
   * The view's template scope, given what renders its `{% live %}` and `{% live_component %}`
   * tags: the mounted view itself, which makes their hosts when a tag first renders (D86).
   */
  readonly scope: (live: NestedViews & ComponentRenderer) => Scope;
  readonly template: Template;
  readonly instance: string;
  readonly stateKey: string;
  /** The token of the join's claim on the instance: every save carries it (D34). */
  readonly owner: string;
}

/** How a save went: stored, refused because another join owns the instance, or failed (the error). */
type SaveOutcome = 'saved' | 'taken' | Error;

export class MountedView implements ViewRuntime, SubscriptionSink, IntentContext, JobFailures, NestedViews, ComponentRenderer {
  readonly vid: number;
  readonly viewClass: ViewClass;
  readonly view: LiveView<object>;
  readonly instance: string;
  readonly stateKey: string;
  readonly owner: string;
  readonly tenant: TenantInfo;
  readonly #tracked: TrackedState<object>;
  readonly #scope: Scope;
  readonly #template: Template;
  readonly #host: ViewHost;
  readonly #services: ViewServices;
  readonly #mailbox: Mailbox;
  #tree: RBlock | null = null;
  #pushPending = false;
  /** The delivery whose message the running job handles (D65): its push joins the delivery's. */
  #sharing: SharedPushes | undefined;
  #tickHandle: TickHandle | undefined;
  #timers: Set<NodeJS.Timeout> | undefined;
  /** Made on first use (D68): most views never subscribe, broadcast or track (see `#links`). */
  #subscriptions: ViewSubscriptions | undefined;
  readonly #params: Params;
  /** Upload grants for the reply to the event being handled (an `lv:upload` offer). */
  #grants: Grant[] | undefined;
  /** The plain object the running event's handler returned: its reply carries it (`rv`, a hook's `pushEvent` promise, D77). */
  #reply: object | undefined;
  /** Where the browser goes after the frame the current handler's changes travel in. */
  #location: PageLocation | undefined;
  #async: AsyncWork | undefined;
  /** This view's tenant's counters, looked up once (per-tenant metrics, when on). */
  readonly #tenantCounts: TenantCounts;
  /** Write-through: the fingerprint of what this copy's last save stored (D64); unknown after a failed one. */
  #stored: string | undefined;
  #closed = false;
  #closedBy: TerminateReason | undefined;
  /** The view's live components (D80): made when its template first shows one (D86). */
  #components: ComponentHost | undefined;
  /** What renders its `{% live %}` tags (D81): made when its template first nests a view (D86). */
  #nestedViews: NestedHost | undefined;
  /** The component whose event handler is running: committed or rolled back with the view. */
  #component: LiveComponentEntry | undefined;

  constructor(init: MountedViewInit, host: ViewHost, services: ViewServices) {
    this.vid = init.vid;
    this.viewClass = init.viewClass;
    this.view = init.view;
    this.instance = init.instance;
    this.stateKey = init.stateKey;
    this.owner = init.owner;
    this.tenant = init.tenant;
    this.#tracked = init.tracked;
    this.#scope = init.scope(this);
    this.#template = init.template;
    this.#host = host;
    this.#services = services;
    this.#params = init.params;
    this.#tenantCounts = services.counters.forTenant(init.tenant.id);
    this.#mailbox = new Mailbox(this);
    this.view.state = init.tracked.proxy;
    // The view's runtime is this object: no per-view closures (an idle session's memory matters).
    this.view[RUNTIME] = this;
  }

  // NestedViews and ComponentRenderer: most views nest none and show none, so their hosts (and the
  // host's closures, maps and sets) are made by the first tag that renders, not with every view (D86).
  container(view: string, id: string, params: Record<string, string>): string {
    this.#nestedViews ??= new NestedHost(this.#services.views, this.#services.signer, this.tenant.id, this.#host.sessionId, this.instance, this.#services.maxViews);
    return this.#nestedViews.container(view, id, params);
  }
  html(slot: ComponentSlot, scope: Scope): string {
    return this.#componentHost().html(slot, scope);
  }
  ref(slot: ComponentSlot, scope: Scope): number {
    return this.#componentHost().ref(slot, scope);
  }

  #componentHost(): ComponentHost {
    if (this.#components !== undefined) return this.#components;
    const host = new ComponentHost(this.#services.components, this.#tracked.raw as Record<string, unknown>, this.view, this.#services.maxStateBytes);
    host.send = (id, message) => this.#run('handleComponentMessage', () => this.view.handleComponentMessage?.(id, message));
    host.runner = (entry, hook, running, settle) => this.#componentAsync(entry, hook, running, settle);
    return (this.#components = host);
  }

  /**
   * A component's async mount or update (D84) runs as the view's async work (aborted with the
   * view, awaited by the test client's `awaitAsync`); its outcome is applied in the mailbox as the
   * component's own change, like its event — so it never races the view's handlers, and only
   * its diff goes out. A failure is reported (LV_COMPONENT_FAILED) and shown as `failed`.
   */
  #componentAsync(entry: LiveComponentEntry, hook: 'mount' | 'update', running: Promise<unknown>, settle: ComponentSettle): void {
    if (this.#closed) return;
    const where = `${entry.def.componentClass.name}.${hook}`;
    const own = (job: () => void) => () => {
      if (this.#components?.byCid(entry.cid) !== entry) return; // removed meanwhile
      this.#component = entry;
      entry.tracked.begin();
      job();
    };
    (this.#async ??= new AsyncWork()).start(`component:${entry.cid}`, () => running, (outcome) => this.#run(where, own(() => {
      const error = settle(outcome);
      if (error !== undefined) this.#report(0, error.code, error, where);
    }), (error) => this.#run(where, own(() => this.#components?.loadFailed(entry, hook, error)))));
  }

  /** The view's live components (the test client finds a component's cid here). */
  get components(): ComponentHost | undefined {
    return this.#components;
  }

  /** A job of the mailbox threw past its own handling (JobFailures). */
  jobFailed(error: unknown): void {
    this.#report(0, 'LV_HANDLER_FAILED', error, 'mailbox');
  }

  // ViewRuntime: what `this.sendSelf`, `this.subscribe`, … in a view call.
  sendSelf(message: unknown, afterMs: number): void {
    this.#sendSelf(message, afterMs);
  }
  subscribe(topic: string): Promise<void> {
    return this.#links().subscribe(topic);
  }
  broadcast(topic: string, message: unknown): Promise<void> {
    return this.#links().broadcast(topic, message);
  }
  pushToView(viewName: string, message: unknown): Promise<void> {
    return this.#links().pushToView(viewName, message);
  }
  track(topic: string, meta: PresenceMeta): Promise<void> {
    return this.#links().track(topic, meta);
  }
  presence(topic: string): Promise<PresenceEntry[]> {
    return this.#links().presence(topic);
  }
  startAsync(
    name: string,
    work: (signal: AbortSignal) => unknown,
    apply: (outcome: AsyncOutcome) => void | Promise<void>,
    recover?: (error: unknown) => void,
  ): void {
    if (this.#closed) return;
    const hook = name.startsWith('assign:') ? `assignAsync(${name.slice(7)})` : `handleAsync(${name.slice(6)})`;
    // The work gets its own EntityManager (`this.db` inside it): events go on meanwhile.
    const run = (signal: AbortSignal) => ASYNC_WORK.run({ view: this.view }, work, signal);
    (this.#async ??= new AsyncWork()).start(name, run, (outcome) => this.#asyncDone(hook, outcome, apply, recover));
  }

  /**
   * Async work settled: its outcome is applied in the mailbox, in order with events. Failed work
   * is reported like a failed handler (logged with its stack, an error frame with ref 0) before
   * `apply` shows it. If applying a success fails (the result would make the state too large),
   * that is reported and `recover` applies the failure instead, so nothing stays loading forever.
   */
  #asyncDone(hook: string, outcome: AsyncOutcome, apply: (outcome: AsyncOutcome) => void | Promise<void>, recover?: (error: unknown) => void): void {
    this.#run(hook, () => {
      if (!outcome.ok) this.#report(0, registryCode(outcome.error) ?? 'LV_ASYNC_FAILED', outcome.error, hook);
      return apply(outcome);
    }, outcome.ok && recover !== undefined ? (error) => this.#run(hook, () => recover(error)) : undefined);
  }

  /** Resolves once no async work of this view is running (the test client's `awaitAsync`). */
  asyncIdle(): Promise<void> {
    return this.#async?.idle() ?? Promise.resolve();
  }

  get asyncRunning(): boolean {
    return this.#async?.running === true;
  }

  // IntentContext: what following a pushPatch / pushNavigate / redirect needs of the socket.
  resolve(url: string): Promise<RouteMatch | undefined> {
    return this.#host.resolve(url);
  }
  keepFlash(flash: Flash): Promise<void> {
    return this.#host.keepFlash(flash);
  }
  get nested(): boolean {
    return isNested(this.instance);
  }

  // SubscriptionSink: messages, presence diffs and saves, each run in the mailbox.
  deliverMessage(message: unknown): void {
    this.#run('handleInfo', () => this.#info(message));
  }
  /**
   * A topic message, delivered to many views at once (D65). If the mailbox runs it now and the
   * handler finishes synchronously, its push waits for the delivery's end (`pushShared`), so
   * views that would render the same diff render it once.
   */
  deliverShared(message: unknown, pushes: SharedPushes): void {
    this.#run('handleInfo', () => {
      this.#sharing = pushes;
      return this.#info(message);
    });
  }
  publishFailed(error: unknown): void {
    this.#host.log.warn({ err: error, view: this.viewClass.name }, 'a broadcast was delivered in this process but not handed to the other processes');
  }
  deliverPresence(topic: string, diff: PresenceDiff): void {
    this.#run('onPresence', () => this.view.onPresence?.(topic, diff));
  }
  deliverSaves(events: SaveEvent[]): void {
    this.#run(this.view.onSave !== undefined ? 'onSave' : 'mount', () => (this.view.onSave !== undefined ? this.view.onSave(events) : this.#remount()));
  }

  /** Subscribes to the view's own channels before the join reply (see ViewSubscriptions.listen). */
  listen(): Promise<void> {
    const viewClass = this.viewClass;
    // A view that handles no infos and watches no entities has no channel of its own.
    if (typeof viewClass.prototype.handleInfo !== 'function' && (viewClass.watch ?? []).length === 0) return Promise.resolve();
    return this.#links().listen(viewClass);
  }

  /** The view's session, made when needed (a remount, subscriptions) rather than held by every idle view (D68). */
  #session(): Session {
    return sessionUnder(this.#host.sessionId, this.#host.sessionData, this.tenant.id);
  }

  #links(): ViewSubscriptions {
    return (this.#subscriptions ??= new ViewSubscriptions(this.tenant, this.#session(), this.#services, this));
  }

  /**
   * Runs `work` (a tick, an info, saves, presence) in the mailbox with a fresh EntityManager, then
   * pushes what it changed. Work that throws changes nothing: its state writes are rolled back.
   */
  #run(hook: string, work: () => void | Promise<void>, onFailed?: (error: unknown) => void): void {
    if (this.#closed) return;
    this.#mailbox.run(() => {
      if (this.#closed) return;
      this.#begin();
      let result: void | Promise<void>;
      try {
        result = work();
      } catch (error) {
        return this.#workFailed(0, hook, error, onFailed);
      }
      if (result instanceof Promise) return result.then(() => this.#after(undefined, hook, onFailed), (error: unknown) => this.#workFailed(0, hook, error, onFailed));
      return this.#after(undefined, hook, onFailed);
    });
  }

  /** Before a handler: a fresh EntityManager, and a journal of what it changes (state and page) to undo on failure. */
  #begin(): void {
    this.view[EVENT_EM] = undefined; // a fresh EntityManager per handler: no identity map outlives it
    this.#component = undefined;
    this.#sharing = undefined; // a delivery an earlier job never pushed for (taken over): let it go
    this.#tracked.begin();
    this.view[PAGE].begin();
    this.view[STREAMS]?.begin();
  }

  /**
   * The handler returned. If it asked to go somewhere (pushPatch, pushNavigate, redirect), follow
   * that first — a patch runs `handleParams`, inside the same undoable step — then commit. A
   * handler that asked nothing takes the synchronous path, as before.
   */
  #after(ref: number | undefined, hook: string, onFailed?: (error: unknown) => void): void | Promise<void> {
    if (this.view[PAGE].intent === undefined) return this.#succeeded(ref, hook, onFailed);
    return followIntent(this.view, this).then(
      (location) => {
        this.#location = location;
        return this.#succeeded(ref, hook, onFailed);
      },
      (error: unknown) => this.#workFailed(ref ?? 0, hook, error, onFailed),
    );
  }


  /**
   * The handler returned: keep its changes and send them — unless they made the state larger
   * than `state.maxBytes`. Such a state could never be saved (every later save would fail and a
   * reconnect would lose it), so the change that grew it fails like a throwing handler: rolled
   * back, answered LV_STATE_OVER_LIMIT, and the last good state stays saved.
   *
   * With a write-through backend the state is stored here, before anything is sent and while the
   * change can still be undone: a store over the tenant's budget fails the change the same way
   * (LV_STATE_QUOTA_EXCEEDED, D36); a store refused because another join owns the instance now
   * closes this copy (LV_VIEW_TAKEN_OVER, D34); a store that did not answer in time keeps the
   * change (see `#sendChanges`).
   */
  #succeeded(ref: number | undefined, hook: string, onFailed?: (error: unknown) => void): void | Promise<void> {
    try {
      this.#tracked.check(this.#services.maxStateBytes);
      const component = this.#component;
      if (component !== undefined && component.tracked.changed.size > 0) {
        // A component's state is part of the view's record: the view has changed, and must still fit.
        this.#tracked.mark(COMPONENTS_KEY);
        this.serialize();
      }
    } catch (error) {
      return this.#workFailed(ref ?? 0, hook, error, onFailed);
    }
    if (!this.#stateTouched() || !this.#services.backend.writeThrough) {
      this.#commit();
      return this.#sendChanges(ref);
    }
    return this.save().then((outcome) => {
      if (outcome instanceof Error && registryCode(outcome) === 'LV_STATE_QUOTA_EXCEEDED') return this.#workFailed(ref ?? 0, hook, outcome, onFailed);
      this.#commit();
      if (outcome === 'taken') return this.#lost(ref);
      return this.#sendChanges(ref, outcome === 'saved');
    });
  }

  #commit(): void {
    this.#tracked.commit();
    this.#component?.tracked.commit();
  }

  /** Field errors are not state: a change to them alone has nothing to store. */
  #stateTouched(): boolean {
    const changed = this.#tracked.changed;
    return changed.size > (changed.has(ERRORS_NAME) && !Object.hasOwn(this.#tracked.raw, ERRORS_NAME) ? 1 : 0);
  }

  /** The backend refused this copy's save: a join elsewhere owns the instance. Answer, and go. */
  #lost(ref: number | undefined): void {
    if (ref !== undefined) this.#fail(ref, 'LV_VIEW_TAKEN_OVER');
    this.#services.lost(this);
  }

  /**
   * A handler (event, tick, info, onSave, onPresence) threw: its state writes are undone, so the
   * view is exactly as before it ran and the rolled-back changes send no diff. One of Livery's
   * own errors (LV_TENANT_MISMATCH from a scoped create, say) is reported as itself; anything else
   * as LV_HANDLER_FAILED. Changes held back earlier (backpressure) still go out.
   */
  #workFailed(ref: number, hook: string, error: unknown, onFailed?: (error: unknown) => void): void | Promise<void> {
    this.#grants = undefined;
    this.#reply = undefined;
    this.#tracked.rollback();
    this.#component?.tracked.rollback();
    this.#component = undefined;
    this.view[PAGE].rollback();
    this.view[STREAMS]?.rollback();
    this.#location = undefined;
    this.#report(ref, registryCode(error) ?? 'LV_HANDLER_FAILED', error, hook);
    onFailed?.(error); // queued behind this job: it runs once this one has sent its changes
    return this.#sendChanges();
  }

  async #remount(): Promise<void> {
    Object.assign(this.view.state, await this.view.mount(this.#params, this.#session()));
  }



  get raw(): object {
    return this.#tracked.raw;
  }

  /** Renders everything and returns the root node for a join reply. Starts ticks. */
  start(): WireNode {
    this.#tree = renderBlock(this.#template.root, this.#scope);
    this.#tracked.clearChanges();
    const interval = this.viewClass.tickInterval;
    if (interval !== undefined && interval > 0) this.#tickHandle = this.#services.scheduler.every(interval, this);
    const root = encodeRoot(this.#tree, this.#host.statics);
    this.#components?.attach(root, this.#tree, this.#host.statics);
    this.view[STREAMS]?.clear();
    this.#componentsOverLimit();
    return root;
  }

  /** A render met more components than the state can hold (D85): told once per render, not per component. */
  #componentsOverLimit(): void {
    const failures = this.#components?.failures;
    if (failures === undefined || failures.length === 0) return;
    const [first] = failures.splice(0);
    this.#report(0, 'LV_COMPONENTS_OVER_LIMIT', first);
  }

  /**
   * The socket is over its send budget: the push waits for `flush`. Stream operations are all a
   * held push cannot coalesce (each insert holds its item), so past MAX_HELD_STREAM_OPS the
   * client is too slow for the stream and the socket is closed as stalled (D85).
   */
  #holdBack(): void {
    this.#pushPending = true;
    const held = this.view[STREAMS]?.held ?? 0;
    if (held > MAX_HELD_STREAM_OPS) {
      this.#host.log.warn({ view: this.viewClass.name, vid: this.vid, held }, 'stream operations held back past their bound');
      this.#host.stalled('stream');
    }
  }

  /** Stream operations wait to be rendered (D82): a change, though not of the state. */
  get #streaming(): boolean {
    return this.view[STREAMS]?.pending === true;
  }

  /**
   * A patch frame: the page's URL becomes `url` (a path and query the connection checked) and
   * `handleParams` runs with its params — or, when another view or no live view serves it, the
   * reply says where the browser must go instead.
   */
  patch(ref: number, url: string): void {
    this.#mailbox.run(() => {
      this.#begin();
      this.view[PAGE].intent = { kind: 'patch', to: url, replace: false };
      return this.#after(ref, 'handleParams');
    });
  }

  /** An event frame for this view; `receivedAt` (performance.now()) starts its latency. */
  event(ref: number, name: string, payload: unknown, receivedAt = performance.now(), cid?: unknown): void {
    const queued = this.#mailbox.busy;
    if (cid !== undefined) return this.#componentEvent(ref, name, payload, cid);
    if (name === FLASH_CLEAR_EVENT) return this.#clearFlash(ref, payload);
    if (isUploadEvent(name)) {
      const context = { tenant: this.tenant, sessionId: this.#host.sessionId, view: this.viewClass.name };
      return this.#mailbox.run(() => this.#handle(ref, name, payload, async () => {
        this.#grants = await uploadEvent(this.view, this.viewClass, this.#services.uploads, context, name, payload);
      }));
    }
    const declared = declaredSchema(this.viewClass.events, name, payload, '');
    if (!('schema' in declared)) return this.#fail(ref, declared.code, declared.detail);
    if (declared.schema === null) return this.#mailbox.run(() => this.#answered(receivedAt, queued, this.#handle(ref, name, {})));
    // `_unused` (the fields the user has not used yet) is Livery's, not the app's: never validated.
    const split = splitPayload(payload);
    // Validation is pure, so it runs on arrival; its outcome is acted on in the mailbox, in order.
    const result = declared.schema['~standard'].validate(split.payload);
    this.#mailbox.run(() => this.#answered(receivedAt, queued, result instanceof Promise ? result.then((r) => this.#validated(ref, name, r, split.payload, split.unused)) : this.#validated(ref, name, result, split.payload, split.unused)));
  }

  /**
   * An event for one of the view's live components (`lv-target`, D80): checked like a view's
   * (declared name, payload schema) against the component's class, then run in the view's
   * mailbox, its state changes committed, saved and rolled back with the view's. A cid the view
   * does not show (removed, another view's, made up) is LV_COMPONENT_UNKNOWN.
   */
  #componentEvent(ref: number, name: string, payload: unknown, cid: unknown): void {
    const entry = this.#components?.byCid(cid);
    if (entry === undefined) return this.#fail(ref, 'LV_COMPONENT_UNKNOWN', `component ${cidLabel(cid)} of ${this.viewClass.name}`);
    const declared = declaredSchema(entry.def.componentClass.events ?? {}, name, payload, ` of component ${entry.def.componentClass.name}`);
    if (!('schema' in declared)) return this.#fail(ref, declared.code, declared.detail);
    const run = (value: unknown): void | Promise<void> => {
      // Removed by a render queued before this event (a race, not a failure): nothing to run it on.
      if (this.#components?.byCid(cid) !== entry) return this.#fail(ref, 'LV_COMPONENT_UNKNOWN', `component ${entry.id.slice(0, 64)} was removed`);
      // Its async mount or update has not been applied yet (D84): the handler would see a placeholder.
      if (entry.loading !== null) return this.#fail(ref, 'LV_COMPONENT_LOADING', `component ${entry.id.slice(0, 64)} (${entry.def.componentClass.name}.${entry.loading})`);
      // Not kept for want of room in the view's state (D85): what its handler did could not be saved.
      if (entry.failed === OVER_LIMIT) return this.#fail(ref, 'LV_COMPONENTS_OVER_LIMIT', `component ${entry.id.slice(0, 64)} is not saved; its event was not run`);
      return this.#handle(ref, name, value, () => {
        this.#component = entry;
        entry.tracked.begin();
        return (entry.instance as unknown as Record<string, (p: unknown) => unknown>)[name](value);
      });
    };
    if (declared.schema === null) return this.#mailbox.run(() => run({}));
    const { payload: data } = splitPayload(payload);
    const result = declared.schema['~standard'].validate(data);
    const validated = (r: StandardSchemaV1.Result<unknown>): void | Promise<void> => {
      if (this.#closed) return;
      if (r.issues) return this.#fail(ref, 'LV_EVENT_PAYLOAD_INVALID', issueText(r.issues));
      return run(r.value);
    };
    this.#mailbox.run(() => (result instanceof Promise ? result.then(validated) : validated(result)));
  }

  /**
   * The event's reply has gone out (or will when `work` settles): its latency is recorded — every
   * one that waited or awaited, one in LATENCY_SAMPLE of those that ran at once (live-stats.ts).
   */
  #answered(receivedAt: number, queued: boolean, work: void | Promise<void>): void | Promise<void> {
    const stats = this.#services.counters;
    if (work instanceof Promise) return work.finally(() => stats.eventLatency.observe(performance.now() - receivedAt));
    if (queued) return stats.eventLatency.observe(performance.now() - receivedAt);
    if (++stats.immediateEvents % LATENCY_SAMPLE === 0) stats.eventLatency.observe(performance.now() - receivedAt, LATENCY_SAMPLE);
  }

  /**
   * The payload was validated: the fields it carries get the schema's messages (or lose their old
   * ones) in `errors`, which the template shows (D52). A refused payload fails the event with
   * LV_EVENT_PAYLOAD_INVALID; the changed messages go out first, as a push.
   */
  #validated(ref: number, name: string, result: StandardSchemaV1.Result<unknown>, payload: unknown, unused: ReadonlySet<string> | undefined): void | Promise<void> {
    if (this.#closed) return;
    if (updateFieldErrors(this.view[FIELD_ERRORS], payload, result.issues, unused)) this.#tracked.mark(ERRORS_NAME);
    if (result.issues) {
      this.#sendChanges();
      return this.#fail(ref, 'LV_EVENT_PAYLOAD_INVALID', issueText(result.issues));
    }
    return this.#handle(ref, name, result.value);
  }

  #handle(ref: number, name: string, payload: unknown, run?: () => unknown): void | Promise<void> {
    // Queued before a join elsewhere took the view over: never run on a stale copy.
    if (this.#closedBy === 'replaced') return this.#fail(ref, 'LV_VIEW_TAKEN_OVER');
    // Queued before the view ended (its socket closed, its tenant suspended): never run it now.
    if (this.#closed) return;
    let result: unknown;
    this.#services.counters.events++;
    this.#tenantCounts.events++;
    this.#begin();
    try {
      result = run !== undefined ? run() : (this.view as unknown as Record<string, (p: unknown) => unknown>)[name](payload);
    } catch (error) {
      return this.#workFailed(ref, name, error);
    }
    if (result instanceof Promise) return result.then((value) => this.#returned(ref, name, value), (error: unknown) => this.#workFailed(ref, name, error));
    return this.#returned(ref, name, result);
  }

  /**
   * The handler returned `value`: a plain object goes back in the reply (anything else — nothing,
   * a number, an entity, a class instance — does not, so no handler sends data by accident).
   */
  #returned(ref: number, name: string, value: unknown): void | Promise<void> {
    const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (proto === Object.prototype || proto === null) {
      try {
        this.#reply = JSON.parse(JSON.stringify(value)) as object;
      } catch (error) {
        return this.#workFailed(ref, name, new Error(`${name} returned an object that is not JSON: ${String(error)}`));
      }
    }
    return this.#after(ref, name);
  }

  /** The user dismissed a flash message (`{kind}`): it is not carried to the next page. Always answered. */
  #clearFlash(ref: number, payload: unknown): void {
    const kind = (payload as { kind?: unknown } | null)?.kind;
    if (!isFlashKind(kind)) return this.#fail(ref, 'LV_EVENT_PAYLOAD_INVALID', 'kind: expected "info" or "error"');
    this.#mailbox.run(() => {
      this.view[PAGE].clearFlash(kind);
      this.#host.send(encodeReply(ref, this.vid));
    });
  }

  /**
   * The commit pipeline every change goes through — an event's reply (`ref`) or a push (a tick,
   * an info, saves, presence; no ref): store the state (write-through backends only, done by
   * `#succeeded`) → diff the changed slots → one frame.
   *
   * A reply always goes out (it acknowledges the event), with or without a diff. With a
   * write-through backend it goes out only once the new state is stored; if storing failed
   * (`stored` false: not within the backend's bounded wait), the client gets LV_STATE_UNAVAILABLE
   * for the ref instead, and the diff as a push: the view stays consistent, the state stays in
   * memory and is written again with the next change or at close. A push is skipped when nothing
   * changed, and held back while the socket is backpressured (`flush` sends the coalesced diff);
   * a failed store is logged and the push still shows what changed.
   */
  #sendChanges(ref?: number, stored = true): void {
    if (this.#closed) {
      // Taken over while this event was being stored: its socket is still open and waits for an answer.
      if (ref !== undefined && this.#closedBy === 'replaced') this.#fail(ref, 'LV_VIEW_TAKEN_OVER');
      return;
    }
    const page = this.takePageEffects(this.#location);
    const sharing = this.#sharing;
    this.#sharing = undefined;
    if (ref === undefined && page === undefined) {
      if (this.#tracked.changed.size === 0 && !this.#streaming) return;
      // A topic message's push, still inside its delivery: rendered with the others (pushShared).
      if (sharing?.open === true) return sharing.join(this);
      if (!this.#host.canPush()) return this.#holdBack();
    }
    let diff = page === undefined ? this.#diff() : attachPage(this.#diff() ?? {}, page);
    if (ref !== undefined && this.#grants !== undefined) {
      // An upload offer's reply carries the grants the page needs to start uploading.
      diff = { ...diff, [K_UPLOADS]: this.#grants } as WireNode;
      this.#grants = undefined;
    }
    if (ref !== undefined && this.#reply !== undefined) {
      diff = { ...diff, [K_REPLY]: this.#reply } as WireNode;
      this.#reply = undefined;
    }
    if (ref !== undefined && !stored) {
      this.#fail(ref, 'LV_STATE_UNAVAILABLE');
      if (diff !== undefined) this.#host.send(encodeDiff(this.vid, diff));
      return;
    }
    const frame = ref !== undefined ? encodeReply(ref, this.vid, diff) : diff !== undefined ? encodeDiff(this.vid, diff) : undefined;
    if (frame !== undefined) this.#host.send(frame);
  }

  /**
   * What the page shows beyond the container, if the handler changed it: where the browser goes,
   * the title, flash messages. Travels at the root of the same frame as the diff.
   */
  takePageEffects(location: PageLocation | undefined): PageEffects | undefined {
    const page = this.view[PAGE];
    const flash = page.takeFlashChanges();
    const events = page.takeEvents();
    if (location === undefined && !page.titleChanged && flash === undefined && events === undefined) return undefined;
    this.#location = undefined;
    const title = page.titleChanged ? page.title : undefined;
    page.titleChanged = false;
    return { location, title, flash, events };
  }

  /** The flash messages this page carries to the next one it navigates to. */
  get carriedFlash(): Flash {
    return this.view[PAGE].carried;
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

  /** Pending `sendSelf` timers (runtime.counts()). */
  get timers(): number {
    return this.#timers?.size ?? 0;
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

  /**
   * The push of a topic message, at the end of its delivery (D65): rendered once per group of
   * views whose inputs lead to the same leaf of `groups`. The first view of a group that can push
   * renders; the others apply its diff to their trees. Either way the group's frame is not sent
   * here: the view returns the render, and the hub sends its frame to the whole group at once
   * (D70). A view whose socket is backpressured holds its changes back, as any push does; one
   * whose next diff depends on more than the inputs cover renders and sends on its own.
   */
  pushShared(groups: ShareNode): SharedRender | undefined {
    const changed = this.#tracked.changed;
    const tree = this.#tree;
    if (this.#closed || (changed.size === 0 && !this.#streaming) || tree === null) return undefined;
    if (!this.#host.canPush()) {
      this.#holdBack();
      return undefined;
    }
    if (this.#streaming) {
      // A stream's items are this view's own: never a group's render.
      const diff = this.#diff();
      if (diff !== undefined) this.#host.send(encodeDiff(this.vid, diff));
      return undefined;
    }
    let leaf: ShareNode | undefined;
    try {
      leaf = shareGroup(groups, this.#template, tree, this.#scope, changed);
    } catch {
      leaf = undefined; // a condition that throws: the view's own render reports it (LV_RENDER_FAILED)
    }
    const render = leaf === undefined ? undefined : groupRender(leaf);
    if (render?.shareable === true) {
      changed.clear();
      if (applyShared(tree, render)) return render.diff === undefined ? undefined : render;
      // Cannot happen for equal inputs; if it ever did, a full render puts server and client in step again.
      this.#tree = renderBlock(this.#template.root, this.#scope);
      this.#host.send(encodeDiff(this.vid, this.#host.statics.attachTo(encodeRoot(this.#tree, this.#host.statics))!));
      return undefined;
    }
    let failed = false;
    const diff = this.#diff(() => (failed = true));
    if (leaf === undefined || render !== undefined) {
      if (diff !== undefined) this.#host.send(encodeDiff(this.vid, diff));
      return undefined;
    }
    const rendered = sharedRender(diff, failed);
    keepRender(leaf, rendered);
    if (diff === undefined) return undefined;
    if (rendered.shareable) return rendered;
    this.#host.send(encodeDiff(this.vid, diff));
    return undefined;
  }

  /** The socket this view's frames go out on (the hub's fan-out, D70). */
  get socket(): SharedSocket {
    return this.#host;
  }

  /** Renders the changed slots into the tree; `onFailed` hears of a render that threw (then re-rendered in full). */
  #diff(onFailed?: () => void): WireNode | undefined {
    let changed = this.#tracked.changed;
    const streams = this.view[STREAMS];
    const streaming = streams?.pending === true;
    if ((changed.size === 0 && !streaming) || this.#tree === null) return undefined;
    // Loops over `streams.…` read the name `streams`: it changed when any stream has operations.
    if (streaming) changed = new Set(changed).add(STREAMS_NAME) as typeof changed;
    const statics = this.#host.statics;
    this.#services.counters.renders++;
    try {
      const diff = updateBlock(this.#tree, this.#scope, changed, statics, this.#tracked.changedItems);
      // Read after the render: the view's first component tag makes the host (D86), and the
      // components it shows must travel in this very frame.
      const components = this.#components;
      return statics.attachTo(components === undefined ? diff : components.attach(diff, this.#tree, statics));
    } catch (error) {
      onFailed?.();
      // The tree may be half-updated; re-render from scratch so server and client agree again.
      this.#report(0, error instanceof TemplateAppCodeError || error instanceof ComponentError ? error.code : 'LV_RENDER_FAILED', error);
      try {
        this.#nestedViews?.restart();
        this.#tree = renderBlock(this.#template.root, this.#scope);
        const root = encodeRoot(this.#tree, statics);
        const components = this.#components;
        components?.reset();
        return statics.attachTo(components === undefined ? root : components.attach(root, this.#tree, statics));
      } catch {
        return undefined;
      }
    } finally {
      this.#tracked.clearChanges();
      streams?.clear();
      this.#componentsOverLimit();
    }
  }

  /** Serialized state, checked to be plain JSON within the size bound. */
  serialize(): string {
    return serializeState(this.viewClass.name, this.#tracked.raw, this.#services.maxStateBytes);
  }

  /**
   * Stores the state as this copy's owner, within the tenant's budget (`refresh`: in any case,
   * restarting its TTL — a socket closing). 'taken' when another join
   * owns the instance now (nothing stored, and this copy must never store again); an error
   * (logged, except the tenant's budget, which the caller reports) when the backend did not take it.
   */
  async save(refresh = false): Promise<SaveOutcome> {
    const backend = this.#services.backend;
    let fingerprint: string | undefined;
    try {
      const value = this.serialize();
      // Write-through: the very state this copy last stored is not sent again (D64). A copy
      // taken over meanwhile learns it at its next real change, its refresh or the notice (D35).
      if (backend.writeThrough) {
        fingerprint = stateFingerprint(value);
        if (!refresh && fingerprint === this.#stored) return 'saved';
      }
      this.#stored = undefined; // until this save is known to be stored
      const stored = await backend.save(this.stateKey, value, this.owner, this.#services.stateBudget(this.tenant), refresh ? { refresh } : undefined);
      if (stored) this.#stored = fingerprint;
      return stored ? 'saved' : 'taken';
    } catch (error) {
      if (registryCode(error) !== 'LV_STATE_QUOTA_EXCEEDED') this.#host.log.error({ err: error, view: this.viewClass.name }, 'saving view state failed');
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** The backend lost the state (a Redis restart): store it again, in turn with the view's other work. */
  resave(): void {
    if (this.#closed) return;
    this.#stored = undefined; // what it last stored is gone
    this.#mailbox.run(() => this.save().then((outcome) => {
      if (outcome === 'taken') this.#lost(undefined);
    }));
  }

  /** Why the view closed (undefined while it is live); 'replaced': a join took it over. */
  get closedBy(): TerminateReason | undefined {
    return this.#closedBy;
  }

  /** Stops ticks and timers, saves the state (unless a join took it over), then lets the view clean up. */
  async terminate(reason: TerminateReason): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedBy = reason;
    this.#tickHandle?.cancel();
    for (const timer of this.#timers ?? []) clearTimeout(timer);
    this.#async?.cancel();
    await this.#links().close((error) => this.#host.log.warn({ err: error, view: this.viewClass.name }, 'unsubscribing failed'));
    this.view[RUNTIME] = undefined;
    // Navigated away: nothing will rejoin this instance (the page now shows another view), so
    // its state is discarded rather than kept for the state TTL.
    // A nested view left (D81): its container left the page with its parent's render; a child that
    // comes back under the same id is a new one.
    if (reason === 'navigate' || (reason === 'leave' && isNested(this.instance))) await this.#services.backend.delete(this.stateKey).catch((error: unknown) => this.#host.log.warn({ err: error, view: this.viewClass.name }, 'discarding state failed'));
    else if (reason !== 'replaced') {
      const outcome = await this.save(true); // stored at close in any case: its TTL runs from here
      if (outcome === 'taken') this.#host.log.info({ view: this.viewClass.name }, 'view closed after a join elsewhere took it over; its copy was not saved');
      else if (outcome instanceof Error && registryCode(outcome) === 'LV_STATE_QUOTA_EXCEEDED') this.#host.log.warn({ err: outcome, view: this.viewClass.name }, 'state not saved at close: over the tenant\'s budget; the last saved state stays');
    }
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

/**
 * A client's cid as an error's detail. Never `JSON.stringify(cid)`: a cid nested as deep as a
 * frame allows overflows the stack there, throwing out of the socket's handler (D85).
 */
/**
 * The schema of event `name` as a class declares it (a view's or a live component's `static
 * events`), or why the event is refused: not declared, or a payload other than an object for an
 * event declared without a schema (`null`). `owner` ends the detail (whose events they are).
 */
function declaredSchema(events: EventSchemas, name: string, payload: unknown, owner: string): { schema: StandardSchemaV1 | null } | { code: 'LV_EVENT_UNKNOWN' | 'LV_EVENT_PAYLOAD_INVALID'; detail: string } {
  if (!Object.hasOwn(events, name)) return { code: 'LV_EVENT_UNKNOWN', detail: `"${name.slice(0, 64)}"${owner}` };
  const schema = events[name];
  if (schema === null && payload !== undefined && (payload === null || typeof payload !== 'object' || Array.isArray(payload))) {
    return { code: 'LV_EVENT_PAYLOAD_INVALID', detail: 'expected an object' };
  }
  return { schema };
}

function cidLabel(cid: unknown): string {
  if (typeof cid === 'number') return String(cid);
  if (typeof cid === 'string') return JSON.stringify(cid.slice(0, 32));
  return `(${cid === null ? 'null' : Array.isArray(cid) ? 'an array' : typeof cid})`;
}

/** A refused payload's first issue, as the error frame says it: `field.path: message`. */
function issueText(issues: readonly StandardSchemaV1.Issue[]): string {
  const issue = issues[0];
  const where = issue?.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
  return `${where ? where + ': ' : ''}${issue?.message ?? 'invalid'}`;
}
