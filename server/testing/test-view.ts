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
 */
import { parse, type HTMLElement } from 'node-html-parser';
import WebSocket from 'ws';
import { mergeStatics, Rendered, RenderedError, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { LiveryError } from '../errors.ts';
import type { MountedView } from '../live/mounted-view.ts';
import type { LiveryHandle } from '../plugin.ts';
import { K_TOKEN, LIVE_PATH } from '../protocol/index.ts';
import { decodeServerFrame, encodeEvent, encodeHeartbeat, encodeJoin, type ServerFrame } from '../protocol/codec.ts';
import { changeAction, clickAction, submitAction, type Action, type FieldValues } from './browser-actions.ts';
import { runUpload, type TestFile, type TestUploadOptions, type TestUploadResult } from './test-upload.ts';

/** An error frame the view received. */
export interface ViewError {
  readonly code: string;
  readonly message: string;
  /** The ref of the event it answers; 0 for a tick, an info or a push. */
  readonly ref: number;
}

/** What the test view needs to reach its server. */
export interface TestViewInit {
  readonly port: number;
  readonly livery: LiveryHandle;
  readonly view: string;
  readonly token: string;
  readonly cookie: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  readonly onClose?: () => Promise<void>;
}

type Frame = ServerFrame & { type: 'reply' | 'error' };
type Waiter = { resolve: (frame: Frame) => void };

export class TestView {
  /** The view's class name (its `data-lv-view`). */
  readonly name: string;
  /** Error frames received, in order. */
  readonly errors: ViewError[] = [];
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
  #closed: Promise<void>;

  private constructor(init: TestViewInit, ws: WebSocket) {
    this.#init = init;
    this.name = init.view;
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
    const reply = await this.#request((ref) => encodeJoin(ref, 1, this.#init.view, token), 'the join reply');
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
   * interrupted upload, for resume tests). Refusals come back as `error` codes, not throws.
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

  /** The view's current HTML, as its container holds it in the browser. */
  html(): string {
    return this.#rendered.toHTML();
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

  /** Submits the `lv-submit` form at or around `selector` with `fields` typed into it. */
  submit(selector: string, fields: FieldValues = {}): Promise<void> {
    return this.#act(submitAction(this.#element(selector), selector, fields));
  }

  /** Changes a field (its `lv-change`/`lv-input`, or its form's) to the values in `fields`. */
  change(selector: string, fields: FieldValues): Promise<void> {
    return this.#act(changeAction(this.#element(selector), selector, fields));
  }

  /** Sends the event `name` with `payload`, as a binding would; resolves once it is answered. */
  async event(name: string, payload: Record<string, unknown> = {}): Promise<void> {
    await this.#request((ref) => encodeEvent(ref, 1, name, payload), `the reply to "${name}"`);
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
      this.#apply(frame.diff);
      this.#pushes.push(frame.diff);
      this.#pushWaiter?.();
      this.#pushWaiter = undefined;
      return;
    }
    if (frame.type !== 'reply' && frame.type !== 'error') return;
    if (frame.type === 'reply' && frame.diff !== undefined) this.#apply(frame.diff);
    if (frame.type === 'error') this.errors.push({ code: frame.code, message: frame.message, ref: frame.ref });
    const waiter = this.#replies.get(frame.ref);
    this.#replies.delete(frame.ref);
    waiter?.resolve(frame);
  }

  /** Merges a diff exactly as the browser client does. */
  #apply(diff: WireNode): void {
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
  }

  /** Sends a frame with a fresh ref and resolves with its answer (reply or error). */
  #request(build: (ref: number) => string, what: string): Promise<Frame> {
    const ref = ++this.#ref;
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
  }

  #act(action: Action): Promise<void> {
    return this.event(action.event, action.payload);
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
