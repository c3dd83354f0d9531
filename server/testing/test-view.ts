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
 */
import { parse, type HTMLElement } from 'node-html-parser';
import WebSocket from 'ws';
import { isList, mergeStatics, Rendered, RenderedError, type List, type StaticsCache, type Value, type WireNode } from '../../client/rendered.ts';
import { LiveryError } from '../errors.ts';
import type { MountedView } from '../live/mounted-view.ts';
import type { LiveryHandle } from '../plugin.ts';
import { B_NAVIGATE, B_PATCH, B_REPLACE, K_EVENTS, K_REPLY, K_TOKEN, LIVE_PATH } from '../protocol/index.ts';
import { FLASH_CLEAR_EVENT, isFlashKind, type Flash, type FlashKind } from '../protocol/flash.ts';
import {
  decodeServerFrame, encodeEvent, encodeHeartbeat, encodeJoin, encodeNavigate, encodePatch, readPage, type PageEffects, type ServerFrame,
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
  #ws: WebSocket;
  #port: number;
  readonly #statics: StaticsCache = new Map();
  readonly #rendered = new Rendered();
  readonly #replies = new Map<number, Waiter>();
  readonly #pushes: WireNode[] = [];
  #pushWaiter: (() => void) | undefined;
  #token: string;
  #ref = 0;
  #parsed: HTMLElement | undefined;
  /** Field names the "user" has typed into (what the browser tracks to send `_unused`). */
  readonly #used = new Set<string>();
  /** What was typed into form fields, kept as the browser keeps it until the server renders anew. */
  readonly #typed = new Map<string, { value: string | string[]; rendered: string | string[] | undefined }>();
  #closed: Promise<void>;

  private constructor(init: TestViewInit, ws: WebSocket) {
    this.#init = init;
    this.#name = init.view;
    this.#title = init.title;
    this.#flash = { ...init.flash };
    this.#history = [{ url: init.url, id: init.id }];
    this.#id = init.id;
    this.#token = init.token;
    this.#port = init.port;
    this.#ws = ws;
    this.#closed = this.#listen(ws);
  }

  #listen(ws: WebSocket): Promise<void> {
    ws.on('message', (data) => {
      const frame = decodeServerFrame(String(data));
      if (frame !== undefined) this.#receive(frame);
    });
    return new Promise((resolve) => ws.on('close', () => resolve()));
  }

  /** Opens the socket and joins with the page's token; rejects if the join is refused. */
  static async join(init: TestViewInit): Promise<TestView> {
    const view = new TestView(init, await openSocket(init.port, init));
    await view.#join();
    return view;
  }

  async #join(): Promise<void> {
    const token = this.#token;
    // The view the page shows now, as the browser's container names it: a navigate replaced the
    // first one, and its token (from the navigate's reply) is only good for the new view.
    const reply = await this.#request((ref) => encodeJoin(ref, 1, this.#name, token, this.url), 'the join reply');
    if (reply.type === 'error') {
      this.#ws.close();
      throw new LiveryError('LV_TEST_MOUNT_FAILED', `the join was refused: ${reply.code}`);
    }
  }

  /**
   * Drops the socket and joins again with the latest token, as the browser client does after a
   * network drop — to the same server, or to another one sharing its backends (`port`).
   */
  async reconnect(options: { port?: number } = {}): Promise<void> {
    this.#ws.terminate();
    await this.#closed;
    for (const waiter of this.#replies.values()) waiter.resolve({ type: 'error', ref: 0, vid: 1, code: 'LV_TEST_TIMEOUT', message: 'socket dropped' });
    this.#replies.clear();
    this.#port = options.port ?? this.#port;
    this.#statics.clear();
    this.#ws = await openSocket(this.#port, this.#init);
    this.#closed = this.#listen(this.#ws);
    await this.#join();
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
      port: this.#port,
      headers: { ...this.#init.headers, cookie: this.#init.cookie },
      event: async (name, payload) => {
        const frame = await this.#request((ref) => encodeEvent(ref, 1, name, payload), `the reply to "${name}"`);
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
    return this.#title;
  }

  /** The flash messages the page shows now, by kind. */
  get flash(): Flash {
    return { ...this.#flash };
  }

  /** A full page load the server asked for (`redirect`, or a URL no live view of this tenant serves): the URL the browser would load. */
  get redirectedTo(): string | undefined {
    return this.#redirectedTo;
  }

  /** The path and query the browser shows (the current history entry). */
  get url(): string {
    return this.#history[this.#at].url;
  }

  /** The history entries' URLs, oldest first (`back()` walks them). */
  get history(): string[] {
    return this.#history.map((entry) => entry.url);
  }

  /**
   * Follows an `lv-patch` or `lv-navigate` link, as a click would: the view patches to its URL
   * (`handleParams` runs) or is replaced by the view there. A plain link (no binding) or one to
   * another site loads a new page: it is recorded in `redirectedTo`.
   */
  async clickLink(selector: string): Promise<void> {
    const link = this.#element(selector);
    const href = link.getAttribute('href');
    if (link.tagName !== 'A' || href === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `"${selector}" is not a link with an href`);
    const to = new URL(href, `http://app${this.url}`);
    const patch = link.hasAttribute(B_PATCH);
    if (to.origin !== 'http://app' || (!patch && !link.hasAttribute(B_NAVIGATE))) {
      this.#redirectedTo = to.origin === 'http://app' ? to.pathname + to.search + to.hash : to.href;
      return;
    }
    await this.#go(patch ? 'patch' : 'navigate', to.pathname + to.search, { replace: link.hasAttribute(B_REPLACE) });
  }

  /** Patches the view to `url` (a path and query), as an `lv-patch` link would. */
  patch(url: string): Promise<void> {
    return this.#go('patch', url, {});
  }

  /** Navigates to the live view at `url` (a path and query), as an `lv-navigate` link would. */
  navigate(url: string): Promise<void> {
    return this.#go('navigate', url, {});
  }

  /** The browser's back button: a patch back to an entry of this view, a navigate to any other. */
  back(): Promise<void> {
    return this.#pop(-1);
  }

  /** The browser's forward button. */
  forward(): Promise<void> {
    return this.#pop(1);
  }

  /** Dismisses a flash message, as its close button does. */
  async dismissFlash(kind: FlashKind): Promise<void> {
    if (this.#flash[kind] === undefined) throw new LiveryError('LV_TEST_ACTION_INVALID', `no ${kind} flash message is shown`);
    delete this.#flash[kind];
    await this.event(FLASH_CLEAR_EVENT, { kind });
  }

  /** Loads the page the server redirected to (`redirectedTo`) in this browser session: a new page, a new socket. This view's socket closes. */
  async followRedirect(): Promise<TestView> {
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
    await this.#request((ref) => (kind === 'patch' ? encodePatch : encodeNavigate)(ref, 1, url), `the reply to ${kind} ${url}`, how);
    await this.#followUp(hops + 1);
  }

  /** A navigate the server asked for (pushNavigate, a patch to another view's URL): the browser client sends it. */
  async #followUp(hops = 0): Promise<void> {
    const next = this.#next;
    if (next === undefined) return;
    this.#next = undefined;
    if (hops > 10) throw new LiveryError('LV_TEST_TIMEOUT', `more than 10 navigations in a row, the last to ${next.to}`);
    const to = new URL(next.to, `http://app${this.url}`);
    await this.#go('navigate', to.pathname + to.search, { replace: next.replace }, hops);
  }

  /** What a frame says about the page: title, flash, view, where the browser goes. */
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
    if (page.view !== undefined) {
      this.#name = page.view.view;
      this.#id = page.view.id;
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
    this.#redirectedTo = undefined;
    const frame = await this.#request((ref) => encodeEvent(ref, 1, name, payload), `the reply to "${name}"`);
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

  /** Closes the socket, as closing the tab would (the server saves the view's state). */
  async close(): Promise<void> {
    if (this.#ws.readyState !== WebSocket.CLOSED) {
      this.#ws.close();
      await this.#closed;
    }
    await this.#init.onClose?.();
  }

  #receive(frame: ServerFrame): void {
    if (frame.type === 'diff') {
      this.#apply(frame.diff, {});
      this.#pushes.push(frame.diff);
      this.#pushWaiter?.();
      this.#pushWaiter = undefined;
      return;
    }
    if (frame.type !== 'reply' && frame.type !== 'error') return;
    const how = this.#how.get(frame.ref) ?? {};
    this.#how.delete(frame.ref);
    if (frame.type === 'reply' && frame.diff !== undefined) this.#apply(frame.diff, how);
    if (frame.type === 'error') this.errors.push({ code: frame.code, message: frame.message, ref: frame.ref });
    const waiter = this.#replies.get(frame.ref);
    this.#replies.delete(frame.ref);
    waiter?.resolve(frame);
  }

  /** Merges a diff exactly as the browser client does, then what it says about the page. */
  #apply(diff: WireNode, how: How): void {
    try {
      mergeStatics(this.#statics, diff);
      this.#rendered.merge(diff, this.#statics);
      if (typeof diff[K_TOKEN] === 'string') this.#token = diff[K_TOKEN];
    } catch (error) {
      // The browser would drop the socket and rejoin; a test wants to see it.
      if (!(error instanceof RenderedError)) throw error;
      this.errors.push({ code: error.code, message: error.message, ref: 0 });
    }
    this.#parsed = undefined;
    if (Array.isArray(diff[K_EVENTS])) this.#pushedEvents.push(...(diff[K_EVENTS] as Array<[string, unknown]>));
    const page = readPage(diff);
    if (page !== undefined) this.#page(page, how);
  }

  /** Sends a frame with a fresh ref and resolves with its answer (reply or error). */
  #request(build: (ref: number) => string, what: string, how?: How): Promise<Frame> {
    const ref = ++this.#ref;
    if (how !== undefined) this.#how.set(ref, how);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replies.delete(ref);
        reject(new LiveryError('LV_TEST_TIMEOUT', `no answer within ${this.#init.timeoutMs} ms: ${what}`));
      }, this.#init.timeoutMs);
      this.#replies.set(ref, { resolve: (frame) => { clearTimeout(timer); resolve(frame); } });
      this.#ws.send(build(ref));
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
    return this.#request((ref) => encodeEvent(ref, 1, action.event, action.payload, action.cid), `the reply to "${action.event}"`);
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
