/**
 * One mounted view in a test, driven like a browser tab: its page was fetched over HTTP (session
 * cookie, join token), its socket joined with that token (the server adopts the state `mount`
 * made), and every frame since has been merged into its rendered tree by the browser client's own
 * code (`client/rendered.ts`). `html()` is what the view's container holds in the browser.
 *
 * Frames are handled in arrival order. Pushes (`d` frames) queue until `nextPush()` takes them;
 * `tick()`, `info()` and `broadcast()` wait for their own effect — the view's mailbox settled on
 * the server, then a heartbeat round trip, so every frame the work sent has arrived — and take
 * the pushes it caused.
 *
 * Navigation is followed as the browser client follows it: a patch changes `url`, a navigate
 * replaces the view (`name` changes) on the same socket, a history of entries backs `back()`, and
 * a full page load the server asks for is recorded in `redirectedTo` — `followRedirect()` loads it.
 *
 * Nested live views (D81) are views on the same socket, as in the browser: each container a
 * view's tree shows is joined with its own vid and token when it appears and left when it goes;
 * `nested(id)` hands the TestView of one. Page state (URL, history, title, flash) and navigation
 * are the top-level view's, whichever view is asked.
 */
import { parse, type HTMLElement } from 'node-html-parser';
import WebSocket from 'ws';
import { isList, mergeStatics, Rendered, RenderedError, type List, type StaticsCache, type Value, type WireNode } from '../../client/rendered.ts';
import { LiveryError } from '../errors.ts';
import type { MountedView } from '../live/mounted-view.ts';
import type { LiveryHandle } from '../plugin.ts';
import { A_TOKEN, A_VIEW, B_NAVIGATE, B_PATCH, B_REPLACE, K_EVENTS, K_REPLY, K_TOKEN, LIVE_PATH } from '../protocol/index.ts';
import { FLASH_CLEAR_EVENT, isFlashKind, type Flash, type FlashKind } from '../protocol/flash.ts';
import {
  decodeServerFrame, encodeEvent, encodeHeartbeat, encodeJoin, encodeLeave, encodeNavigate, encodePatch, readPage, type PageEffects, type ServerFrame,
} from '../protocol/codec.ts';
import { changeAction, clickAction, submitAction, type Action, type FieldValues } from './browser-actions.ts';
import { runUpload, type TestFile, type TestUploadOptions, type TestUploadResult } from './test-upload.ts';

/** An error frame the view received. */
export interface ViewError {
  readonly code: string;
  readonly message: string;
  /** The ref of the event it answers; 0 for a tick, an info or a push. */
  readonly ref: number;
}

/** What the test client reads from a page: its view container, URL, title and flash messages. */
export interface LoadedPage {
  readonly view: string;
  readonly token: string;
  /** The container's id (`lv-…`): history entries name it, as the browser client's do. */
  readonly id: string;
  /** The path and query the page ended up at, after redirects. */
  readonly url: string;
  readonly title: string;
  readonly flash: Flash;
}

/** What the test view needs to reach its server: the page it joins, and the way there. */
export interface TestViewInit extends LoadedPage {
  readonly port: number;
  readonly livery: LiveryHandle;
  readonly cookie: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  /** Loads a page of the same app in the same browser session (a full page load). */
  readonly load: (url: string) => Promise<TestView>;
  readonly onClose?: () => Promise<void>;
}

/** How a navigation was asked for: `replace` adds no history entry, `pop` walks to an existing one. */
interface How {
  readonly replace?: boolean;
  readonly pop?: boolean;
}

/** One history entry: its URL and the container that made it (back to the same one is a patch). */
interface Entry {
  url: string;
  id: string;
}

type Frame = ServerFrame & { type: 'reply' | 'error' };
type Waiter = { resolve: (frame: Frame) => void };

/**
 * The page's one socket, as in the browser: the top-level view is vid 1, and every view nested in
 * it (D81) joins on the same socket with a vid of its own, in the order its container appeared.
 */
