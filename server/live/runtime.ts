/**
 * The process-wide side of live views: the view registry, the state backend, token signing, the
 * tick scheduler, and which view instances are live on which socket.
 *
 * Page render and join are two halves of one page view: `renderPage` mounts and saves the state
 * under a fresh instance id and signs a token naming it; `join` verifies the token and adopts
 * that state — `mount` runs once per page view. A rejoin after a reconnect finds the state the
 * closing socket saved; a view still live on another socket (a half-open connection the server
 * has not noticed yet, another tab) is taken over directly, with its newest state.
 *
 * Every view instance has one live owner (D34, D35): joins of an instance take turns, each claims it
 * in the state backend (whose owner token then fences every earlier copy's saves), and the copy
 * it replaces — here or on another process — is closed and its socket told LV_VIEW_TAKEN_OVER.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { LiveryConfig } from '../options/index.ts';
import type { WireNode } from '../diff/index.ts';
import { LiveryError, registryCode } from '../errors.ts';
import { K_TOKEN, type DevErrorReport } from '../protocol/index.ts';
import { attachPage } from '../protocol/codec.ts';
import { FLASH_KINDS, type Flash } from '../protocol/flash.ts';
import { TickScheduler } from '../scheduler/index.ts';
import { LiveStats, timeCalls, type LiveCounts } from '../metrics/index.ts';
import { stateKey, type StateBackend } from '../state/index.ts';
import { createScope, NESTED_VIEWS, renderToString, type NestedViews, type Scope, type Template } from '../template/index.ts';
import { tenantData, type Database, type TenantData } from '../data/index.ts';
import { sessionUnder, type Session, type SessionStore } from '../session/index.ts';
import { hasFlash, withFlash } from '../session/flash.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { TenantGate } from '../tenancy/gate.ts';
import { refusalOf } from '../tenancy/watch.ts';
import type { TenantQuotas } from '../admission/index.ts';
import type { PubSub } from '../pubsub/index.ts';
import type { Presence } from '../presence/index.ts';
import type { JoinClaims, TokenSigner } from '../token/index.ts';
import { DATA, FIELD_ERRORS, PAGE, streamsOf, type LiveView, type Params, type TerminateReason, type ViewClass } from '../view/live-view.ts';
import { commandStrings } from '../view/js.ts';
import type { NavigationIntent } from '../view/page.ts';
import { findNonPlainValue, serializeState, trackState } from '../view/tracked-state.ts';
import type { Connection } from './connection.ts';
import { MountedView, type ViewServices } from './mounted-view.ts';
import { InstanceLocks, TakeoverNotices } from './ownership.ts';
import { TopicHub } from './topic-hub.ts';
import { isNested, NestedHost, type PageViews, type PendingChild } from './nested.ts';
import { initialUploadsState, UPLOADS_STATE_KEY, type Uploads } from '../uploads/index.ts';
import { followIntent, MAX_PATCHES, pathOf, type RouteMatch, type RouteMatcher } from './navigation.ts';

export type { RegisteredView } from '../view/routes.ts';
import type { RegisteredView } from '../view/routes.ts';
import { ComponentHost, type RegisteredComponent } from './components.ts';
import { COMPONENT_HOST, type ComponentRenderer } from '../template/types.ts';

/** How many times a page render waits for async live components and renders again (D84): nesting depth, in practice. */
const MAX_LOADING_PASSES = 8;

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
  /** Per-tenant quotas (D41). */
  readonly quotas: TenantQuotas;
  /** Browser sessions: flash messages wait there across a redirect. */
  readonly sessions?: SessionStore;
  /** Dev loop only: describes an error for the overlay (error frames then carry it). */
  readonly describe?: (error: unknown) => DevErrorReport;
  /** Bytes of stored view state a tenant may hold (D36); default: `state.tenantMaxBytes` for every tenant. */
  readonly stateBudget?: (tenant: TenantInfo) => number;
  /** Resumable uploads (views that declare `static uploads`). */
  readonly uploads?: Uploads;
  /** The app's live components by name, with their compiled templates (D80). */
  readonly components?: ReadonlyMap<string, RegisteredComponent>;
}

/** A view live on this process, and the socket it is live on. */
interface Live {
  readonly view: MountedView;
  readonly conn: Connection;
}

