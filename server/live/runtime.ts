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
import type { LiveryConfig } from '../options/index.ts';
import type { WireNode } from '../diff/index.ts';
import { LiveryError } from '../errors.ts';
import { K_TOKEN, type DevErrorReport } from '../protocol/index.ts';
import { TickScheduler } from '../scheduler/index.ts';
import { stateKey, type StateBackend } from '../state/index.ts';
import { createScope, renderToString, type Scope, type Template } from '../template/index.ts';
import { tenantData, type Database, type TenantData } from '../data/index.ts';
import { sessionUnder, type Session } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { TenantGate } from '../tenancy/gate.ts';
import type { PubSub } from '../pubsub/index.ts';
import type { Presence } from '../presence/index.ts';
import type { JoinClaims, TokenSigner } from '../token/index.ts';
import { DATA, type LiveView, type Params, type TerminateReason, type ViewClass } from '../view/live-view.ts';
import { findNonPlainValue, serializeState, trackState } from '../view/tracked-state.ts';
import type { Connection } from './connection.ts';
import { MountedView } from './mounted-view.ts';
import { initialUploadsState, UPLOADS_STATE_KEY, type Uploads } from '../uploads/index.ts';

export type { RegisteredView } from '../view/routes.ts';
import type { RegisteredView } from '../view/routes.ts';

export interface RuntimeInit {
  readonly config: LiveryConfig;
  readonly log: FastifyBaseLogger;
  readonly views: ReadonlyMap<string, RegisteredView>;
  readonly backend: StateBackend;
  readonly signer: TokenSigner;
  readonly gate: TenantGate;
  readonly database: Database | undefined;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  /** Dev loop only: describes an error for the overlay (error frames then carry it). */
  readonly describe?: (error: unknown) => DevErrorReport;
  /** Resumable uploads (views that declare `static uploads`). */
  readonly uploads?: Uploads;
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
  readonly gate: TenantGate;
  readonly database: Database | undefined;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  readonly describe: ((error: unknown) => DevErrorReport) | undefined;
  readonly uploads: Uploads | undefined;
  readonly scheduler = new TickScheduler();
  readonly connections = new Set<Connection>();
  readonly #views: ReadonlyMap<string, RegisteredView>;
  readonly #live = new Map<string, { view: MountedView; conn: Connection }>();
  /** Mount calls, for tests and health output ("mount runs once per page view"). */
  mounts = 0;
  /** Work counters for the bench and health output: events handled and renders diffed. */
  readonly counters = { events: 0, renders: 0 };

  constructor(init: RuntimeInit) {
    this.config = init.config;
    this.log = init.log;
    this.backend = init.backend;
    this.signer = init.signer;
    this.gate = init.gate;
    this.database = init.database;
    this.pubsub = init.pubsub;
    this.presence = init.presence;
    this.describe = init.describe;
    this.uploads = init.uploads;
    this.#views = init.views;
  }

  /** A tenant's data context (one EntityManager fork with the tenant set), if there is a database. */
  dataFor(tenant: TenantInfo): TenantData | undefined {
    return this.database === undefined ? undefined : tenantData(this.database, tenant.id);
  }

  get liveViews(): number {
    return this.#live.size;
  }

  /** The view live on this process for a tenant's page instance (the test client drives ticks and infos through it). */
  liveView(tenant: string, instance: string): MountedView | undefined {
    return this.#live.get(stateKey(tenant, instance))?.view;
  }

