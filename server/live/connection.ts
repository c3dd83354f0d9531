/**
 * One live socket: parses frames, enforces the per-socket limits and routes each frame to the
 * view it names. Knows nothing of uWebSockets.js — the transport is an interface, so the same
 * code runs under the real socket and in tests.
 *
 * Every client frame with a ref is answered exactly once (reply or error), and nothing a client
 * sends can throw out of `receive`: bad input becomes an error frame, the socket keeps serving.
 */
import type { FastifyBaseLogger } from 'fastify';
import { StaticsCollector } from '../diff/index.ts';
import { errors, LiveryError, type ErrorCode } from '../errors.ts';
import type { DevErrorReport } from '../protocol/index.ts';
import { decodeClientFrame, encodeError, encodeReply, type ClientFrame } from '../protocol/codec.ts';
import { sessionTag, type Session } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { TenantData } from '../data/index.ts';
import type { TenantCounts } from '../metrics/index.ts';
import type { MountedView, ViewHost } from './mounted-view.ts';
import type { Runtime } from './runtime.ts';

export interface Transport {
  send(text: string): void;
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Rate-limit violations in a row after which the socket is closed instead of answered. */
const ABUSE_LIMIT = 1000;
/**
 * What each frame type costs from the socket's rate bucket. Every frame type pays — a join runs
 * SQL, a render and presence fan-out, so it costs most; a heartbeat is nearly free (the client
 * sends one every half minute) but not free, so a flood of them is bounded too.
 */
const COST = { event: 1, join: 2, leave: 1, heartbeat: 0.25 } as const;

/** Who the socket belongs to, settled at upgrade. */
export interface SocketIdentity {
  readonly sessionId: string;
  /** The raw session data (the user's identity); views see it only under their tenant. */
  readonly sessionData: Session['data'];
  /** Undefined until the first join when the tenant came from the page's path (see Tenancy). */
  readonly tenant: TenantInfo | undefined;
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
  /** Set once — at upgrade, or by the first join — and never changed: no tenant switching mid-socket. */
  #tenant: TenantInfo | undefined;
  #data: TenantData | undefined;
  #log: FastifyBaseLogger | undefined;
  /** The tenant's counters (per-tenant metrics), once the tenant is known. */
  #tenantCounts: TenantCounts;
  readonly statics = new StaticsCollector(new Set());
  readonly views = new Map<number, MountedView>();
  /** View ids with a join in flight; allocated only while one is (most sockets join once). */
  #joining: Set<number> | undefined;
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
    this.#tokens = runtime.config.socket.rateBurst;
    if (identity.tenant !== undefined) this.bindTenant(identity.tenant);
  }

  get tenant(): TenantInfo | undefined {
    return this.#tenant;
  }

  /** Binds the socket to its tenant (once): its logger and its data context follow from it. */
  bindTenant(tenant: TenantInfo): void {
    if (this.#tenant !== undefined) throw new Error('a socket\'s tenant is set once');
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
    return this.#transport.bufferedAmount() < this.#runtime.config.socket.backpressureBytes;
  }

  receive(data: ArrayBuffer, isBinary: boolean): void {
    if (isBinary) return this.error(0, 0, 'LV_BINARY_FRAME');
    const frame = decodeClientFrame(decoder.decode(data));
    if (frame.type === 'invalid') {
      this.error(frame.ref, 0, frame.code, frame.detail);
      if (frame.code === 'LV_PROTOCOL_VERSION') this.#transport.close(errors.LV_PROTOCOL_VERSION.close, 'protocol version');
      return;
    }
    const vid = frame.type === 'heartbeat' || !Number.isSafeInteger(frame.vid) ? 0 : (frame.vid as number);
    if (!this.#allow(COST[frame.type], frame.ref, vid)) return;
    switch (frame.type) {
      case 'event':
        return this.#event(frame);
      case 'join':
        return this.#join(frame);
      case 'leave':
        return this.#leave(frame.ref, frame.vid);
      case 'heartbeat':
        return this.send(encodeReply(frame.ref, 0));
    }
  }

  #event({ ref, vid, event, payload }: ClientFrame & { type: 'event' }): void {
    const view = typeof vid === 'number' ? this.views.get(vid) : undefined;
    if (view === undefined) return this.error(ref, typeof vid === 'number' ? vid : 0, 'LV_VIEW_NOT_JOINED');
    if (typeof event !== 'string') return this.error(ref, view.vid, 'LV_FRAME_MALFORMED', 'event name must be a string');
    view.event(ref, event, payload, this.#refilledAt); // #allow stamped the frame's arrival there
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

  #join({ ref, vid, view: viewName, token }: ClientFrame & { type: 'join' }): void {
    if (!Number.isSafeInteger(vid) || (vid as number) <= 0) return this.error(ref, 0, 'LV_FRAME_MALFORMED', 'vid must be a positive integer');
    const id = vid as number;
    if (this.views.has(id) || this.#joining?.has(id)) return this.error(ref, id, 'LV_VIEW_ALREADY_JOINED');
    if (this.views.size + (this.#joining?.size ?? 0) >= this.#runtime.config.socket.maxViews) return this.error(ref, id, 'LV_TOO_MANY_VIEWS');
    (this.#joining ??= new Set()).add(id);
    // Every join is answered within joinTimeoutMs, whatever a backend or `onJoin` is doing. Past
    // the deadline the client is told so and the socket closed (1013: try again), so it reconnects
    // and joins afresh; a join that completes later anyway is undone, never left half-live.
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      this.log.warn({ vid: id, view: String(viewName).slice(0, 64) }, 'join timed out');
      this.error(ref, id, 'LV_JOIN_TIMEOUT');
      this.#transport.close(errors.LV_JOIN_TIMEOUT.close, 'join timeout');
    }, this.#runtime.config.socket.joinTimeoutMs);
    this.#runtime
      .join(this, id, viewName, token)
      .then((reply) => {
        if (late) return this.#undoJoin(id);
        if (this.#closed) return;
        this.#runtime.counters.joins++;
        this.#tenantCounts.joins++;
        this.send(encodeReply(ref, id, reply));
      })
      .catch((error: unknown) => {
        if (late) return;
        if (error instanceof LiveryError) {
          // A client's mistake (a bad token) is only told; the server's fault (Redis down) is logged too.
          if (error.serverFault) this.log.error({ err: error, vid: id, view: String(viewName).slice(0, 64) }, 'join failed');
          return this.error(ref, id, error.code, error.detail);
        }
        this.log.error({ err: error, vid: id, view: String(viewName).slice(0, 64) }, 'join failed');
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
    await Promise.all([...this.views.values()].map((view) => this.#runtime.detach(view, reason)));
    this.#data?.release();
  }

  /** Closes the socket from the server side (shutdown, policy). */
  close(code: number, reason: string): void {
    this.#transport.close(code, reason);
  }
}