export interface PageOptions {
  /** The path and query the page is rendered at (`handleParams` gets it; relative URLs resolve against it). */
  readonly url?: string;
  /** Flash messages that arrive with the page (kept in the session by a redirect, or carried by a navigate). */
  readonly flash?: Flash;
}

export interface RenderedPage {
  readonly html: string;
  readonly token: string;
  readonly instance: string;
  /** What the view set as `pageTitle`, if anything. */
  readonly title: string | undefined;
  /** The flash messages the page shows. */
  readonly flash: Flash;
  /** The view asked to be elsewhere while it rendered (pushPatch, pushNavigate, redirect): nothing was rendered or saved. */
  readonly redirect?: NavigationIntent;
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
  /** The views subscribed to each topic channel, one pub/sub listener per channel (D65). */
  readonly topics: TopicHub;
  readonly quotas: TenantQuotas;
  readonly describe: ((error: unknown) => DevErrorReport) | undefined;
  /** The tenant's budget for stored view state, passed with every save (D36). */
  readonly stateBudget: (tenant: TenantInfo) => number;
  readonly uploads: Uploads | undefined;
  readonly sessions: SessionStore | undefined;
  /** The HTTP layer's live routes (set once it has registered them). */
  #router: RouteMatcher | undefined;
  readonly scheduler = new TickScheduler();
  readonly connections = new Set<Connection>();
  readonly #views: ReadonlyMap<string, RegisteredView>;
  readonly #components: ReadonlyMap<string, RegisteredComponent>;
  readonly #live = new Map<string, Live>();
  readonly #locks = new InstanceLocks();
  readonly #notices: TakeoverNotices;
  #keeper: NodeJS.Timeout | undefined;
  /** What every mounted view uses of the process: one object for all of them (D68), not one each. */
  readonly #services: ViewServices;
  /** Mount calls, for tests and health output ("mount runs once per page view"). */
  mounts = 0;
  /** The live counters behind the metrics (and the bench): events, renders, joins, errors, latencies. */
  readonly counters: LiveStats;

