/**
 * The process-wide side of live views: the view registry, the state backend, token signing, the
 * tick scheduler, and which view instances are live on which socket.
 *
 * Page render and join are two halves of one page view: `renderPage` mounts and saves the state
 * under a fresh instance id and signs a token naming it; `join` verifies the token and adopts
 * that state — `mount` runs once per page view. A rejoin after a reconnect finds the state the
 * closing socket saved; a view still live on another socket (a half-open connection the server
 * has not noticed yet) is taken over directly, with its newest state.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { LiveryConfig } from '../config/index.ts';
import type { WireNode } from '../diff/index.ts';
import { LiveryError } from '../errors.ts';
import { K_TOKEN } from '../protocol/index.ts';
import { TickScheduler } from '../scheduler/index.ts';
import { stateKey, type StateBackend } from '../state/index.ts';
import { createScope, renderToString, type Scope, type Template } from '../template/index.ts';
import type { JoinClaims, TokenSigner } from '../token/index.ts';
import type { Params, TerminateReason, ViewClass } from '../view/live-view.ts';
import { findNonPlainValue, trackState } from '../view/tracked-state.ts';
import type { Connection } from './connection.ts';
import { MountedView } from './mounted-view.ts';

export interface RegisteredView {
  readonly viewClass: ViewClass;
  readonly template: Template;
}

export interface RuntimeInit {
  readonly config: LiveryConfig;
  readonly log: FastifyBaseLogger;
  readonly views: ReadonlyMap<string, RegisteredView>;
  readonly backend: StateBackend;
  readonly signer: TokenSigner;
}

export interface RenderedPage {
  readonly html: string;
  readonly token: string;
  readonly instance: string;
}

export class Runtime {
  readonly config: LiveryConfig;
  readonly log: FastifyBaseLogger;
  readonly backend: StateBackend;
  readonly signer: TokenSigner;
  readonly scheduler = new TickScheduler();
  readonly connections = new Set<Connection>();
  readonly #views: ReadonlyMap<string, RegisteredView>;
  readonly #live = new Map<string, { view: MountedView; conn: Connection }>();
  /** Mount calls, for tests and health output ("mount runs once per page view"). */
  mounts = 0;

  constructor(init: RuntimeInit) {
    this.config = init.config;
    this.log = init.log;
    this.backend = init.backend;
    this.signer = init.signer;
    this.#views = init.views;
  }

  get liveViews(): number {
    return this.#live.size;
  }

  /** First paint: mount, render to HTML, save the state for the socket to adopt, sign a token. */
  async renderPage(viewId: string, params: Params, session: string, tenant: string): Promise<RenderedPage> {
    const entry = this.#entry(viewId);
    const view = new entry.viewClass();
    const state = await this.#mount(view, params, session);
    view.state = state;
    const html = renderToString(entry.template, this.#scope(state));
    const instance = randomBytes(12).toString('base64url');
    await this.backend.set(stateKey(tenant, instance), JSON.stringify(state));
    const token = await this.signer.sign({ view: viewId, instance, params, session, tenant });
    return { html, token, instance };
  }

  /** Binds a view to a socket from its token; returns the join reply's diff (full root + token). */
  async join(conn: Connection, vid: number, viewName: unknown, token: unknown): Promise<WireNode> {
    const claims = await this.signer.verify(token);
    if (claims.view !== viewName) throw new LiveryError('LV_TOKEN_VIEW_MISMATCH');
    if (claims.session !== conn.sessionId) throw new LiveryError('LV_TOKEN_INVALID', 'issued to another session');
    if (claims.tenant !== conn.tenant) throw new LiveryError('LV_TOKEN_INVALID', 'issued for another tenant');
    const entry = this.#entry(claims.view);
    const key = stateKey(claims.tenant, claims.instance);
    const view = new entry.viewClass();
    const state = await this.#adopt(key, view, claims);
    const fresh = await this.signer.sign(claims);
    if (conn.closed) throw new LiveryError('LV_SERVER_SHUTDOWN', 'socket closed during join');
    const tracked = trackState(state);
    const mounted = new MountedView(
      { vid, viewClass: entry.viewClass, view, tracked, scope: this.#scope(state), template: entry.template, instance: claims.instance, stateKey: key },
      conn,
      { backend: this.backend, scheduler: this.scheduler, log: this.log, maxStateBytes: this.config.state.maxBytes },
    );
    conn.views.set(vid, mounted);
    this.#live.set(key, { view: mounted, conn });
    await view.onJoin?.();
    const root = mounted.start();
    root[K_TOKEN] = fresh;
    return conn.statics.attachTo(root)!;
  }

  async #adopt(key: string, view: InstanceType<ViewClass>, claims: JoinClaims): Promise<object> {
    const live = this.#live.get(key);
    if (live !== undefined) {
      const state = live.view.raw;
      await this.detach(live.view, 'replaced', live.conn);
      return state;
    }
    const saved = await this.backend.get(key);
    if (saved !== null) return JSON.parse(saved) as object;
    return this.#mount(view, claims.params, claims.session);
  }

  async #mount(view: InstanceType<ViewClass>, params: Params, session: string): Promise<object> {
    this.mounts++;
    const state = await view.mount(params, { id: session });
    const bad = findNonPlainValue(state);
    if (bad !== null) throw new LiveryError('LV_STATE_INVALID', `${view.constructor.name}.mount() returned non-plain data at ${bad}`);
    return state;
  }

  /** Removes a view from its socket, saving its state (except when another socket takes it over). */
  async detach(view: MountedView, reason: TerminateReason, conn?: Connection): Promise<void> {
    const owner = conn ?? this.#live.get(view.stateKey)?.conn;
    owner?.views.delete(view.vid);
    if (this.#live.get(view.stateKey)?.view === view) this.#live.delete(view.stateKey);
    await view.terminate(reason);
  }

  #entry(viewId: string): RegisteredView {
    const entry = this.#views.get(viewId);
    if (entry === undefined) throw new LiveryError('LV_VIEW_UNKNOWN', viewId.slice(0, 64));
    return entry;
  }

  #scope(state: object): Scope {
    return createScope(state as Record<string, unknown>);
  }

  /** Graceful shutdown: every socket's views saved, then the sockets closed with 1001. */
  async shutdown(closeSocket: (conn: Connection) => void): Promise<void> {
    this.scheduler.stop();
    await Promise.all([...this.connections].map(async (conn) => {
      await conn.end('shutdown');
      closeSocket(conn);
    }));
  }
}