interface Socket {
  ws: WebSocket;
  port: number;
  closed: Promise<void>;
  ref: number;
  nextVid: number;
  /** Statics are cached per socket (the server sends a template's statics once per socket). */
  readonly statics: StaticsCache;
  readonly replies: Map<number, Waiter>;
  /** The views joined on it, by vid. */
  readonly views: Map<number, TestView>;
  /** Joins and leaves of nested views in flight: an action resolves once those it caused are answered. */
  readonly pending: Set<Promise<unknown>>;
}

export class TestView {
  /** Error frames received, in order. */
  readonly errors: ViewError[] = [];
  readonly #pushedEvents: Array<[string, unknown]> = [];
  #name: string;
  #title: string;
  #flash: { [K in FlashKind]?: string };
  #redirectedTo: string | undefined;
  /** The browser's history: entries and the one shown. */
  readonly #history: Entry[];
  #at = 0;
  /** The id of the container the page shows now. */
  #id: string;
  /** A navigate the server asked for, to send next. */
  #next: { to: string; replace: boolean } | undefined;
  /** How the navigation each ref in flight was asked for. */
  readonly #how = new Map<number, How>();
  readonly #init: TestViewInit;
  readonly #socket: Socket;
  readonly #vid: number;
  /** The page's top-level view (this one, unless nested): page state and navigation are its. */
  readonly #root: TestView;
  /** The views nested in this one, by container id (`<this id>.<tag id>`). */
  readonly #children = new Map<string, TestView>();
  /** Its container left the page (the parent stopped rendering it, or navigated): it was left. */
  #left = false;
  readonly #rendered = new Rendered();
  readonly #pushes: WireNode[] = [];
  #pushWaiter: (() => void) | undefined;
  #token: string;
  #parsed: HTMLElement | undefined;
  /** Field names the "user" has typed into (what the browser tracks to send `_unused`). */
  readonly #used = new Set<string>();
  /** What was typed into form fields, kept as the browser keeps it until the server renders anew. */
  readonly #typed = new Map<string, { value: string | string[]; rendered: string | string[] | undefined }>();

  private constructor(init: TestViewInit, socket: Socket, vid: number, parent?: TestView) {
    this.#init = init;
    this.#name = init.view;
    this.#title = init.title;
    this.#flash = { ...init.flash };
    this.#history = [{ url: init.url, id: init.id }];
    this.#id = init.id;
    this.#token = init.token;
    this.#socket = socket;
    this.#vid = vid;
    this.#root = parent === undefined ? this : parent.#root;
    socket.views.set(vid, this);
  }