  constructor(init: RuntimeInit) {
    this.config = init.config;
    this.log = init.log;
    this.counters = new LiveStats(init.config.metrics);
    this.backend = timeCalls(init.backend, (method) => this.counters.backendOp(init.backend.name, method));
    this.signer = init.signer;
    this.gate = init.gate;
    this.database = init.database;
    this.pubsub = init.pubsub;
    this.presence = init.presence;
    this.topics = new TopicHub(init.pubsub, (error, channel) => this.log.error({ err: error, channel }, 'delivering a topic message failed'));
    this.quotas = init.quotas;
    this.describe = init.describe;
    this.stateBudget = init.stateBudget ?? (() => this.config.state.tenantMaxBytes);
    this.uploads = init.uploads;
    this.sessions = init.sessions;
    this.#views = init.views;
    this.#components = init.components ?? new Map();
    this.#notices = new TakeoverNotices(init.pubsub, init.log, (tenant, instance) => void this.#noticed(tenant, instance));
    this.#services = {
      backend: this.backend, scheduler: this.scheduler, pubsub: this.pubsub, presence: this.presence, topics: this.topics, maxStateBytes: this.config.state.maxBytes, maxViews: this.config.socket.maxViews,
      stateBudget: this.stateBudget, counters: this.counters, describe: this.describe, lost: (stale) => this.#evict(stale), uploads: this.uploads,
      views: this.#views, signer: this.signer, components: this.#components,
    };
    if (init.backend.writeThrough) {
      this.#keeper = setInterval(() => this.#keepAlive(), Math.max(1000, (this.config.state.ttlSeconds * 1000) / 3)).unref();
    }
  }

  /** The HTTP layer hands over how it matches URLs to live routes, so a URL means the same on both. */
  useRouter(router: RouteMatcher): void {
    this.#router = router;
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

  /**
   * First paint: mount, `handleParams`, render to HTML, save the state for the socket to adopt,
   * sign a token. A view that asks to be elsewhere meanwhile (pushPatch, pushNavigate, redirect)
   * renders nothing: the caller redirects (a 302 over HTTP).
   */
  async renderPage(viewId: string, params: Params, session: Session, tenant: TenantInfo, options: PageOptions = {}): Promise<RenderedPage> {
    const entry = this.#entry(viewId);
    const view = this.#instantiate(entry.viewClass, tenant, this.dataFor(tenant));
    const page = view[PAGE];
    page.url = options.url ?? '';
    // Messages set while the page opens belong to it: shown here, gone at the next navigation.
    page.opening = true;
    page.arrive(options.flash ?? {});
    const state = await this.#mount(view, params, session);
    view.state = state;
    await view.handleParams?.(params, page.url);
    if (page.intent !== undefined) return { html: '', token: '', instance: '', title: page.title, flash: page.flash, redirect: page.intent };
    const instance = randomBytes(12).toString('base64url');
    const pending: PendingChild[] = [];
    const shown: PageViews = { shown: 1 }; // the page's own view
    const rendered = await this.#renderHtml(entry.template, this.#scope(state, view, this.#nested(tenant.id, session.id, instance, pending, shown), this.#componentHost(state, view)), pending, view, shown);
    const html = await this.#renderChildren(rendered, pending, session, tenant, shown);
    // Until its socket joins, the state lives only the short pre-join TTL: page loads that never
    // join (crawlers, floods, closed tabs) cannot hold state for the full TTL (D31).
    const serialized = serializeState(entry.viewClass.name, state, this.config.state.maxBytes);
    this.quotas.note(tenant); // the backend asks for this tenant's state quota by id
    await this.backend.set(stateKey(tenant.id, instance), serialized, { ttlSeconds: this.config.state.preJoinTtlSeconds, budget: this.stateBudget(tenant) });
    const token = this.signer.sign({ view: viewId, instance, params, session: session.id, tenant: tenant.id, url: options.url });
    return { html, token, instance, title: page.title, flash: page.flash };
  }

  /**
   * The nested views (`{% live %}`, D81) a page render met, mounted and rendered into their
   * containers — and theirs, in turn — each state saved for its own join as the page's is.
   */
  async #renderChildren(html: string, pending: readonly PendingChild[], session: Session, tenant: TenantInfo, shown: PageViews): Promise<string> {
    if (pending.length === 0) return html;
    const inner = await Promise.all(pending.map((child) => this.#renderChild(child, session, tenant, shown)));
    pending.forEach((child, i) => (html = html.replace(child.marker, () => inner[i])));
    return html;
  }

  async #renderChild(child: PendingChild, session: Session, tenant: TenantInfo, shown: PageViews): Promise<string> {
    const entry = this.#entry(child.view);
    const view = this.#instantiate(entry.viewClass, tenant, this.dataFor(tenant));
    const state = await this.#mount(view, child.params, session);
    view.state = state;
    const pending: PendingChild[] = [];
    const rendered = await this.#renderHtml(entry.template, this.#scope(state, view, this.#nested(tenant.id, session.id, child.instance, pending, shown), this.#componentHost(state, view)), pending, view, shown);
    const html = await this.#renderChildren(rendered, pending, session, tenant, shown);
    const serialized = serializeState(entry.viewClass.name, state, this.config.state.maxBytes);
    await this.backend.set(stateKey(tenant.id, child.instance), serialized, { ttlSeconds: this.config.state.preJoinTtlSeconds, budget: this.stateBudget(tenant) });
    return html;
  }

  /**
   * A page render's HTML. Live components whose mount (or update) is async (D84) are waited for
   * and the template rendered again, so the first paint shows what they loaded; a failed one
   * shows `failed` and is logged. Each pass may show new components (a loaded one's template can
   * show others); past MAX_LOADING_PASSES what still loads is painted `loading` and finishes after the join.
   */
  async #renderHtml(template: Template, scope: Scope, pending: PendingChild[], view: LiveView<object>, shown: PageViews): Promise<string> {
    let html = renderToString(template, scope);
    const host = scope.get(COMPONENT_HOST) as ComponentHost | undefined;
    const logFailures = (): void => {
      for (const error of host?.failures.splice(0) ?? []) this.log.error({ err: error, view: view.constructor.name, code: registryCode(error) }, `${view.constructor.name}: a live component failed: ${registryCode(error)}`);
    };
    for (let pass = 0; host?.loading === true && pass < MAX_LOADING_PASSES; pass++) {
      await host.loaded();
      logFailures();
      shown.shown -= pending.length; // the nested views the discarded HTML met: the new render meets them again
      pending.length = 0;
      html = renderToString(template, scope);
    }
    logFailures(); // mounts the state had no room for (D85), in the last pass
    return html;
  }

  #nested(tenant: string, session: string, instance: string, pending?: PendingChild[], page?: PageViews): NestedViews {
    return new NestedHost(this.#views, this.signer, tenant, session, instance, this.config.socket.maxViews, pending, page);
  }

  /** A page render's live components (D80), when the app registers any. */
  #componentHost(state: object, view: LiveView<object>): ComponentHost | undefined {
    return this.#components.size > 0 ? new ComponentHost(this.#components, state as Record<string, unknown>, view, this.config.state.maxBytes) : undefined;
  }

  /**
   * Binds a view to a socket from its token; returns the join reply's diff (full root + token).
   * `url` is the page's path and query as the browser shows it (checked by the connection); the
   * view's `handleParams` runs with it, unless the state was just rendered at that very URL.
   */
  async join(conn: Connection, vid: number, viewName: unknown, token: unknown, url?: string): Promise<WireNode> {
    const claims = this.signer.verify(token);
    if (claims.view !== viewName) throw new LiveryError('LV_TOKEN_VIEW_MISMATCH');
    if (claims.session !== conn.sessionId) throw new LiveryError('LV_TOKEN_INVALID', 'issued to another session');
    const tenant = await this.#tenantOf(conn, claims.tenant);
    const entry = this.#entry(claims.view);
    const key = stateKey(tenant.id, claims.instance);
    const view = this.#instantiate(entry.viewClass, tenant, conn.data);
    // The refreshed token names no URL: only a render's token vouches that its state shows one.
    const { url: renderedAt, ...rest } = claims;
    // A nested view has no URL of its own: it shows its token's params wherever the page is.
    const nested = isNested(claims.instance);
    const at = nested ? { url: url ?? '', params: claims.params } : await this.#joinUrl(conn, entry.viewClass, claims.params, renderedAt, url);
    // Joins of one instance take turns: each adopts what the one before it left, so two racing
    // joins never both go live (the later one takes over from the earlier, D35).
    const release = await this.#locks.acquire(key);
    let mounted: MountedView;
    let mountedAfresh: boolean;
    let watching: Promise<unknown>;
    try {
      const { state, owner, mounted: afresh } = await this.#adopt(key, view, claims, conn);
      mountedAfresh = afresh;
      if (conn.closed) {
        // The socket went away while the state was being adopted: put the state back where the
        // next join will look for it (adopting took it from the backend or from another socket).
        await this.backend.save(key, JSON.stringify(state), owner);
        throw new LiveryError('LV_SERVER_SHUTDOWN', 'socket closed during join');
      }
      const tracked = trackState(state);
      mounted = new MountedView(
        {
          tenant, params: claims.params, vid, viewClass: entry.viewClass, view, tracked,
          // The mounted view renders its own `{% live %}` and component tags, making their hosts on first use (D86).
          scope: (live) => this.#scope(state, view, live, this.#components.size > 0 ? live : undefined), template: entry.template, instance: claims.instance, stateKey: key, owner,
        },
        conn,
        this.#services,
      );
      view[PAGE].url = at.url;
      conn.views.set(vid, mounted);
      this.#live.set(key, { view: mounted, conn });
      watching = this.#notices.watch(tenant.id);
    } finally {
      release();
    }
    const fresh = this.signer.sign(rest);
    let location: Awaited<ReturnType<typeof followIntent>>;
    try {
      await watching;
      await mounted.listen();
      await view.onJoin?.();
      // Taken over (or left) while it joined: it must not start ticking on a closed view.
      if (mounted.closedBy !== undefined) throw new LiveryError(mounted.closedBy === 'replaced' ? 'LV_VIEW_TAKEN_OVER' : 'LV_VIEW_NOT_JOINED');
      // The first join of a page adopts a state its render made at this very URL: handleParams ran there.
      const current = renderedAt !== undefined && at.url === renderedAt && !mountedAfresh;
      if (view.handleParams !== undefined && !current && !nested) await view.handleParams(at.params, at.url);
      // Where mount (run afresh) or handleParams asked to go. A URL corrected on join replaces the
      // browser's entry: the user made no new one.
      location = view[PAGE].intent === undefined ? undefined : await followIntent(view, mounted, true);
    } catch (error) {
      // A join that fails once the view is registered (onJoin or handleParams threw) leaves
      // nothing behind: the view comes off the socket and out of its topics and presence, and its
      // state is saved for the next join — unless another join took it over meanwhile.
      if (mounted.closedBy === undefined) await this.detach(mounted, 'leave', conn);
      throw error;
    }
    const root = mounted.start();
    root[K_TOKEN] = fresh;
    const page = mounted.takePageEffects(location);
    return conn.statics.attachTo(page === undefined ? root : attachPage(root, page))!;
  }

  /**
   * The URL a joining view shows, and its params: the browser's, when it is a URL this very view
   * serves on this socket's tenant (after patches it differs from the token's), else the one the
   * token was issued at, with the token's params.
   */
  async #joinUrl(conn: Connection, viewClass: ViewClass, params: Params, renderedAt: string | undefined, url: string | undefined): Promise<{ url: string; params: Params }> {
    const fallback = { url: renderedAt ?? '', params };
    if (url === undefined || url === renderedAt || viewClass.prototype.handleParams === undefined) return { ...fallback, url: url ?? fallback.url };
    const match = await this.resolveTarget(conn, url);
    return match !== undefined && match.route.view === viewClass ? { url, params: match.params } : fallback;
  }

  /**
   * The live route serving `url` (path and query) on this socket, or undefined — no live route
   * (another route, or none: 404), or a route another tenant serves. The tenant is resolved as a
   * page load of that URL on this socket's host would resolve it (same resolvers, headers,
   * cookies and session), and must be the socket's own: a URL's host is never consulted.
   */
  async resolveTarget(conn: Connection, url: string): Promise<RouteMatch | undefined> {
    const match = this.#router?.(url);
    if (match === undefined) return undefined;
    if (!this.gate.enabled) return match;
    const request = conn.request;
    if (request === undefined || conn.tenant === undefined) return undefined;
    try {
      const { tenant } = await this.gate.forPage({ ...request, path: pathOf(url).split('?', 1)[0], session: undefined }, conn.sessionId, conn.sessionData, match.routeTenant);
      return tenant.id === conn.tenant.id ? match : undefined;
    } catch {
      return undefined; // refused here (unknown, suspended, forbidden): the page load will say why
    }
  }

  /**
   * Replaces view `vid` on a socket with the live view at `url`, over that socket: the new view
   * is rendered (mount, handleParams) as a page load would render it, the old one leaves
   * (its state discarded), and the new one joins in its place. Returns the join reply with the
   * page keys (`u`, `v`, `h`, `f`), or — when no live view of this tenant serves the URL, or
   * the new view redirects — a reply that sends the browser to load the page.
   */
  async navigate(conn: Connection, old: MountedView, url: string): Promise<WireNode> {
    const tenant = conn.tenant!;
    let flash = old.carriedFlash;
    let to = url;
    for (let hops = 0; ; hops++) {
      if (hops > MAX_PATCHES) throw new LiveryError('LV_NAV_LOOP', `navigating from ${url.slice(0, 200)}`);
      const at = pathOf(to);
      const match = await this.resolveTarget(conn, at);
      if (match === undefined) return this.#loadPage(conn, to, flash);
      const session = sessionUnder(conn.sessionId, conn.sessionData, tenant.id);
      const view = match.route.view.name;
      const page = await this.renderPage(view, match.params, session, tenant, { url: at, flash });
      if (page.redirect !== undefined) {
        // Asked to be elsewhere while opening: follow it here, as a browser follows a 302.
        flash = page.flash;
        to = page.redirect.to;
        if (page.redirect.kind === 'redirect' || !to.startsWith('/')) return this.#loadPage(conn, to, flash);
        continue;
      }
      await this.detach(old, 'navigate', conn);
      const root = await this.join(conn, old.vid, view, page.token, at);
      const shown = Object.fromEntries(FLASH_KINDS.map((kind) => [kind, page.flash[kind] ?? null]));
      return attachPage(root, {
        location: { to, kind: 'navigate' },
        view: { view, id: `lv-${page.instance}` },
        title: page.title ?? match.route.title ?? view,
        flash: shown,
      });
    }
  }

  /** A reply sending the browser to load `to` as a new page, its flash messages kept for it. */
  async #loadPage(conn: Connection, to: string, flash: Flash): Promise<WireNode> {
    await this.keepFlash(conn, flash);
    return attachPage({}, { location: { to, kind: 'redirect' } });
  }

  /** Keeps flash messages in the socket's browser session for its next page load, under its tenant. */
  async keepFlash(conn: Connection, flash: Flash): Promise<void> {
    if (!hasFlash(flash) || this.sessions === undefined || conn.sessionId === '' || conn.tenant === undefined) return;
    const data = await this.sessions.get(conn.sessionId);
    if (data !== undefined) await this.sessions.set(conn.sessionId, withFlash(data, conn.tenant.id, flash));
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

  /**
   * Claims the instance and returns the newest state with the owner token its saves must carry.
   * A copy live on this process is taken over first (its queued work finishes and is
   * acknowledged to it): its memory is the newest state if it still owned the instance when this
   * join claimed it; otherwise — a copy that another process had already taken over — what the
   * backend stored is. A copy on another process is told to close (D35).
   */
  async #adopt(key: string, view: InstanceType<ViewClass>, claims: JoinClaims, conn: Connection): Promise<{ state: object; owner: string; mounted: boolean }> {
    const live = this.#live.get(key);
    if (live !== undefined) await this.#takeOver(live, true);
    const claim = await this.backend.claim(key);
    if (claim.previous !== null && claim.previous !== live?.view.owner) this.#notices.announce(view.tenant.id, claims.instance);
    if (live !== undefined && (claim.previous === null || claim.previous === live.view.owner || claim.value === null)) {
      return { state: live.view.raw, owner: claim.owner, mounted: false };
    }
    if (claim.value !== null) return { state: JSON.parse(claim.value) as object, owner: claim.owner, mounted: false };
    return { state: await this.#mount(view, claims.params, sessionUnder(conn.sessionId, conn.sessionData, view.tenant.id)), owner: claim.owner, mounted: true };
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

  /**
   * Removes a view from its socket and saves its state. Holds the instance's turn while it does,
   * so a rejoin arriving meanwhile (a reconnect) adopts the state this save stores.
   */
  async detach(view: MountedView, reason: TerminateReason, conn?: Connection): Promise<void> {
    const release = await this.#locks.acquire(view.stateKey);
    try {
      await this.#remove(view, reason, conn);
    } finally {
      release();
    }
  }

  /** Takes a view off its socket and this process's live map, then terminates it (saving unless `replaced`). */
  async #remove(view: MountedView, reason: TerminateReason, conn?: Connection): Promise<void> {
    const owner = conn ?? this.#live.get(view.stateKey)?.conn;
    owner?.views.delete(view.vid);
    if (this.#live.get(view.stateKey)?.view === view) {
      this.#live.delete(view.stateKey);
      this.#notices.unwatch(view.tenant.id);
    }
    await view.terminate(reason);
  }

  /**
   * A join took the view's instance over: the view stops without saving and its socket is told
   * LV_VIEW_TAKEN_OVER. With `settle` (a join on this process, while the view still owns the
   * instance) the work already queued in its mailbox runs first, stored and acknowledged as usual.
   */
  async #takeOver({ view, conn }: Live, settle: boolean): Promise<void> {
    conn.views.delete(view.vid); // no new frame reaches it
    if (settle) await view.settled();
    await this.#remove(view, 'replaced', conn);
    conn.takenOver(view.vid);
  }

  /** A copy whose instance another join owns now (its save was refused): close it, never saving. */
  async #evict(view: MountedView): Promise<void> {
    const release = await this.#locks.acquire(view.stateKey);
    try {
      const live = this.#live.get(view.stateKey);
      if (live?.view === view) await this.#takeOver(live, false);
    } finally {
      release();
    }
  }

  /**
   * Another process announced it took an instance over. The notice is a hint: the backend says
   * whether the copy here really lost it (a notice may arrive after this process took it back).
   */
  async #noticed(tenant: string, instance: string): Promise<void> {
    const live = this.#live.get(stateKey(tenant, instance));
    if (live !== undefined) await this.#keep(live.view);
  }

  /**
   * Shared backends: every `state.ttlSeconds / 3` each live view keeps its instance — its state
   * does not expire while it is live, a state Redis lost is stored again, and a copy another join
   * took over learns it even if the takeover notice never arrived (D34).
   */
  #keepAlive(): void {
    for (const { view } of this.#live.values()) void this.#keep(view);
  }

  async #keep(view: MountedView): Promise<void> {
    let kept: 'kept' | 'taken' | 'absent';
    try {
      kept = await this.backend.keep(view.stateKey, view.owner);
    } catch (error) {
      this.log.warn({ err: error, tenant: view.tenant.id }, 'refreshing a live view\'s state failed; its next save or refresh tries again');
      return;
    }
    if (kept === 'taken') await this.#evict(view);
    else if (kept === 'absent') view.resave();
  }

  #entry(viewId: string): RegisteredView {
    const entry = this.#views.get(viewId);
    if (entry === undefined) throw new LiveryError('LV_VIEW_UNKNOWN', viewId.slice(0, 64));
    return entry;
  }

  /**
   * Templates see the state, and `tenant`, `errors` (the view's field errors) and `js` (its
   * `static commands`) that no state key can shadow — and, under names no expression can spell,
   * what renders their `{% live %}` tags and live components (when the app registers any); a
   * view that declares streams also `streams` (D82).
   */
  #scope(state: object, view: LiveView<object>, nested: NestedViews, components: ComponentRenderer | undefined): Scope {
    const viewClass = view.constructor as ViewClass;
    const commands = commandStrings(viewClass.commands);
    const globals: Record<string, unknown> = { tenant: view.tenant, errors: view[FIELD_ERRORS], js: commands, [NESTED_VIEWS]: nested };
    if (Object.keys(viewClass.streams ?? {}).length > 0) globals.streams = streamsOf(view).byName;
    // Live components (D80): the host renders them and keeps their state in `state`.
    if (components !== undefined) globals[COMPONENT_HOST] = components;
    return createScope(state as Record<string, unknown>, globals);
  }

  /** The tenants with live sockets on this process (the tenant watch rechecks them). */
  liveTenants(): Set<string> {
    const tenants = new Set<string>();
    for (const conn of this.connections) if (conn.tenant !== undefined) tenants.add(conn.tenant.id);
    return tenants;
  }

  /**
   * A tenant changed (heard from the database, or found at a recheck; null: it is gone): its
   * quotas follow its settings, and if it may no longer be served every live socket of it here
   * is refused and closed now, not when a cache expires (D40).
   */
  tenantChanged(id: string, tenant: TenantInfo | null): void {
    if (tenant !== null) this.quotas.note(tenant);
    else this.quotas.forget(id);
    const refused = refusalOf(tenant);
    if (refused === null) return;
    for (const conn of this.connections) if (conn.tenant?.id === id) conn.refuse(refused);
  }

  /**
   * What is live in this process now — sockets, views, ticks, timers, subscriptions, presence
   * entries, states held — for the metrics and for soak tests that look for leaks.
   */
  counts(): LiveCounts {
    let timers = 0;
    for (const { view } of this.#live.values()) timers += view.timers;
    const states = (this.backend as { size?: unknown }).size;
    let bufferedBytes = 0;
    for (const conn of this.connections) bufferedBytes += conn.bufferedAmount();
    // Subscriptions as views hold them: the hub listens once per channel for all its views.
    const listeners = this.pubsub.listenerCount?.();
    const topics = this.topics.counts();
    return {
      connections: this.connections.size,
      views: this.#live.size,
      ticks: this.scheduler.live,
      timers,
      subscriptions: listeners === undefined ? undefined : listeners - topics.channels + topics.members,
      presence: this.presence.entryCount?.(),
      presenceListeners: this.presence.listenerCount?.(),
      states: typeof states === 'number' ? states : undefined,
      bufferedBytes,
    };
  }

  /** Graceful shutdown: every socket's views saved, then the sockets closed with 1001. */
  async shutdown(closeSocket: (conn: Connection) => void): Promise<void> {
    this.scheduler.stop();
    clearInterval(this.#keeper);
    await Promise.all([...this.connections].map(async (conn) => {
      await conn.end('shutdown');
      closeSocket(conn);
    }));
  }
}
