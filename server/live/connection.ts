/**
 * One live socket: parses frames, enforces the per-socket limits and routes each frame to the
 * view it names. Knows nothing of uWebSockets.js — the transport is an interface, so the same
 * code runs under the real socket and in tests.
 *
 * Every client frame with a ref is answered exactly once (reply or error), and nothing a client
 * sends can throw out of `receive`: bad input becomes an error frame, the socket keeps serving.
 */
import type { FastifyBaseLogger } from 'fastify';
import { StaticsCollector, type WireNode } from '../diff/index.ts';
import { errors, LiveryError, refusalCloseCode, type ErrorCode } from '../errors.ts';
import { QUOTA_LABELS } from '../admission/index.ts';
import { MAX_URL_LENGTH, type DevErrorReport } from '../protocol/index.ts';
import { decodeClientFrame, encodeError, encodeReply, type ClientFrame } from '../protocol/codec.ts';
import { sessionTag, type Session } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { TenantData } from '../data/index.ts';
import type { Flash } from '../protocol/flash.ts';
import { checkFrameUrl } from '../view/page.ts';
import type { TenantCounts } from '../metrics/index.ts';
import type { MountedView, ViewHost } from './mounted-view.ts';
import type { RouteMatch, SocketRequest } from './navigation.ts';
import type { Runtime } from './runtime.ts';
import { ViewTable } from './view-table.ts';

/**
 * Why a socket is closed LV_SOCKET_STALLED: over its send budget too long, a reply past twice it
 * (the transport's own accounting, D43), or a view's stream operations held back past their
 * bound while it was over budget (D85).
 */
export type StallReason = 'stalled' | 'buffer' | 'stream';

