/**
 * One live view on the page: its container, its `vid` on the socket, its latest join token, its
 * rendered tree and the refs it has in flight (for `lv-loading`).
 *
 * The container carries exactly one state class: `lv-connecting` until the join reply,
 * `lv-connected` after it (and after any later successful reply or diff), `lv-disconnected` while
 * the socket is down, `lv-error` after an error frame for this view.
 */
import {
  C_CONNECTED,
  C_CONNECTING,
  C_DISCONNECTED,
  C_ERROR,
  C_LOADING,
  E_PAYLOAD_INVALID,
  E_TOKEN_EXPIRED,
  E_TOKEN_INVALID,
  E_VIEW_TAKEN_OVER,
  K_COMPONENTS,
  K_EVENTS,
  K_REPLY,
  K_STATICS,
  K_TOKEN,
  K_UPLOADS,
  A_VIEW,
  A_COMPONENT,
  B_TARGET,
} from '../server/protocol/index.ts';
import { encodeEvent, encodeJoin, encodeLeave, encodeNavigate, encodePatch, readPage } from '../server/protocol/codec.ts';
import { applyPage, loadPage, type Navigation } from './navigation.ts';
import { recoverForms } from './bindings.ts';
import { ViewHooks } from './hooks.ts';
import { answered, resetForm, sent } from './forms.ts';
import { patch } from './patch.ts';
import { Rendered, touchesRoot, type WireNode } from './rendered.ts';
import { reloadPage, type LiveSocket } from './socket.ts';
import { granted, showPreviews } from './uploads.ts';

const STATES = [C_CONNECTING, C_CONNECTED, C_DISCONNECTED, C_ERROR];

/** Whether a diff touches the view's tree or its live components' (D80), not only the page. */
const hasTree = (diff: WireNode): boolean => touchesRoot(diff) || diff[K_COMPONENTS] !== undefined;

export class View {
  readonly vid: number;
  readonly el: HTMLElement;
  token: string;
  readonly rendered = new Rendered();
  private readonly socket: LiveSocket;
  private joinRef = 0;
  private readonly inflight = new Map<number, Element>();
  /** Another tab took this view over: it is not joined again (the newest tab keeps it). */
  private takenOver = false;
  /** The navigation in flight (one at a time, by ref), and the one asked for meanwhile (the latest wins). */
  private nav: { ref: number; nav: Navigation } | undefined;
  private queued: Navigation | undefined;
  /** True once a join reply arrived, until the socket drops. */
  joined = false;
  /** The view was joined before the socket dropped: the next join reply tells the hooks `reconnected`. */
  private rejoining = false;
  readonly hooks = new ViewHooks(this);
  /** Hooks' `pushEvent` promises by ref, settled by the reply or error. */
  private readonly calls = new Map<number, [(reply: Record<string, unknown>) => void, (err: Error) => void]>();

  constructor(vid: number, el: HTMLElement, token: string, socket: LiveSocket) {
    this.vid = vid;
    this.el = el;
    this.token = token;
    this.socket = socket;
  }

  join(): void {
    if (this.takenOver) return;
    this.setState(C_CONNECTING);
    this.joinRef = this.socket.push((ref) => encodeJoin(ref, this.vid, this.el.getAttribute(A_VIEW) ?? '', this.token, location.pathname + location.search));
  }

  /**
   * Asks the server to patch this view to a URL or navigate it to another view (`lv-patch`,
   * `lv-navigate`, the back button, a `pushNavigate`). One at a time: a request made meanwhile
   * waits, and only the latest one is sent. Without a socket, the browser loads the URL.
   */
  go(nav: Navigation): void {
    if (this.nav !== undefined) return void (this.queued = nav);
    const ref = this.socket.push((ref) => (nav.kind === 'patch' ? encodePatch : encodeNavigate)(ref, this.vid, nav.url));
    if (!ref) return nav.pop ? location.reload() : loadPage(nav.url + (nav.hash ?? ''), nav.replace);
    nav.at = scrollY;
    this.nav = { ref, nav };
    const el = nav.el ?? this.el;
    this.inflight.set(ref, el);
    el.classList.add(C_LOADING);
    this.el.classList.add(C_LOADING);
  }

  /** The navigation a reply or error answers, if it answers one; the queued one goes next. */
  private settleNav(ref: number): Navigation | undefined {
    if (this.nav?.ref !== ref) return undefined;
    const { nav } = this.nav;
    this.nav = undefined;
    const next = this.queued;
    this.queued = undefined;
    if (next !== undefined) queueMicrotask(() => this.go(next));
    return nav;
  }

  leave(): void {
    this.socket.push((ref) => encodeLeave(ref, this.vid));
  }

  /**
   * Sends an event from `el`; both carry `lv-loading` until the reply with this ref (returned; 0
   * while offline or while the view is being replaced). The fields it carries keep the user's
   * values until then; a `submit` locks its form (forms.ts).
   */
  push(el: Element, event: string, payload: Record<string, unknown>, submit = false): number {
    if (this.nav?.nav.kind === 'navigate') return 0;
    // `lv-target`: the live component the element is in gets the event (D80).
    const cid = el.hasAttribute(B_TARGET) ? +(el.closest(`[${A_COMPONENT}]`)?.getAttribute(A_COMPONENT) ?? 0) || undefined : undefined;
    const ref = this.socket.push((ref) => encodeEvent(ref, this.vid, event, payload, cid));
    if (!ref) return 0;
    sent(ref, el, submit);
    this.inflight.set(ref, el);
    el.classList.add(C_LOADING);
    this.el.classList.add(C_LOADING);
    return ref;
  }

