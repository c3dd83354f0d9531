/**
 * A session is one live socket joined to one view. Drivers differ in how they join and how frames
 * look; tasks only see this surface: send an event, get told about replies, pushes and errors.
 */
import { connectWs } from './ws-client.ts';
import type { WsConnection } from './ws-client.ts';
import { KIND_ERROR, KIND_PUSH, KIND_REPLY } from './frames.ts';
import type { Classified } from './frames.ts';

export interface SessionTarget {
  host: string;
  port: number;
  /** Host header for pages and the socket (tenancy routes on it). */
  hostHeader?: string;
}

export interface OpenOptions {
  localAddress?: string;
}

export type ReplyHandler = (ref: number, frame: string, size: number) => void;
export type PushHandler = (frame: string, size: number) => void;

/** What a driver supplies; `Session` does the bookkeeping around it. */
export interface Protocol {
  classify(frame: string): Classified;
  eventFrame(ref: number, name: string, payload: Record<string, unknown>): string;
  /** A live patch of the view's URL (an `lv-patch` link), where the server has them. */
  patchFrame?(ref: number, url: string): string;
  /** The join frame for `ref` on a fresh socket; null when the upgrade alone is the join. */
  joinFrame(ref: number): string | null;
  /** Called with the join reply; may keep a fresh token for the next rejoin. */
  joined(frame: string): void;
  socketPath: string;
  headers: Record<string, string>;
  /** A keep-alive the server requires (LiveViewJS drops views silent for 60 s); sent while joined. */
  heartbeat?: { everyMs: number; frame(ref: number): string };
}

export class Session {
  target: SessionTarget;
  protocol: Protocol;
  conn: WsConnection | null = null;
  heartbeat: NodeJS.Timeout | null = null;
  nextRef = 1;
  onReply: ReplyHandler = () => {};
  onPush: PushHandler = () => {};
  onError: (ref: number, frame: string) => void = () => {};
  onClose: (reason: string) => void = () => {};
  /** Frames and payload bytes received since the last join completed. */
  framesIn = 0;
  bytesIn = 0;

  constructor(target: SessionTarget, protocol: Protocol) {
    this.target = target;
    this.protocol = protocol;
  }

  /** Connects and joins; resolves with the join reply frame, rejects with the server's error. */
  async join(opts: OpenOptions = {}, timeoutMs = 15_000): Promise<string> {
    const conn = await connectWs({
      host: this.target.host,
      port: this.target.port,
      path: this.protocol.socketPath,
      hostHeader: this.target.hostHeader,
      headers: this.protocol.headers,
      localAddress: opts.localAddress,
      timeoutMs,
    });
    this.conn = conn;
    const ref = this.nextRef++;
    const frame = this.protocol.joinFrame(ref);
    const reply = frame === null ? '' : await this.awaitJoin(conn, ref, frame, timeoutMs);
    this.protocol.joined(reply);
    this.framesIn = 0;
    this.bytesIn = 0;
    conn.onMessage = (f, size) => this.dispatch(f, size);
    conn.onClose = (reason) => {
      this.stopHeartbeat();
      this.onClose(reason);
    };
    const beat = this.protocol.heartbeat;
    if (beat !== undefined) {
      // Its reply carries a ref no task is waiting for, so tasks ignore it.
      this.heartbeat = setInterval(() => this.conn?.send(beat.frame(this.nextRef++)), beat.everyMs);
      this.heartbeat.unref();
    }
    return reply;
  }

  stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  awaitJoin(conn: WsConnection, ref: number, frame: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`join timed out after ${timeoutMs} ms`)), timeoutMs);
      conn.onClose = (reason) => {
        clearTimeout(timer);
        reject(new Error(`socket closed during join: ${reason}`));
      };
      conn.onMessage = (text) => {
        const c = this.protocol.classify(text);
        if (c.ref !== ref) return;
        clearTimeout(timer);
        if (c.kind === KIND_REPLY) resolve(text);
        else reject(new Error(`join refused: ${text.slice(0, 160)}`));
      };
      conn.send(frame);
    });
  }

  dispatch(frame: string, size: number): void {
    this.framesIn++;
    this.bytesIn += size;
    const c = this.protocol.classify(frame);
    if (c.kind === KIND_REPLY) this.onReply(c.ref, frame, size);
    else if (c.kind === KIND_PUSH) this.onPush(frame, size);
    else if (c.kind === KIND_ERROR) this.onError(c.ref, frame);
  }

  /** Sends event `name` and returns its ref. */
  event(name: string, payload: Record<string, unknown> = {}): number {
    const ref = this.nextRef++;
    this.conn?.send(this.protocol.eventFrame(ref, name, payload));
    return ref;
  }

  get open(): boolean {
    return this.conn !== null && this.conn.open;
  }

  /** Drops the socket abruptly, as a lost network would (no leave frame). */
  drop(): void {
    this.stopHeartbeat();
    this.conn?.destroy();
    this.conn = null;
  }

  close(): void {
    this.stopHeartbeat();
    this.conn?.close();
    this.conn = null;
  }
}