export interface Transport {
  send(text: string): void;
  /** Bytes sent but not yet taken by the network (for counts; `canPush` decides on them). */
  bufferedAmount(): number;
  /** False while the socket is over its backpressure budget: pushes wait for `drain`. */
  canPush(): boolean;
  close(code: number, reason: string): void;
  /** Adds the socket to a native topic, or takes it off (D70: see TopicHub; nothing once closed). */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Sends `frame` natively to every socket on `topic` except this one, counted as `recipients` frames; false once closed. */
  publishToOthers(topic: string, frame: string, recipients: number): boolean;
  /** The client is not keeping up: tell it LV_SOCKET_STALLED and close 4408 (D43, D85). */
  stalled(reason: StallReason): void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Rate-limit violations in a row after which the socket is closed instead of answered. */
const ABUSE_LIMIT = 1000;
/**
 * What each frame type costs from the socket's rate bucket. Every frame type pays — a join runs
 * SQL, a render and presence fan-out, so it costs most; a heartbeat is nearly free (the client
 * sends one every half minute) but not free, so a flood of them is bounded too.
 */
const COST = { event: 1, patch: 1, join: 2, navigate: 2, leave: 1, heartbeat: 0.25 } as const;

/** Who the socket belongs to, settled at upgrade. */
/**
 * The vid an answer names: the client's own when it is one (a positive integer), else 0. A
 * hostile vid (-1, 1.5, 1e400) is never echoed: it would make the answer itself malformed.
 */
/**
 * A client's value as a log label. Never `String(value)`: an object whose `toString` is not a
 * function (`{"toString": false}`, all JSON can say) makes that throw.
 */
function label(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 64) : `(${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
}

function wireVid(vid: unknown): number {
  return Number.isSafeInteger(vid) && (vid as number) > 0 ? (vid as number) : 0;
}

/** Whether any string in a parsed JSON value (keys included) contains U+0000. Iterative: payloads may nest deeply. */
function holdsNul(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const key in item) {
        if (key.includes('\u0000')) return true;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

export interface SocketIdentity {
  readonly sessionId: string;
  /** The raw session data (the user's identity); views see it only under their tenant. */
  readonly sessionData: Session['data'];
  /** Undefined until the first join when the tenant came from the page's path (see Tenancy). */
  readonly tenant: TenantInfo | undefined;
  /**
   * With tenancy: the upgrade request (host, headers, cookies, client address), to resolve a
   * navigation target's tenant exactly as a page load on this socket's host would.
   */
  readonly request?: SocketRequest;
}

let socketsOpened = 0;

/**
 * A new socket's id for log lines (`socketId`): unique in the process, and log lines carry the
 * process (pid, hostname). Not derived from anything the client sent, and not a credential.
 */
export function newSocketId(): string {
  return `ws-${(++socketsOpened).toString(36)}`;
}

export class Connection implements ViewHost {
  /** Names the socket in log lines (see {@link newSocketId}). */
  readonly id: string;
  readonly sessionId: string;
  readonly sessionData: Session['data'];
  readonly request: SocketRequest | undefined;
  /** Set once — at upgrade, or by the first join — and never changed: no tenant switching mid-socket. */
  #tenant: TenantInfo | undefined;
  #data: TenantData | undefined;
  #log: FastifyBaseLogger | undefined;
  /** The tenant's counters (per-tenant metrics), once the tenant is known. */
  #tenantCounts: TenantCounts;
  readonly statics = new StaticsCollector();
  readonly views = new ViewTable<MountedView>();
  /** View ids with a join in flight; allocated only while one is (most sockets join once). */
  #joining: Set<number> | undefined;
  /** View ids a join elsewhere took over (D35): their events are answered LV_VIEW_TAKEN_OVER. */
  #takenOver: Set<number> | undefined;
  readonly #transport: Transport;
  readonly #runtime: Runtime;
  #tokens: number;
  #refilledAt = performance.now();
  #violations = 0;
  #closed = false;

  constructor(transport: Transport, runtime: Runtime, identity: SocketIdentity, id = newSocketId()) {
    this.id = id;
    this.#transport = transport;
    this.#runtime = runtime;
    this.#tenantCounts = runtime.counters.forTenant(undefined);
    this.sessionId = identity.sessionId;
    this.sessionData = identity.sessionData;
    this.request = identity.request;
    this.#tokens = runtime.config.socket.rateBurst;
    if (identity.tenant !== undefined) this.bindTenant(identity.tenant);
  }

  get tenant(): TenantInfo | undefined {
    return this.#tenant;
  }

  /**
   * Binds the socket to its tenant (once): its logger and its data context follow from it. The
   * tenant's live-socket quota is counted here, so a socket over it is refused
   * (LV_TENANT_QUOTA_EXCEEDED) before it serves anything.
   */
  bindTenant(tenant: TenantInfo): void {
    if (this.#tenant !== undefined) throw new Error('a socket\'s tenant is set once');
    if (!this.#runtime.quotas.tryAddSocket(tenant)) throw new LiveryError('LV_TENANT_QUOTA_EXCEEDED', QUOTA_LABELS.sockets);
    this.#tenant = tenant;
    this.#log = undefined;
    this.#tenantCounts = this.#runtime.counters.forTenant(tenant.id);
  }

  /** The counters of the socket's tenant (per-tenant metrics), or the unlabelled ones before it is known. */
  get tenantCounts(): TenantCounts {
    return this.#tenantCounts;
  }

  /**
   * The socket's logger: every line carries its tenant, its socket id and its session (hashed:
   * the id is the visitor's cookie, which a log must never hold). Made on first use — most
   * sockets never log, and a child logger per idle socket is memory spent on nothing.
   */
  get log(): FastifyBaseLogger {
    return (this.#log ??= this.#runtime.log.child({ tenant: this.#tenant?.id, socketId: this.id, session: sessionTag(this.sessionId) }));
  }

  /** The socket's tenant data context: one fork with the tenant parameter set, made on first use. */
  get data(): TenantData | undefined {
    if (this.#tenant === undefined) return undefined;
    return (this.#data ??= this.#runtime.dataFor(this.#tenant));
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: string): void {
    if (!this.#closed) this.#transport.send(frame);
  }

  canPush(): boolean {
    return this.#transport.canPush();
  }

  // SharedSocket: the native topics a broadcast's identical frames go out through (D70).
  subscribeTopic(topic: string): void {
    this.#transport.subscribe(topic);
  }

  unsubscribeTopic(topic: string): void {
    this.#transport.unsubscribe(topic);
  }

  publishToOthers(topic: string, frame: string, recipients: number): boolean {
    return !this.#closed && this.#transport.publishToOthers(topic, frame, recipients);
  }

  bufferedAmount(): number {
    return this.#transport.bufferedAmount();
  }

  stalled(reason: StallReason): void {
    if (!this.#closed) this.#transport.stalled(reason);
  }

  receive(data: ArrayBuffer, isBinary: boolean): void {
    if (isBinary) return this.error(0, 0, 'LV_BINARY_FRAME');
    const text = decoder.decode(data);
    const frame = decodeClientFrame(text);
    if (frame.type === 'invalid') {
      this.error(frame.ref, 0, frame.code, frame.detail);
      if (frame.code === 'LV_PROTOCOL_VERSION') this.#transport.close(errors.LV_PROTOCOL_VERSION.close, 'protocol version');
      return;
    }
    if (!this.#allow(COST[frame.type], frame.ref, frame.type === 'heartbeat' ? 0 : wireVid(frame.vid))) return;
    switch (frame.type) {
      case 'event':
        // JSON carries NUL only escaped: most frames skip the walk.
        return this.#event(frame, text.includes('\\u0000'));
      case 'join':
        return this.#join(frame);
      case 'patch':
        return this.#patch(frame);
      case 'navigate':
        return this.#navigate(frame);
      case 'leave':
        return this.#leave(frame.ref, frame.vid);
      case 'heartbeat':
        return this.send(encodeReply(frame.ref, 0));
    }
  }

  #event({ ref, vid, event, payload, cid }: ClientFrame & { type: 'event' }, mayHoldNul: boolean): void {
    const view = typeof vid === 'number' ? this.views.get(vid) : undefined;
    if (view === undefined) return this.error(ref, wireVid(vid), this.#takenOver?.has(vid as number) ? 'LV_VIEW_TAKEN_OVER' : 'LV_VIEW_NOT_JOINED');
    if (typeof event !== 'string') return this.error(ref, view.vid, 'LV_FRAME_MALFORMED', 'event name must be a string');
    // PostgreSQL cannot store U+0000 in text or jsonb: such input would fail in the handler, as a
    // server error logged with its stack, once per hostile frame. Refused here as what it is.
    if (mayHoldNul && holdsNul(payload)) return this.error(ref, view.vid, 'LV_EVENT_PAYLOAD_INVALID', 'strings may not contain U+0000 (NUL)');
    // A joined view's socket has its tenant; the tenant's event quota is shared by all its sockets here.
    if (!this.#runtime.quotas.allowEvent(this.#tenant!)) return this.error(ref, view.vid, 'LV_TENANT_QUOTA_EXCEEDED', QUOTA_LABELS.eventsPerSecond);
    view.event(ref, event, payload, this.#refilledAt, cid); // #allow stamped the frame's arrival there
  }

  /**
   * Token bucket: `rateBurst` tokens at once, refilled at `ratePerSecond`; a frame takes `cost`.
   * A frame over the limit is answered LV_RATE_LIMITED under its own ref and dropped.
   */
  #allow(cost: number, ref: number, vid: number): boolean {
    const { ratePerSecond, rateBurst } = this.#runtime.config.socket;
    const now = performance.now();
    this.#tokens = Math.min(rateBurst, this.#tokens + ((now - this.#refilledAt) * ratePerSecond) / 1000);
    this.#refilledAt = now;
    if (this.#tokens >= cost) {
      this.#tokens -= cost;
      this.#violations = 0;
      return true;
    }
    if (++this.#violations >= ABUSE_LIMIT) {
      this.#transport.close(errors.LV_RATE_LIMIT_ABUSE.close, 'rate limit');
      return false;
    }
    this.error(ref, vid, 'LV_RATE_LIMITED');
    return false;
  }

  /** The joined view a frame names, or an error answered for its ref. */
  #viewFor(ref: number, vid: unknown): MountedView | undefined {
    const view = typeof vid === 'number' ? this.views.get(vid) : undefined;
    if (view === undefined) this.error(ref, wireVid(vid), 'LV_VIEW_NOT_JOINED');
    return view;
  }

  /** A navigation frame's URL: a path and query on this site, or an error answered for its ref. */
  #urlFor(ref: number, vid: number, url: unknown): string | undefined {
    const checked = checkFrameUrl(url, MAX_URL_LENGTH);
    if ('path' in checked) return checked.path;
    this.error(ref, vid, checked.code, checked.detail);
    return undefined;
  }

  #patch({ ref, vid, url }: ClientFrame & { type: 'patch' }): void {
    const view = this.#viewFor(ref, vid);
    const path = view && this.#urlFor(ref, view.vid, url);
    if (view === undefined || path === undefined) return;
    if (this.#joining?.has(view.vid)) return this.error(ref, view.vid, 'LV_NAV_BUSY');
    view.patch(ref, path);
  }

  /**
   * Navigate: the view is replaced by the live view at the URL, on this socket. Answered like a
   * join (within joinTimeoutMs); the vid counts as joining meanwhile, so a second navigate or a
   * patch for it waits its turn (LV_NAV_BUSY).
   */
  #navigate({ ref, vid, url }: ClientFrame & { type: 'navigate' }): void {
    const view = this.#viewFor(ref, vid);
    const path = view && this.#urlFor(ref, view.vid, url);
    if (view === undefined || path === undefined) return;
    if (this.#joining?.has(view.vid)) return this.error(ref, view.vid, 'LV_NAV_BUSY');
    this.#answer(ref, view.vid, 'navigate', () => this.#runtime.navigate(this, view, path));
  }

  #join({ ref, vid, view: viewName, token, url }: ClientFrame & { type: 'join' }): void {
    if (!Number.isSafeInteger(vid) || (vid as number) <= 0) return this.error(ref, 0, 'LV_FRAME_MALFORMED', 'vid must be a positive integer');
    const id = vid as number;
    if (this.views.has(id) || this.#joining?.has(id)) return this.error(ref, id, 'LV_VIEW_ALREADY_JOINED');
    if (this.views.size + (this.#joining?.size ?? 0) >= this.#runtime.config.socket.maxViews) return this.error(ref, id, 'LV_TOO_MANY_VIEWS');
    // The page's URL as the browser shows it; one the socket would refuse in a navigation frame is
    // not an error here (a legitimately long URL must still join): the token's URL stands in.
    const at = checkFrameUrl(url, MAX_URL_LENGTH);
    this.#answer(ref, id, label(viewName), () => this.#runtime.join(this, id, viewName, token, 'path' in at ? at.path : undefined));
  }

  /**
   * Runs a join or a navigate for view `id` and answers it. Every one is answered within
   * joinTimeoutMs, whatever a backend, `mount` or `onJoin` is doing. Past the deadline the client
   * is told so and the socket closed (1013: try again), so it reconnects and joins afresh; one that
   * completes later anyway is undone, never left half-live.
   */
  #answer(ref: number, id: number, what: string, work: () => Promise<WireNode>): void {
    (this.#joining ??= new Set()).add(id);
    this.#takenOver?.delete(id);
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      this.log.warn({ vid: id, view: what }, 'join timed out');
      this.error(ref, id, 'LV_JOIN_TIMEOUT');
      this.#transport.close(errors.LV_JOIN_TIMEOUT.close, 'join timeout');
    }, this.#runtime.config.socket.joinTimeoutMs);
    work()
      .then((reply) => {
        if (late) return this.#undoJoin(id);
        // Taken over between the join's end and this reply: the view is gone, so no reply.
        if (!this.views.has(id)) return this.error(ref, id, this.#takenOver?.has(id) ? 'LV_VIEW_TAKEN_OVER' : 'LV_VIEW_NOT_JOINED');
        if (this.#closed) return;
        this.#runtime.counters.joins++;
        this.#tenantCounts.joins++;
        this.send(encodeReply(ref, id, reply));
      })
      .catch((error: unknown) => {
        if (late) return;
        if (error instanceof LiveryError) {
          // A client's mistake (a bad token) is only told; the server's fault (Redis down) is logged too.
          if (error.serverFault) this.log.error({ err: error, vid: id, view: what }, 'join failed');
          return this.error(ref, id, error.code, error.detail);
        }
        this.log.error({ err: error, vid: id, view: what }, 'join failed');
        this.error(ref, id, 'LV_MOUNT_FAILED', undefined, this.#runtime.describe?.(error));
      })
      .finally(() => {
        clearTimeout(deadline);
        this.#joining?.delete(id);
        if (this.#joining?.size === 0) this.#joining = undefined;
      });
  }

  /** A join that finished after its deadline: the client was told it failed, so it must not stay. */
  #undoJoin(vid: number): Promise<void> | undefined {
    const view = this.views.get(vid);
    return view === undefined ? undefined : this.#runtime.detach(view, 'leave');
  }

  #leave(ref: number, vid: unknown): void {
    const view = typeof vid === 'number' ? this.views.get(vid) : undefined;
    if (view === undefined) return this.error(ref, 0, 'LV_VIEW_NOT_JOINED');
    this.#runtime.detach(view, 'leave');
    this.send(encodeReply(ref, view.vid));
  }

  /**
   * A join — on this socket, another or another process — took this view's instance over (D35):
   * the client is told (a join still in flight is answered so instead), and later events for the
   * view id get the same code. At most `socket.maxViews` ids are remembered.
   */
  takenOver(vid: number): void {
    const ids = (this.#takenOver ??= new Set());
    ids.add(vid);
    if (ids.size > this.#runtime.config.socket.maxViews) ids.delete(ids.values().next().value!);
    if (!this.#joining?.has(vid)) this.error(0, vid, 'LV_VIEW_TAKEN_OVER');
  }

  // ViewHost: navigation needs the socket's tenant and session.
  resolve(url: string): Promise<RouteMatch | undefined> {
    return this.#runtime.resolveTarget(this, url);
  }

  keepFlash(flash: Flash): Promise<void> {
    return this.#runtime.keepFlash(this, flash);
  }

  /** The transport drained: push what was held back. */
  drain(): void {
    for (const view of this.views.values()) {
      if (!this.canPush()) return;
      view.flush();
    }
  }

  /** An error frame; under the dev loop it may carry `dev`, the error described for the overlay. */
  error(ref: number, vid: number, code: ErrorCode, detail?: string, dev?: DevErrorReport): void {
    this.send(encodeError(ref, vid, code, new LiveryError(code, detail).message, dev));
  }

  /** The socket is gone (or going): save every view's state and let them clean up. */
  async end(reason: 'disconnect' | 'shutdown'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tenant !== undefined) this.#runtime.quotas.removeSocket(this.#tenant.id);
    await Promise.all([...this.views.values()].map((view) => this.#runtime.detach(view, reason)));
    this.#data?.release();
  }

  /**
   * The socket's tenant may no longer be served (suspended, unpaid, deleted while it was open):
   * say why, stop every view at once — no event queued or arriving after this runs its handler —
   * save their state, and close with 4000 + the code's status (4403 for LV_TENANT_SUSPENDED).
   */
  refuse(code: ErrorCode): void {
    if (this.#closed) return;
    this.log.warn({ code }, 'the socket\'s tenant may no longer be served; closing it');
    this.error(0, 0, code);
    this.end('disconnect').catch((error: unknown) => this.log.error({ err: error }, 'saving state on close failed'));
    this.#transport.close(refusalCloseCode(code), code);
  }

  /** Closes the socket from the server side (shutdown, policy). */
  close(code: number, reason: string): void {
    this.#transport.close(code, reason);
  }
}
