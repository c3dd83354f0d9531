/**
 * The one WebSocket a page keeps to `/live`: frame encoding, refs, heartbeat, reconnect.
 *
 * Frames are JSON arrays `[version, type, …]` (docs/protocol.md). This layer owns what is per
 * socket: the ref counter, the statics cache (statics travel once per fingerprint per socket, so
 * a new connection starts with an empty cache) and the protocol-version check. Everything per
 * view is routed to the handlers.
 */
import {
  CLOSE_PROTOCOL_MISMATCH,
  CLOSE_SESSION_UNKNOWN,
  F_DIFF,
  F_ERROR,
  F_HEARTBEAT,
  F_REPLY,
  LIVE_PATH,
  PROTOCOL_VERSION,
} from '../server/protocol/index.ts';
import { mergeStatics, type StaticsCache, type WireNode } from './rendered.ts';

export type SocketState = 'connecting' | 'open' | 'closed';
export type ServerFrame = [number, string, ...unknown[]];

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
      this.closed(ws, 1000);
      ws.close();
    }
  }

  /** A view joined successfully: the next drop starts the backoff from the base again. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  /** Sends `[1, type, ref, ...rest]`; returns the ref, or 0 when the socket is not open. */
  push(type: string, ...rest: unknown[]): number {
    if (this.state !== 'open') return 0;
    const ref = ++this.ref;
    (this.ws as WebSocket).send(JSON.stringify([PROTOCOL_VERSION, type, ref, ...rest]));
    return ref;
  }

  private receive(data: unknown): void {
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    // A newer (or older) server: this client cannot read it; the reloaded page brings a match.
    if (frame[0] !== PROTOCOL_VERSION) return void reloadPage();
    const type = frame[1];
    if ((type === F_REPLY || type === F_ERROR) && frame[2] === this.beatRef && this.beatRef) {
      this.beatRef = 0;
      return;
    }
    const diff = type === F_REPLY ? frame[4] : type === F_DIFF ? frame[3] : undefined;
    if (diff && typeof diff === 'object') mergeStatics(this.statics, diff as WireNode);
    this.handlers.frame(frame as ServerFrame);
  }

  /** A heartbeat still unanswered one period later means a dead (half-open) connection. */
  private heartbeat(): void {
    if (this.beatRef) this.reset();
    else this.beatRef = this.push(F_HEARTBEAT);
  }

  private closed(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return; // a socket we already gave up on
    ws.onopen = ws.onmessage = ws.onclose = null;
    this.ws = undefined;
    this.beatRef = 0;
    clearInterval(this.beat);
    this.setState('closed');
    if (code === CLOSE_PROTOCOL_MISMATCH || code === CLOSE_SESSION_UNKNOWN) reloadPage();
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