  /** Routes the socket's frames to its views by vid, as the browser client does. */
  static #listen(socket: Socket): Promise<void> {
    socket.ws.on('message', (data) => {
      const frame = decodeServerFrame(String(data));
      if (frame === undefined) return;
      if (frame.type === 'diff') {
        const view = socket.views.get(frame.vid);
        if (view !== undefined) view.#pushed(frame.diff);
        return;
      }
      if (frame.type !== 'reply' && frame.type !== 'error') return;
      // vid 0: an error about the socket, not one view; every view records it.
      const views = frame.vid === 0 && frame.type === 'error' ? [...socket.views.values()] : [socket.views.get(frame.vid)];
      for (const view of views) if (view !== undefined) view.#answered(frame);
      const waiter = socket.replies.get(frame.ref);
      socket.replies.delete(frame.ref);
      waiter?.resolve(frame);
    });
    return new Promise((resolve) => socket.ws.on('close', () => resolve()));
  }

  /** Opens the socket and joins with the page's token (then the views nested in it); rejects if the join is refused. */
  static async join(init: TestViewInit): Promise<TestView> {
    const ws = await openSocket(init.port, init);
    const socket: Socket = {
      ws, port: init.port, closed: Promise.resolve(), ref: 0, nextVid: 1,
      statics: new Map(), replies: new Map(), views: new Map(), pending: new Set(),
    };
    socket.closed = TestView.#listen(socket);
    const view = new TestView(init, socket, socket.nextVid++);
    await view.#join();
    await view.#nestedSettled();
    return view;
  }

  async #join(): Promise<void> {
    const token = this.#token;
    // The view the page shows now, as the browser's container names it: a navigate replaced the
    // first one, and its token (from the navigate's reply) is only good for the new view.
    const reply = await this.#frame((ref) => encodeJoin(ref, this.#vid, this.#name, token, this.#root.url), `the join reply of ${this.#name}`);
    if (reply.type === 'error') {
      if (this.#root === this) this.#socket.ws.close();
      throw new LiveryError('LV_TEST_MOUNT_FAILED', `the join was refused: ${reply.code}`);
    }
  }

  /**
   * Drops the socket and joins again with the latest tokens, as the browser client does after a
   * network drop — to the same server, or to another one sharing its backends (`port`). The
   * socket is the page's: every view on it, nested ones included, joins again.
   */
  async reconnect(options: { port?: number } = {}): Promise<void> {
    const socket = this.#socket;
    socket.ws.terminate();
    await socket.closed;
    for (const waiter of socket.replies.values()) waiter.resolve({ type: 'error', ref: 0, vid: 0, code: 'LV_TEST_TIMEOUT', message: 'socket dropped' });
    socket.replies.clear();
    socket.port = options.port ?? socket.port;
    socket.statics.clear();
    socket.ws = await openSocket(socket.port, this.#init);
    socket.closed = TestView.#listen(socket);
    // Parents first (vid order), each with its own latest token; a view its parent no longer shows was left.
    for (const view of [...socket.views.values()]) if (!view.#left) await view.#join();
    await this.#nestedSettled();
  }

  /**
   * The live view nested in this one by `{% live "…" id="<id>" %}` (D81), joined on the page's
   * socket as the browser joins it: its own vid, token, state and events. Views that a live
   * re-render adds are joined when they appear, and left when their container goes.
   */
  nested(id: string): TestView {
    const child = this.#children.get(`${this.#id}.${id}`);
    if (child !== undefined) return child;
    const shown = [...this.#children.keys()].map((key) => `"${key.slice(this.#id.length + 1)}"`);
    throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} shows no nested view "${id}" (${shown.length > 0 ? `it shows ${shown.join(', ')}` : 'it shows none'})`);
  }

  /** Joins the containers of nested views that appeared in this view's HTML; leaves those that went. */
  #syncNested(): void {
    if (this.#left) return;
    const prefix = `${this.#id}.`;
    const seen = new Set<string>();
    if (this.#rendered.root !== undefined && this.html().includes(A_TOKEN)) {
      for (const el of this.#dom().querySelectorAll(`[${A_TOKEN}]`)) {
        const id = el.getAttribute('id') ?? '';
        // Only this view's own children: deeper ones are in their parent's HTML.
        if (!id.startsWith(prefix) || id.includes('.', prefix.length)) continue;
        seen.add(id);
        if (this.#children.has(id)) continue;
        const init = { ...this.#init, view: el.getAttribute(A_VIEW) ?? '', token: el.getAttribute(A_TOKEN) ?? '', id };
        const child = new TestView(init, this.#socket, this.#socket.nextVid++, this);
        this.#children.set(id, child);
        // A refused join is in the child's `errors` (its error frame), as the browser shows it.
        this.#track(child.#join().catch(() => {}));
      }
    }
    for (const [id, child] of this.#children) {
      if (seen.has(id)) continue;
      this.#children.delete(id);
      child.#leave();
    }
  }

  /** Its container left the page: the browser sends a leave (the server drops its state), and so for its own children. */
  #leave(): void {
    this.#left = true;
    this.#socket.views.delete(this.#vid);
    this.#track(this.#frame((ref) => encodeLeave(ref, this.#vid), `the reply to the leave of ${this.name}`));
    for (const child of this.#children.values()) child.#leave();
    this.#children.clear();
  }

  #track(work: Promise<unknown>): void {
    const pending = this.#socket.pending;
    const tracked: Promise<unknown> = work.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  /** Waits until the joins and leaves of nested views that arrived frames caused are answered. */
  async #nestedSettled(): Promise<void> {
    const pending = this.#socket.pending;
    while (pending.size > 0) await Promise.all([...pending]);
  }

  /**
   * Uploads `file` to the upload field `field` as the browser client does: offers it to the view
   * (`lv:upload`), sends it over tus (POST, then PATCH in chunks; HEAD first when resuming) and
   * reports it done, so the view's `handleUpload` runs. `resume` continues an earlier upload of
   * the same file; `dropAfter` cuts the connection once that many bytes are stored (an
   * interrupted upload, for resume tests; 0 creates the upload and sends no PATCH). Refusals
   * come back as `error` codes, not throws.
   */
  upload(field: string, file: TestFile, options: TestUploadOptions = {}): Promise<TestUploadResult> {
    return runUpload({
      port: this.#socket.port,
      headers: { ...this.#init.headers, cookie: this.#init.cookie },
      event: async (name, payload) => {
        const frame = await this.#request((ref) => encodeEvent(ref, this.#vid, name, payload), `the reply to "${name}"`);
        return frame.type === 'error' ? { error: frame.code } : { diff: frame.diff };
      },
    }, field, file, options);
  }

  /** The headers this tab's requests carry (its session cookie; Host or tenant headers): for tests that speak HTTP themselves. */
  get requestHeaders(): Record<string, string> {
    return { ...this.#init.headers, cookie: this.#init.cookie };
  }

  /** The view's class name (its `data-lv-view`); a navigate changes it. */
  get name(): string {
    return this.#name;
  }

  /** The page title, as `document.title` would read. */
  get title(): string {
    return this.#root.#title;
  }

  /** The flash messages the page shows now, by kind. */
  get flash(): Flash {
    return { ...this.#root.#flash };
  }

  /** A full page load the server asked for (`redirect`, or a URL no live view of this tenant serves): the URL the browser would load. */
  get redirectedTo(): string | undefined {
    return this.#root.#redirectedTo;
  }

  /** The path and query the browser shows (the current history entry). */
  get url(): string {
    const root = this.#root;
    return root.#history[root.#at].url;
  }

  /** The history entries' URLs, oldest first (`back()` walks them). */
  get history(): string[] {
    return this.#root.#history.map((entry) => entry.url);
  }

  /**
   * Follows an `lv-patch` or `lv-navigate` link, as a click would: the view patches to its URL
   * (`handleParams` runs) or is replaced by the view there. A plain link (no binding) or one to
   * another site loads a new page: it is recorded in `redirectedTo`. A link in a nested view moves
   * the page: the top-level view around it patches or navigates (D81).
   */
  async clickLink(selector: string): Promise<void> {
    const link = this.#element(selector);
    const href = link.getAttribute('href');
    if (link.tagName !== 'A' || href === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `"${selector}" is not a link with an href`);
    const to = new URL(href, `http://app${this.url}`);
    const patch = link.hasAttribute(B_PATCH);
    if (to.origin !== 'http://app' || (!patch && !link.hasAttribute(B_NAVIGATE))) {
      this.#root.#redirectedTo = to.origin === 'http://app' ? to.pathname + to.search + to.hash : to.href;
      return;
    }
    await this.#root.#go(patch ? 'patch' : 'navigate', to.pathname + to.search, { replace: link.hasAttribute(B_REPLACE) });
  }

  /** Patches the view to `url` (a path and query), as an `lv-patch` link would. */
  patch(url: string): Promise<void> {
    return this.#root.#go('patch', url, {});
  }

  /** Navigates to the live view at `url` (a path and query), as an `lv-navigate` link would. */
  navigate(url: string): Promise<void> {
    return this.#root.#go('navigate', url, {});
  }

  /** The browser's back button: a patch back to an entry of this view, a navigate to any other. */
  back(): Promise<void> {
    return this.#root.#pop(-1);
  }

  /** The browser's forward button. */
  forward(): Promise<void> {
    return this.#root.#pop(1);
  }

  /** Dismisses a flash message, as its close button does. */
  async dismissFlash(kind: FlashKind): Promise<void> {
    // The flash region is the layout's: its close button talks to the page's top-level view.
    if (this.#root !== this) return this.#root.dismissFlash(kind);
    if (this.#flash[kind] === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `no ${kind} flash message is shown`);
    delete this.#flash[kind];
    await this.event(FLASH_CLEAR_EVENT, { kind });
  }

  /** Loads the page the server redirected to (`redirectedTo`) in this browser session: a new page, a new socket. This view's socket closes. */
  async followRedirect(): Promise<TestView> {
    if (this.#root !== this) return this.#root.followRedirect();
    const to = this.#redirectedTo;
    if (to === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} was not redirected`);
    if (!to.startsWith('/')) throw new LiveryError('LV_TEST_ACTION_INVALID', `the redirect leaves the app: ${to}`);
    await this.close();
    return this.#init.load(to);
  }

  async #pop(step: number): Promise<void> {
    const entry = this.#history[this.#at + step];
    if (entry === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `there is no history entry to go ${step < 0 ? 'back' : 'forward'} to`);
    this.#at += step;
    const current = this.#history[this.#at - step];
    if (entry.url === current.url) return;
    await this.#go(entry.id === this.#id ? 'patch' : 'navigate', entry.url, { pop: true });
  }

  /** Sends a patch or navigate frame and follows what the reply says, as the browser client does. */
  async #go(kind: 'patch' | 'navigate', url: string, how: How, hops = 0): Promise<void> {
    this.#redirectedTo = undefined;
    await this.#request((ref) => (kind === 'patch' ? encodePatch : encodeNavigate)(ref, this.#vid, url), `the reply to ${kind} ${url}`, how);
    await this.#followUp(hops + 1);
  }

  /** A navigate the server asked for (pushNavigate, a patch to another view's URL): the browser client sends it. */
  async #followUp(hops = 0): Promise<void> {
    const root = this.#root; // a nested view's pushNavigate moves the page (D81)
    const next = root.#next;
    if (next === undefined) return;
    root.#next = undefined;
    if (hops > 10) throw new LiveryError('LV_TEST_TIMEOUT', `more than 10 navigations in a row, the last to ${next.to}`);
    const to = new URL(next.to, `http://app${root.url}`);
    await root.#go('navigate', to.pathname + to.search, { replace: next.replace }, hops);
  }

  /** What a frame says about the page: title, flash, view, where the browser goes (the top-level view's page, for a nested one). */
  #page(page: PageEffects, how: How): void {
    if (page.title !== undefined) this.#title = page.title;
    if (page.flash !== undefined) {
      if (page.view !== undefined) this.#flash = {};
      for (const [kind, message] of Object.entries(page.flash)) {
        if (!isFlashKind(kind)) continue;
        if (typeof message === 'string') this.#flash[kind] = message;
        else delete this.#flash[kind];
      }
    }
    const location = page.location;
    if (location === undefined) return;
    if (location.kind === 'redirect') {
      this.#redirectedTo = location.to;
      return;
    }
    if (location.kind === 'navigate' && page.view === undefined) {
      this.#next = { to: location.to, replace: how.replace === true || location.replace === true };
      return;
    }
    const entry = { url: location.to.split('#', 1)[0], id: this.#id };
    if (how.pop || how.replace || location.replace) this.#history[this.#at] = entry;
    else {
      this.#history.splice(this.#at + 1, Infinity, entry);
      this.#at += 1;
    }
  }

  /** The view's current HTML, as its container holds it in the browser. */
  html(): string {
    return this.#rendered.toHTML();
  }

  /**
   * The items of stream `name` as the page holds them, in order: each item's key and HTML
   * (docs/testing.md, "Streams"). Empty when the page shows no such stream. The server keeps
   * none of them (D82): this is the page's copy, built from every frame received.
   */
  stream(name: string): Array<{ key: string; html: string }> {
    const rendered = this.#rendered;
    const find = (value: Value | undefined): List | undefined => {
      if (value === undefined || typeof value === 'string') return undefined;
      if (typeof value === 'number') return undefined; // a live component: streams are the view's (D80)
      if (isList(value)) {
        if (value.n === name) return value;
        for (const item of value.items.values()) for (const v of item.v) if ((found = find(v))) return found;
        return undefined;
      }
      for (const v of value.v) if ((found = find(v))) return found;
      return undefined;
    };
    let found: List | undefined;
    const list = find(rendered.root);
    return list === undefined ? [] : list.keys.map((key) => ({ key, html: rendered.itemHTML(list, list.items.get(key)!) }));
  }

  /** The first element matching a CSS selector, or null (`.text`, `.getAttribute()`, `.innerHTML`, …). */
  find(selector: string): HTMLElement | null {
    return this.#dom().querySelector(selector);
  }

  /** Every element matching a CSS selector. */
  findAll(selector: string): HTMLElement[] {
    return this.#dom().querySelectorAll(selector);
  }

  /** Clicks the element as a user would: its (or its ancestor's) `lv-click` event with `lv-value-*`. */
  click(selector: string): Promise<void> {
    return this.#act(clickAction(this.#element(selector), selector));
  }

  /**
   * Submits the `lv-submit` form at or around `selector` with `fields` typed into it. Every field
   * counts as used from then on — unless the submit succeeds: the form starts over, as in the
   * browser. A payload its schema refuses records LV_EVENT_PAYLOAD_INVALID in `errors` and the
   * messages in `fieldErrors()`.
   */
  async submit(selector: string, fields: FieldValues = {}): Promise<void> {
    const action = submitAction(this.#element(selector), selector, fields, this.#typed);
    const answer = await this.#send(action);
    for (const name of action.fields ?? []) {
      if (answer.type === 'reply') {
        // The browser resets the form to what the server rendered: nothing typed is kept.
        this.#used.delete(name);
        this.#typed.delete(name);
      } else {
        this.#used.add(name);
      }
    }
    if (answer.type !== 'reply') for (const [name, typed] of action.typed ?? []) this.#typed.set(name, typed);
  }

  /**
   * Changes a field (its `lv-change`/`lv-input`, or its form's) to the values in `fields`. As in
   * the browser, what was typed stays in a form field for later changes and submits until the
   * server renders a different value for it, and a form's event lists the fields not changed so
   * far in `_unused`, so the view's `errors` show messages only for the fields the test changed.
   */
  async change(selector: string, fields: FieldValues): Promise<void> {
    const action = changeAction(this.#element(selector), selector, fields, this.#used, this.#typed);
    for (const name of action.uses ?? []) this.#used.add(name);
    for (const [name, typed] of action.typed ?? []) this.#typed.set(name, typed);
    await this.#send(action);
  }

  /**
   * The view's field errors, as its template sees them (`{{ errors.title }}`): field name → the
   * first message its event schema gave, for the fields used so far.
   */
  fieldErrors(): Record<string, string> {
    return { ...this.#mounted().view.errors };
  }

  /**
   * Waits until the async work the view started (`assignAsync`, `startAsync`) has finished and
   * its outcome is applied and merged here — including work started by that work's outcome.
   */
  async awaitAsync(): Promise<void> {
    const mounted = this.#mounted();
    do {
      await mounted.asyncIdle();
      await mounted.settled(); // outcomes are applied in the mailbox, and may start more work
    } while (mounted.asyncRunning);
    await this.#settle(mounted);
  }

  /** Events the view pushed to the page's hooks (`this.pushEvent`), `[name, payload]` in the order received. */
  get pushedEvents(): ReadonlyArray<readonly [string, unknown]> {
    return this.#pushedEvents;
  }

  /**
   * Sends the event `name` with `payload`, as a binding (or a hook's `pushEvent`) would; resolves
   * once it is answered, with the plain object the handler returned (what the hook's promise
   * resolves with), or undefined.
   */
  async event(name: string, payload: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> {
    this.#root.#redirectedTo = undefined;
    const frame = await this.#request((ref) => encodeEvent(ref, this.#vid, name, payload), `the reply to "${name}"`);
    await this.#followUp();
    return frame.type === 'reply' ? (frame.diff?.[K_REPLY] as Record<string, unknown> | undefined) : undefined;
  }

  /** Runs the view's `tick()` now — what the scheduler does every `tickInterval` — and waits for its diff. */
  async tick(): Promise<void> {
    const mounted = this.#mounted();
    if (typeof mounted.view.tick !== 'function') throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} has no tick()`);
    // A tick that falls due while the view is busy is skipped (D5): wait until it is idle.
    while (mounted.busy) await mounted.settled();
    mounted.tick();
    await this.#settle(mounted);
  }

  /** Delivers `message` to the view's `handleInfo`, as a subscribed topic or `pushToView` would. */
  async info(message: unknown): Promise<void> {
    const mounted = this.#mounted();
    if (typeof mounted.view.handleInfo !== 'function') throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} has no handleInfo()`);
    mounted.deliverMessage(message);
    await this.#settle(mounted);
  }

  /** Publishes `message` on `topic` in the view's tenant (as `this.broadcast` does); waits for this view's share. */
  async broadcast(topic: string, message: unknown): Promise<void> {
    const mounted = this.#mounted();
    await mounted.broadcast(topic, message);
    await this.#settle(mounted);
  }

  /** The next diff the server pushes (a tick, an info, a save elsewhere), merged before this resolves. */
  async nextPush(timeoutMs = this.#init.timeoutMs): Promise<WireNode> {
    while (this.#pushes.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#pushWaiter = undefined;
          reject(new LiveryError('LV_TEST_TIMEOUT', `no push to ${this.name} within ${timeoutMs} ms`));
        }, timeoutMs);
        this.#pushWaiter = () => { clearTimeout(timer); resolve(); };
      });
    }
    // A push may add a nested view: it is joined before the push counts as arrived.
    await this.#nestedSettled();
    return this.#pushes.shift()!;
  }

  /**
   * Resolves once `condition` holds, taking pushes until it does: for what arrives on its own
   * (another tab's save, a presence change). Fails after `timeoutMs` without it.
   */
  async waitFor(condition: () => boolean, timeoutMs = this.#init.timeoutMs): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (!condition()) {
      const left = end - performance.now();
      if (left <= 0) throw new LiveryError('LV_TEST_TIMEOUT', `the condition did not hold within ${timeoutMs} ms`);
      try {
        await this.nextPush(left);
      } catch (error) {
        if ((error as LiveryError).code !== 'LV_TEST_TIMEOUT' || condition()) throw error;
        throw new LiveryError('LV_TEST_TIMEOUT', `the condition did not hold within ${timeoutMs} ms`);
      }
    }
  }

  /**
   * Closes the socket, as closing the tab would (the server saves the views' state). The socket
   * is the page's: closing a nested view closes the page it is on.
   */
  async close(): Promise<void> {
    if (this.#root !== this) return this.#root.close();
    const socket = this.#socket;
    if (socket.ws.readyState !== WebSocket.CLOSED) {
      socket.ws.close();
      await socket.closed;
    }
    await this.#init.onClose?.();
  }

  #pushed(diff: WireNode): void {
    this.#apply(diff, {});
    this.#pushes.push(diff);
    this.#pushWaiter?.();
    this.#pushWaiter = undefined;
  }

  /** A reply or an error frame for this view (its waiter, by ref, is the socket's). */
  #answered(frame: Frame): void {
    const how = this.#how.get(frame.ref) ?? {};
    this.#how.delete(frame.ref);
    if (frame.type === 'reply' && frame.diff !== undefined) this.#apply(frame.diff, how);
    if (frame.type === 'error') this.errors.push({ code: frame.code, message: frame.message, ref: frame.ref });
  }

  /** Merges a diff exactly as the browser client does, then what it says about the page. */
  #apply(diff: WireNode, how: How): void {
    try {
      mergeStatics(this.#socket.statics, diff);
      this.#rendered.merge(diff, this.#socket.statics);
      if (typeof diff[K_TOKEN] === 'string') this.#token = diff[K_TOKEN];
    } catch (error) {
      // The browser would drop the socket and rejoin; a test wants to see it.
      if (!(error instanceof RenderedError)) throw error;
      this.errors.push({ code: error.code, message: error.message, ref: 0 });
    }
    this.#parsed = undefined;
    if (Array.isArray(diff[K_EVENTS])) this.#pushedEvents.push(...(diff[K_EVENTS] as Array<[string, unknown]>));
    const page = readPage(diff);
    if (page?.view !== undefined) {
      // A navigate: another view now lives in this container.
      this.#name = page.view.view;
      this.#id = page.view.id;
    }
    if (page !== undefined) this.#root.#page(page, how);
    this.#syncNested();
  }

  /**
   * Sends a frame with a fresh ref and resolves with its answer (reply or error), once the nested
   * views it added have joined and those it removed have left.
   */
  async #request(build: (ref: number) => string, what: string, how?: How): Promise<Frame> {
    if (this.#left) throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} is no longer on the page: its parent stopped showing it`);
    const frame = await this.#frame(build, what, how);
    await this.#nestedSettled();
    return frame;
  }

  /** Sends a frame with a fresh ref and resolves with its answer (reply or error). */
  #frame(build: (ref: number) => string, what: string, how?: How): Promise<Frame> {
    const socket = this.#socket;
    const ref = ++socket.ref;
    if (how !== undefined) this.#how.set(ref, how);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.replies.delete(ref);
        reject(new LiveryError('LV_TEST_TIMEOUT', `no answer within ${this.#init.timeoutMs} ms: ${what}`));
      }, this.#init.timeoutMs);
      socket.replies.set(ref, { resolve: (frame) => { clearTimeout(timer); resolve(frame); } });
      socket.ws.send(build(ref));
    });
  }

  /** Waits until the server has run the view's queued work and its frames have arrived. */
  async #settle(mounted: MountedView): Promise<void> {
    await mounted.settled();
    // Frames on one socket arrive in order: once the heartbeat's reply is here, so is the work's.
    await this.#request(encodeHeartbeat, 'a heartbeat');
    this.#pushes.length = 0;
    await this.#followUp();
  }

  async #act(action: Action): Promise<void> {
    if (action.cid === undefined) return void (await this.event(action.event, action.payload));
    await this.#send(action);
    await this.#followUp();
  }

  #send(action: Action): Promise<Frame> {
    return this.#request((ref) => encodeEvent(ref, this.#vid, action.event, action.payload, action.cid), `the reply to "${action.event}"`);
  }

  /**
   * Sends the event `name` to the live component `id` of this view (D80), as an element with
   * `lv-target` inside it would; an id the view does not show sends a cid no component has.
   */
  async componentEvent(id: string, name: string, payload: Record<string, unknown> = {}): Promise<void> {
    const cid = this.#mounted().components?.byId(id)?.cid ?? 0;
    await this.#send({ event: name, payload, cid });
    await this.#followUp();
  }

  #element(selector: string): HTMLElement {
    const el = this.find(selector);
    if (el === null) throw new LiveryError('LV_TEST_ACTION_INVALID', `no element matches "${selector}" in ${this.name}`);
    return el;
  }

  #dom(): HTMLElement {
    return (this.#parsed ??= parse(this.html()));
  }

  /** The server side of this view (its live instance on the test server). */
  #mounted(): MountedView {
    const claims = this.#init.livery.runtime.signer.verify(this.#token);
    const mounted = this.#init.livery.runtime.liveView(claims.tenant, claims.instance);
    if (mounted === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `${this.name} is not live (closed?)`);
    return mounted;
  }
}

async function openSocket(port: number, init: TestViewInit): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${LIVE_PATH}`, { headers: { ...init.headers, cookie: init.cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => reject(new LiveryError('LV_TEST_MOUNT_FAILED', `socket upgrade refused with HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
  ws.on('error', () => {}); // a close follows; the test sees it as a timeout or in `errors`
  return ws;
}
