/**
 * The one WebSocket a page keeps to `/live`: frame encoding, refs, heartbeat, reconnect.
 *
 * Frames are JSON arrays `[version, type, …]` (docs/protocol.md), encoded and decoded by
 * `server/protocol/codec.ts`. This layer owns what is per
 * socket: the ref counter, the statics cache (statics travel once per fingerprint per socket, so
 * a new connection starts with an empty cache) and the protocol-version check. Everything per
 * view is routed to the handlers.
 */
import { CLOSE_NORMAL, CLOSE_PROTOCOL_MISMATCH, CLOSE_SESSION_UNKNOWN, CLOSES_TENANT_REFUSED, LIVE_PATH } from '../server/protocol/index.ts';
import { decodeServerFrame, encodeHeartbeat, type ServerFrame } from '../server/protocol/codec.ts';
import { mergeStatics, type StaticsCache } from './rendered.ts';

export type SocketState = 'connecting' | 'open' | 'closed';
export type { ServerFrame };

export interface SocketHandlers {
  state(state: SocketState): void;
  frame(frame: ServerFrame): void;
}

const HEARTBEAT_MS = 30_000;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 10_000;
const RELOAD_KEY = 'lv-reload-at';
const RELOAD_GUARD_MS = 10_000;

/**
 * Reloads the page unless it was reloaded for this reason in the last 10 s (sessionStorage), so
 * a broken server cannot put the tab in a reload loop. Without storage it never reloads.
 */
export function reloadPage(): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOAD_KEY));
    if (Date.now() - last < RELOAD_GUARD_MS) return false;
    sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
  } catch {
    return false;
  }
  location.reload();
  return true;
}

export class LiveSocket {
  state: SocketState = 'closed';
  statics: StaticsCache = new Map();
  private ws: WebSocket | undefined;
  private ref = 0;
  private attempt = 0;
  private wanted = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private beatRef = 0;
  private readonly handlers: SocketHandlers;
  private readonly url: string;

  constructor(handlers: SocketHandlers, url = (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + LIVE_PATH) {
    this.handlers = handlers;
    this.url = url;
  }

  connect(): void {
    this.wanted = true;
    clearTimeout(this.retry);
    if (this.ws) return;
    const ws = (this.ws = new WebSocket(this.url));
    this.statics = new Map();
    this.setState('connecting');
    ws.onopen = () => {
      this.beat = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
      this.setState('open');
    };
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = (e) => this.closed(ws, e.code);
  }

  /** Closes the socket and stops reconnecting (until `connect()`). */
  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    this.reset();
  }

  /** Drops the connection now and reconnects with backoff (e.g. after the tree went out of sync). */
  reset(): void {
    const ws = this.ws;
    if (ws) {
      this.closed(ws, CLOSE_NORMAL);
      ws.close();
    }
  }

  /** A view joined successfully: the next drop starts the backoff from the base again. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  /** Sends the frame `encode` builds with a fresh ref; returns the ref, or 0 when the socket is not open. */
  push(encode: (ref: number) => string): number {
    if (this.state !== 'open') return 0;
    const ref = ++this.ref;
    (this.ws as WebSocket).send(encode(ref));
    return ref;
  }

  private receive(data: unknown): void {
    const frame = decodeServerFrame(String(data));
    if (frame === undefined) return;
    // A newer (or older) server: this client cannot read it; the reloaded page brings a match.
    if (frame.type === 'version') return void reloadPage();
    if ((frame.type === 'reply' || frame.type === 'error') && frame.ref === this.beatRef && this.beatRef) {
      this.beatRef = 0;
      return;
    }
    if ((frame.type === 'reply' || frame.type === 'diff') && frame.diff !== undefined) mergeStatics(this.statics, frame.diff);
    this.handlers.frame(frame);
  }

  /** A heartbeat still unanswered one period later means a dead (half-open) connection. */
  private heartbeat(): void {
    if (this.beatRef) this.reset();
    else this.beatRef = this.push(encodeHeartbeat);
  }

  private closed(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return; // a socket we already gave up on
    ws.onopen = ws.onmessage = ws.onclose = null;
    this.ws = undefined;
    this.beatRef = 0;
    clearInterval(this.beat);
    this.setState('closed');
    if (code === CLOSE_PROTOCOL_MISMATCH || code === CLOSE_SESSION_UNKNOWN || CLOSES_TENANT_REFUSED.includes(code)) reloadPage();
    if (!this.wanted) return;
    // Exponential backoff with full jitter: spreads a server restart's reconnect storm.
    const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt++);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  private setState(state: SocketState): void {
    this.state = state;
    this.handlers.state(state);
  }
}