  /**
   * A hook's `pushEvent`: resolves with the object the handler returned (`rv` in the reply; `{}`
   * without one), rejects with the error frame's code and message or when the socket is down.
   */
  call(el: Element, event: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const ref = this.push(el, event, payload);
      if (ref) this.calls.set(ref, [resolve, reject]);
      else reject(new Error(`${event}: not connected`));
    });
  }

  /**
   * `[2,"r",ref,vid,diff?]`. The reply to a submit resets its form to what the server rendered;
   * the join reply keeps what the user typed and sends it again (form recovery).
   */
  reply(ref: number, diff: WireNode | undefined): void {
    const nav = this.settleNav(ref);
    const submitted = answered(ref);
    const join = ref === this.joinRef;
    if (join) this.joined = true;
    if (diff) this.apply(diff, nav, join);
    this.calls.get(ref)?.[0]((diff?.[K_REPLY] as Record<string, unknown> | undefined) ?? {});
    this.calls.delete(ref);
    if (join && this.rejoining) this.hooks.each('reconnected');
    if (join) this.rejoining = false;
    if (diff?.[K_UPLOADS]) granted(this, ref, diff[K_UPLOADS] as never);
    if (submitted) resetForm(submitted);
    if (join) this.socket.resetBackoff();
    this.setState(C_CONNECTED);
    this.settle(ref);
    if (join) recoverForms(this);
  }

  /** `[2,"d",vid,diff]` */
  diff(diff: WireNode): void {
    this.apply(diff);
    this.setState(C_CONNECTED);
  }

  /**
   * `[2,"x",ref,vid,code,message,dev?]`; a rejected join token sends the user to a fresh page.
   * `dev` (dev loop only) is the error described for the overlay, passed on in `lv:error`.
   */
  error(ref: number, code: string, message: string, dev?: unknown): void {
    answered(ref);
    this.settle(ref);
    this.calls.get(ref)?.[1](Object.assign(new Error(`${code}: ${message}`), { code }));
    this.calls.delete(ref);
    // A navigation the server could not do: the browser loads the page, which shows why.
    const nav = this.settleNav(ref);
    if (nav?.pop) return location.reload();
    if (nav?.kind === 'navigate') return loadPage(nav.url + (nav.hash ?? ''), nav.replace);
    // A refused payload is the user's to fix: the template shows the view's errors beside the fields.
    if (code === E_PAYLOAD_INVALID) return;
    if (ref && ref === this.joinRef && (code === E_TOKEN_EXPIRED || code === E_TOKEN_INVALID) && reloadPage()) return;
    this.takenOver ||= code === E_VIEW_TAKEN_OVER;
    this.setState(C_ERROR);
    console.warn(`[livery] view ${this.vid}: ${code}: ${message}`);
    // It bubbles, so a layout can show every view's errors with one listener on the document.
    this.el.dispatchEvent(new CustomEvent('lv:error', { bubbles: true, detail: dev === undefined ? { code, message } : { code, message, dev } }));
  }

  /** The socket went down: nothing in flight will be answered. */
  dropped(): void {
    if (this.joined) {
      this.rejoining = true;
      this.hooks.each('disconnected');
    }
    this.joined = false;
    for (const [, reject] of this.calls.values()) reject(new Error('the socket dropped'));
    this.calls.clear();
    if (this.nav !== undefined) this.settleNav(this.nav.ref);
    for (const ref of this.inflight.keys()) {
      answered(ref);
      this.settle(ref);
    }
    this.setState(C_DISCONNECTED);
  }

  setState(cls: string): void {
    if (this.takenOver) cls = C_ERROR; // until the page is reloaded
    for (const c of STATES) this.el.classList.toggle(c, c === cls);
  }

  private apply(diff: WireNode, nav?: Navigation, join = false): void {
    const page = readPage(diff);
    if (page?.view !== undefined) {
      // A navigate: another view now lives in this container (its tree arrives whole, with `s`).
      this.el.setAttribute(A_VIEW, page.view.view);
      this.el.id = page.view.id;
    }
    if (hasTree(diff)) {
      this.rendered.merge(diff, this.socket.statics);
      // Only the rows the diff changed when it can (D62), else the whole container.
      const patched = patch(this.el, this.rendered, diff, { keepUsed: join });
      for (const el of patched) showPreviews(el);
      this.hooks.patched(patched);
    }
    // After the patch: a hook mounted by it already handles the events that came with it.
    if (diff[K_EVENTS]) this.hooks.dispatch(diff[K_EVENTS]);
    if (typeof diff[K_TOKEN] === 'string') this.token = diff[K_TOKEN];
    if (page !== undefined) applyPage(this, page, nav);
  }

  private settle(ref: number): void {
    const el = this.inflight.get(ref);
    if (!el) return;
    this.inflight.delete(ref);
    let busy = false;
    for (const other of this.inflight.values()) busy ||= other === el;
    if (!busy) el.classList.remove(C_LOADING);
    if (!this.inflight.size) this.el.classList.remove(C_LOADING);
  }
}
