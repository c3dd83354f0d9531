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
  E_TOKEN_EXPIRED,
  E_TOKEN_INVALID,
  K_TOKEN,
  K_UPLOADS,
  A_VIEW,
} from '../server/protocol/index.ts';
import { encodeEvent, encodeJoin, encodeLeave } from '../server/protocol/codec.ts';
import { patch } from './patch.ts';
import { Rendered, type WireNode } from './rendered.ts';
import { reloadPage, type LiveSocket } from './socket.ts';
import { granted, showPreviews } from './uploads.ts';

const STATES = [C_CONNECTING, C_CONNECTED, C_DISCONNECTED, C_ERROR];

export class View {
  readonly vid: number;
  readonly el: HTMLElement;
  token: string;
  readonly rendered = new Rendered();
  private readonly socket: LiveSocket;
  private joinRef = 0;
  private readonly inflight = new Map<number, Element>();

  constructor(vid: number, el: HTMLElement, token: string, socket: LiveSocket) {
    this.vid = vid;
    this.el = el;
    this.token = token;
    this.socket = socket;
  }

  join(): void {
    this.setState(C_CONNECTING);
    this.joinRef = this.socket.push((ref) => encodeJoin(ref, this.vid, this.el.getAttribute(A_VIEW) ?? '', this.token));
  }

  leave(): void {
    this.socket.push((ref) => encodeLeave(ref, this.vid));
  }

  /** Sends an event from `el`; both carry `lv-loading` until the reply with this ref (returned; 0 while offline). */
  push(el: Element, event: string, payload: Record<string, unknown>): number {
    const ref = this.socket.push((ref) => encodeEvent(ref, this.vid, event, payload));
    if (!ref) return 0;
    this.inflight.set(ref, el);
    el.classList.add(C_LOADING);
    this.el.classList.add(C_LOADING);
    return ref;
  }

  /** `[1,"r",ref,vid,diff?]` */
  reply(ref: number, diff: WireNode | undefined): void {
    if (diff) this.apply(diff);
    if (diff?.[K_UPLOADS]) granted(this, ref, diff[K_UPLOADS] as never);
    if (ref === this.joinRef) this.socket.resetBackoff();
    this.setState(C_CONNECTED);
    this.settle(ref);
  }

  /** `[1,"d",vid,diff]` */
  diff(diff: WireNode): void {
    this.apply(diff);
    this.setState(C_CONNECTED);
  }

  /**
   * `[1,"x",ref,vid,code,message,dev?]`; a rejected join token sends the user to a fresh page.
   * `dev` (dev loop only) is the error described for the overlay, passed on in `lv:error`.
   */
  error(ref: number, code: string, message: string, dev?: unknown): void {
    this.settle(ref);
    if (ref && ref === this.joinRef && (code === E_TOKEN_EXPIRED || code === E_TOKEN_INVALID) && reloadPage()) return;
    this.setState(C_ERROR);
    console.warn(`[livery] view ${this.vid}: ${code}: ${message}`);
    // It bubbles, so a layout can show every view's errors with one listener on the document.
    this.el.dispatchEvent(new CustomEvent('lv:error', { bubbles: true, detail: dev === undefined ? { code, message } : { code, message, dev } }));
  }

  /** The socket went down: nothing in flight will be answered. */
  dropped(): void {
    for (const ref of this.inflight.keys()) this.settle(ref);
    this.setState(C_DISCONNECTED);
  }

  setState(cls: string): void {
    for (const c of STATES) this.el.classList.toggle(c, c === cls);
  }

  private apply(diff: WireNode): void {
    this.rendered.merge(diff, this.socket.statics);
    if (typeof diff[K_TOKEN] === 'string') this.token = diff[K_TOKEN];
    patch(this.el, this.rendered.toHTML());
    showPreviews(this.el);
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