  /** First paint: mount, render to HTML, save the state for the socket to adopt, sign a token. */
  async renderPage(viewId: string, params: Params, session: Session, tenant: TenantInfo): Promise<RenderedPage> {
    const entry = this.#entry(viewId);
    const view = this.#instantiate(entry.viewClass, tenant, this.dataFor(tenant));
    const state = await this.#mount(view, params, session);
    view.state = state;
    const html = renderToString(entry.template, this.#scope(state, tenant));
    const instance = randomBytes(12).toString('base64url');
    // Until its socket joins, the state lives only the short pre-join TTL: page loads that never
    // join (crawlers, floods, closed tabs) cannot hold state for the full TTL (D31).
    const serialized = serializeState(entry.viewClass.name, state, this.config.state.maxBytes);
    await this.backend.set(stateKey(tenant.id, instance), serialized, this.config.state.preJoinTtlSeconds);
    const token = this.signer.sign({ view: viewId, instance, params, session: session.id, tenant: tenant.id });
    return { html, token, instance };
  }

  /** Binds a view to a socket from its token; returns the join reply's diff (full root + token). */
  async join(conn: Connection, vid: number, viewName: unknown, token: unknown): Promise<WireNode> {
    const claims = this.signer.verify(token);
    if (claims.view !== viewName) throw new LiveryError('LV_TOKEN_VIEW_MISMATCH');
    if (claims.session !== conn.sessionId) throw new LiveryError('LV_TOKEN_INVALID', 'issued to another session');
    const tenant = await this.#tenantOf(conn, claims.tenant);
    const entry = this.#entry(claims.view);
    const key = stateKey(tenant.id, claims.instance);
    const view = this.#instantiate(entry.viewClass, tenant, conn.data);
    const state = await this.#adopt(key, view, claims, conn);
    const fresh = this.signer.sign(claims);
    if (conn.closed) {
      // The socket went away while the state was being adopted: put the state back where the
      // next join will look for it (adopting took it from the backend or from another socket).
      await this.backend.set(key, JSON.stringify(state));
      throw new LiveryError('LV_SERVER_SHUTDOWN', 'socket closed during join');
    }
    const tracked = trackState(state);
    const session = sessionUnder(conn.sessionId, conn.sessionData, tenant.id);
    const mounted = new MountedView(
      {
        tenant, params: claims.params, session, vid, viewClass: entry.viewClass, view, tracked,
        scope: this.#scope(state, tenant), template: entry.template, instance: claims.instance, stateKey: key,
      },
      conn,
      { backend: this.backend, scheduler: this.scheduler, pubsub: this.pubsub, presence: this.presence, maxStateBytes: this.config.state.maxBytes, counters: this.counters, describe: this.describe, uploads: this.uploads },
    );
    conn.views.set(vid, mounted);
    this.#live.set(key, { view: mounted, conn });
    await mounted.listen();
    await view.onJoin?.();
    const root = mounted.start();
    root[K_TOKEN] = fresh;
    return conn.statics.attachTo(root)!;
  }

  /**
   * The socket's tenant, which a token must match. A socket whose upgrade could not resolve one
   * (path tenancy) takes it from its first token — admitted like any claim — and keeps it.
   */
  async #tenantOf(conn: Connection, claimed: string): Promise<TenantInfo> {
    const bound = conn.tenant;
    if (bound !== undefined) {
      if (bound.id !== claimed) throw new LiveryError('LV_TOKEN_INVALID', 'issued for another tenant');
      return bound;
    }
    const tenant = await this.gate.adopt(claimed, conn.sessionData);
    // Another join may have bound the socket while this one awaited the lookup.
    if (conn.tenant !== undefined && conn.tenant.id !== tenant.id) throw new LiveryError('LV_TOKEN_INVALID', 'issued for another tenant');
    if (conn.tenant === undefined) conn.bindTenant(tenant);
    return tenant;
  }

  #instantiate(viewClass: ViewClass, tenant: TenantInfo, data: TenantData | undefined): LiveView<object> {
    const view = new viewClass();
    view.tenant = tenant;
    view[DATA] = data;
    return view;
  }

  async #adopt(key: string, view: InstanceType<ViewClass>, claims: JoinClaims, conn: Connection): Promise<object> {
    const live = this.#live.get(key);
    if (live !== undefined) {
      const state = live.view.raw;
      await this.detach(live.view, 'replaced', live.conn);
      return state;
    }
    const saved = await this.backend.get(key);
    if (saved !== null) {
      // A process-local backend's copy is redundant while the view is live here (it is written
      // back when the socket closes): drop it, so an idle session holds its state once, not twice.
      if (!this.backend.writeThrough) await this.backend.delete(key);
      return JSON.parse(saved) as object;
    }
    return this.#mount(view, claims.params, sessionUnder(conn.sessionId, conn.sessionData, view.tenant.id));
  }

  async #mount(view: InstanceType<ViewClass>, params: Params, session: Session): Promise<object> {
    this.mounts++;
    const state = await view.mount(params, session);
    const bad = findNonPlainValue(state);
    if (bad !== null) throw new LiveryError('LV_STATE_INVALID', `${view.constructor.name}.mount() returned non-plain data at ${bad}`);
    // A view with upload fields gets `uploads.<field>` for its template (docs/uploads.md).
    const fields = (view.constructor as ViewClass).uploads;
    if (fields !== undefined && Object.keys(fields).length > 0) (state as Record<string, unknown>)[UPLOADS_STATE_KEY] = initialUploadsState(fields);
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

  #scope(state: object, tenant: TenantInfo): Scope {
    return createScope(state as Record<string, unknown>, { tenant });
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
