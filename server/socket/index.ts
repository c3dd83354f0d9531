/**
 * The live socket: a native uWebSockets.js handler at `/live` on the same uWS app (and port)
 * that serves Fastify.
 *
 * Identity is settled once per socket: at upgrade the Origin and the per-address socket cap are
 * checked (server/admission) and the session and tenant lookups start; the socket's Connection exists once they settled, and no frame pays for
 * them again. The upgrade itself is answered synchronously, inside uWS's upgrade callback (see
 * `upgrade` for why); frames arriving before the identity settled wait, bounded, and a refused
 * identity closes the socket with an error frame. Every uWS callback is guarded — an exception
 * thrown inside one would kill the process — and sends from outside uWS callbacks (timers,
 * promises) are corked.
 */
import * as uws from 'uws-pack';
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uws-pack';
import { clientAddress, SocketCounts, trustFunction } from '../admission/index.ts';
import { errors, LiveryError, refusalCloseCode, type ErrorCode } from '../errors.ts';
import { Connection, newSocketId, type SocketIdentity, type StallReason, type Transport } from '../live/connection.ts';
import type { Runtime } from '../live/runtime.ts';
import type { LiveStats } from '../metrics/index.ts';
import { LIVE_PATH } from '../protocol/index.ts';
import { encodeDevOverlay, encodeError, errorFrameCode } from '../protocol/codec.ts';
import { readCookie, readSessionId, SESSION_COOKIE, type SessionStore } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import { SendBudget } from './backpressure.ts';

interface SocketData {
  /** Names the socket in log lines (`socketId`), from the upgrade on. */
  readonly id: string;
  /**
   * The socket's session and tenant, settling after the upgrade; dropped once `open` waits on it,
   * so an open socket does not keep the settled promise and its value (~100 bytes, D68).
   */
  identity: Promise<SocketIdentity> | undefined;
  /** Set once the identity settled and was admitted. */
  conn?: Connection;
  /** Frames that arrived before that (copies: uWS reuses its buffers), in order. */
  early?: ArrayBuffer[];
  earlyBytes: number;
  open: boolean;
  /** The client address it is counted under (socket.maxPerIp). */
  readonly client: string;
  /** The session it is counted under (socket.maxPerSession), once admitted. */
  session?: string;
}

/** Frames a socket may send before its identity settled (a page joins each of its views at once). */
const EARLY_FRAMES_MAX = 64;

/** The reason uWS hands the close handler when it dropped a socket for a text frame that was not UTF-8. */
const UWS_INVALID_UTF8 = 'Received invalid UTF-8';

const compressors = uws as unknown as { SHARED_COMPRESSOR: number; DISABLED: number };

export interface LiveSocket {
  /** Refuses new sockets (shutdown has begun). */
  stopAccepting(): void;
}

export function attachLiveSocket(app: TemplatedApp, runtime: Runtime, sessions: SessionStore): LiveSocket {
  const { socket: options } = runtime.config;
  let accepting = true;
  const trust = trustFunction(runtime.config.trustProxy);
  const perIp = new SocketCounts();
  const perSession = new SocketCounts();

  app.ws<SocketData>(LIVE_PATH, {
    compression: options.compression ? compressors.SHARED_COMPRESSOR : compressors.DISABLED,
    // The configured limit is enforced in `message` (an error frame, then close 1009); uWS's own
    // cap, which drops the connection without a close frame, only guards memory beyond it.
    maxPayloadLength: options.maxFrameBytes * 4,
    idleTimeout: options.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    // Livery closes a client that stops reading at 2× the budget, with a code (./backpressure.ts);
    // uWS's cap at 4× is the last guard, dropping the connection rather than buffering on.
    maxBackpressure: options.backpressureBytes * 4,
    closeOnBackpressureLimit: true,

    // Answered here, synchronously: the identity lookups (session store, tenant directory) start
    // now and settle after `open`. uWS's asynchronous upgrade (`res.cork(() => res.upgrade())`
    // after an await) is unsafe in the uWS build we ship: when the socket's memory is reused in
    // place, `cork` reads the new WebSocket as an HTTP response and may close it right after
    // `open` — a join never answered (uNetworking/uWebSockets#1929, fixed upstream later); and
    // upgraded while another request is being parsed, it can even abort the process.
    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const id = newSocketId();
      try {
        const headers = new Map<string, string>();
        req.forEach((name, value) => { headers.set(name, value); });
        const key = headers.get('sec-websocket-key') ?? '';
        const protocol = headers.get('sec-websocket-protocol') ?? '';
        const extensions = headers.get('sec-websocket-extensions') ?? '';
        const client = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), headers.get('x-forwarded-for'), trust);
        if (!accepting) return refuse(runtime, res, 'LV_SERVER_SHUTDOWN', 503);
        if (!originAllowed(headers.get('origin') ?? '', headers.get('host') ?? '', options.allowedOrigins)) return refuse(runtime, res, 'LV_ORIGIN_FORBIDDEN');
        // Counted here, synchronously, before any lookup: past the cap an upgrade costs a map lookup.
        if (!perIp.tryAdd(client, options.maxPerIp)) return refuse(runtime, res, 'LV_TOO_MANY_SOCKETS');
        const identity = identify(runtime, sessions, headers, client);
        identity.catch(() => {}); // handled in `open`; this only keeps an early close from leaving it unhandled
        const data: SocketData = { id, identity, earlyBytes: 0, open: true, client };
        try {
          res.upgrade(data, key, protocol, extensions, context);
        } catch (error) {
          perIp.remove(client);
          throw error;
        }
      } catch (error) {
        runtime.log.error({ err: error, socketId: id }, 'live socket upgrade failed');
        try { res.writeStatus('500 Internal Server Error').end(); } catch { /* already answered or aborted */ }
      }
    },

    open: (ws) => {
      guard(runtime, () => {
        const data = ws.getUserData();
        const settling = data.identity!;
        data.identity = undefined;
        settling.then(
          (identity) => guard(runtime, () => admit(ws, data, identity), ws),
          (error: unknown) => guard(runtime, () => refuseSocket(ws, data, error), ws),
        );
      }, ws);
    },

    message: (ws, message, isBinary) => {
      guard(runtime, () => {
        const data = ws.getUserData();
        if (message.byteLength > options.maxFrameBytes) {
          sendError(runtime, ws, 'LV_FRAME_TOO_LARGE', `${message.byteLength} > ${options.maxFrameBytes} bytes`);
          return ws.end(errors.LV_FRAME_TOO_LARGE.close, 'frame too large');
        }
        if (data.conn !== undefined) return data.conn.receive(message, isBinary);
        // Before the identity settled: keep the frame (bounded), to be handled in order after.
        if (isBinary) return sendError(runtime, ws, 'LV_BINARY_FRAME');
        data.earlyBytes += message.byteLength;
        if ((data.early?.length ?? 0) >= EARLY_FRAMES_MAX || data.earlyBytes > options.maxFrameBytes) {
          sendError(runtime, ws, 'LV_RATE_LIMIT_ABUSE');
          return ws.end(errors.LV_RATE_LIMIT_ABUSE.close, 'too many frames before the socket was identified');
        }
        (data.early ??= []).push(message.slice(0));
      }, ws);
    },

    drain: (ws) => {
      guard(runtime, () => ws.getUserData().conn?.drain(), ws);
    },

    close: (ws, code, message) => {
      guard(runtime, () => {
        runtime.counters.closed(code); // every close passes here, whichever side closed
        const data = ws.getUserData();
        data.open = false;
        data.early = undefined;
        perIp.remove(data.client);
        if (data.session !== undefined) perSession.remove(data.session);
        if (code === 1006 && Buffer.from(message).toString() === UWS_INVALID_UTF8) {
          // uWS fails the connection on a text frame that is not UTF-8 before `message` could
          // answer it (RFC 6455 §8.1 requires failing it; there is no option to pass the frame).
          // The client cannot be told, so the operator is, with the code an answer would carry —
          // also when the frame came before the socket's identity settled. Never the bytes.
          (data.conn?.log ?? runtime.log).warn({ code: 'LV_FRAME_MALFORMED' }, 'text frame was not valid UTF-8; the WebSocket layer dropped the connection');
        }
        if (data.conn === undefined) return;
        runtime.connections.delete(data.conn);
        const conn = data.conn;
        conn.end('disconnect').catch((error) => conn.log.error({ err: error }, 'saving state on close failed'));
      }, ws);
    },
  });

  /** The identity settled: the socket gets its Connection, which handles what arrived meanwhile. */
  function admit(ws: WebSocket<SocketData>, data: SocketData, identity: SocketIdentity): void {
    if (!data.open) return;
    // Anonymous sockets (no session) share the id '' and are bounded per address instead.
    if (identity.sessionId !== '') {
      if (!perSession.tryAdd(identity.sessionId, options.maxPerSession)) return refuseSocket(ws, data, new LiveryError('LV_TOO_MANY_SOCKETS', 'per session'));
      data.session = identity.sessionId;
    }
    let conn: Connection;
    try {
      conn = new Connection(new UwsTransport(ws, runtime), runtime, identity, data.id);
    } catch (error) {
      return refuseSocket(ws, data, error); // over its tenant's socket quota (close 4429)
    }
    data.conn = conn;
    runtime.connections.add(conn);
    // Dev loop only: the app is up again, so whatever the overlay showed is over.
    if (runtime.describe !== undefined) conn.send(encodeDevOverlay(null));
    const early = data.early ?? [];
    data.early = undefined;
    for (const frame of early) conn.receive(frame, false);
  }

  /** The identity was refused (unknown or suspended tenant, not a member, …): say why, then close. */
  function refuseSocket(ws: WebSocket<SocketData>, data: SocketData, error: unknown): void {
    if (!data.open) return;
    if (!(error instanceof LiveryError) || error.serverFault) runtime.log.error({ err: error, socketId: data.id }, 'live socket identity failed');
    const code: ErrorCode = error instanceof LiveryError ? error.code : 'LV_INTERNAL';
    ws.cork(() => {
      sendError(runtime, ws, code, error instanceof LiveryError ? error.detail : undefined);
      ws.end(refusalCloseCode(code), code);
    });
  }

  // A broadcast's identical frame to every socket of a topic goes out in one native publish (D70).
  // Only sockets under their send budget are ever on the receiving end (the hub publishes only
  // to groups whose every view could push), and uWS's own cap still guards each one.
  const compress = options.compression;
  const stats = runtime.counters;
  runtime.topics.fanout = (topic, frame, recipients) => {
    app.publish(topic, frame, false, compress);
    countedMany(stats, frame, recipients);
  };

  return {
    stopAccepting: () => { accepting = false; },
  };
}

/**
 * A socket refused after its upgrade closes with 4000 + the HTTP status its page would have had
 * (4403 forbidden or suspended, 4404 unknown tenant, 4402 payment required, 4429 rate limited,
 * too many sockets for the session or over a tenant quota, 4401 unknown session, 4500 internal),
 * after an error frame naming the code (`refusalCloseCode`, errors.ts).
 */
export { refusalCloseCode };

/** An error frame not tied to a join or an event (ref 0, vid 0), straight on the socket. */
function sendError(runtime: Runtime, ws: WebSocket<SocketData>, code: ErrorCode, detail?: string): void {
  ws.send(counted(runtime.counters, encodeError(0, 0, code, new LiveryError(code, detail).message), ws.getUserData()), false, false);
}

/**
 * Counts a frame on its way out. Every frame to a client passes here (UwsTransport.send and
 * sendError), so this is where the metrics count frames, bytes and error frames by code —
 * whatever code path, present or future, built the frame. A plain increment per frame; only an
 * error frame is looked into.
 */
function counted(stats: LiveStats, text: string, data: SocketData): string {
  stats.framesSent++;
  stats.bytesSent += text.length;
  const code = errorFrameCode(text);
  if (code !== undefined) stats.error(code, data.conn?.tenantCounts);
  return text;
}

/** Counts a frame published natively to `recipients` sockets (never an error frame: only diffs are published). */
function countedMany(stats: LiveStats, text: string, recipients: number): void {
  stats.framesSent += recipients;
  stats.framesPublished += recipients;
  stats.bytesSent += text.length * recipients;
}

/** The uWS socket as a Transport (a class: no per-socket closures), within its send budget. */
class UwsTransport implements Transport {
  readonly #ws: WebSocket<SocketData>;
  readonly #data: SocketData;
  readonly #runtime: Runtime;
  readonly #budget: SendBudget;
  readonly #compress: boolean;
  readonly #stats: LiveStats;

  constructor(ws: WebSocket<SocketData>, runtime: Runtime) {
    this.#ws = ws;
    this.#data = ws.getUserData();
    this.#runtime = runtime;
    this.#budget = new SendBudget(runtime.config.socket);
    this.#compress = runtime.config.socket.compression;
    this.#stats = runtime.counters;
  }

  // uWS throws on a closed socket; `open` flips in the close handler, before anything else runs.
  // `compress` only takes effect where the client negotiated permessage-deflate.
  send(text: string): void {
    if (!this.#data.open) return;
    const verdict = this.#budget.beforeSend(this.#ws.getBufferedAmount(), text);
    if (verdict !== 'send') return this.stalled(verdict);
    this.#ws.cork(() => this.#ws.send(counted(this.#stats, text, this.#data), false, this.#compress));
    this.#budget.afterSend(this.#ws.getBufferedAmount());
  }

  canPush(): boolean {
    if (!this.#data.open) return false;
    const verdict = this.#budget.beforePush(this.#ws.getBufferedAmount(), performance.now());
    if (verdict === 'push') return true;
    if (verdict !== 'hold') this.stalled(verdict);
    return false;
  }

  bufferedAmount(): number {
    return this.#data.open ? this.#ws.getBufferedAmount() : 0;
  }

  // Topics (D70): a closed socket is off every topic already (uWS), and throws if asked.
  subscribe(topic: string): void {
    if (this.#data.open) this.#ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (this.#data.open) this.#ws.unsubscribe(topic);
  }

  publishToOthers(topic: string, frame: string, recipients: number): boolean {
    if (!this.#data.open) return false;
    this.#ws.publish(topic, frame, false, this.#compress);
    countedMany(this.#stats, frame, recipients);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.#data.open) this.#ws.cork(() => this.#ws.end(code, reason));
  }

  /**
   * The client stopped reading: say so (the frame waits behind the backlog, read if the client
   * ever reads again) and close 4408. The close handler saves the views' state as on any drop.
   */
  stalled(reason: StallReason): void {
    if (!this.#data.open) return;
    const bufferedBytes = this.#ws.getBufferedAmount();
    const log = this.#data.conn?.log ?? this.#runtime.log;
    log.warn({ code: 'LV_SOCKET_STALLED', reason, bufferedBytes, peakBytes: this.#budget.peak }, 'client stopped reading; socket closed');
    this.#ws.cork(() => {
      sendError(this.#runtime, this.#ws, 'LV_SOCKET_STALLED');
      this.#ws.end(errors.LV_SOCKET_STALLED.close, 'client stopped reading');
    });
  }
}

function guard(runtime: Runtime, fn: () => void, ws?: WebSocket<SocketData>): void {
  try {
    fn();
  } catch (error) {
    socketLog(runtime, ws).error({ err: error }, 'live socket handler failed');
  }
}

/** The socket's logger (tenant, socket id, session tag), or one naming the socket id before it has a Connection. */
function socketLog(runtime: Runtime, ws: WebSocket<SocketData> | undefined): Runtime['log'] {
  try {
    const data = ws?.getUserData();
    if (data !== undefined) return data.conn?.log ?? runtime.log.child({ socketId: data.id });
  } catch {
    // uWS throws on a closed socket's user data: log without it
  }
  return runtime.log;
}

/** Session and tenant for a new socket — the only tenant resolution a socket ever pays for. */
async function identify(runtime: Runtime, sessions: SessionStore, headers: Map<string, string>, client: string): Promise<SocketIdentity> {
  const cookieHeader = headers.get('cookie');
  // A session cookie must name a session this server issued and still holds: an id a page never
  // handed out (fixation) or one rotated away at sign-in is refused, never adopted. No cookie at
  // all is an anonymous socket (non-browser clients); its join tokens, bound to a page's session,
  // do not verify on it.
  const presented = readCookie(cookieHeader, SESSION_COOKIE);
  const sessionId = readSessionId(cookieHeader) ?? '';
  const sessionData = sessionId === '' ? undefined : await sessions.get(sessionId);
  if (presented !== undefined && sessionData === undefined) throw new LiveryError('LV_SESSION_UNKNOWN');
  const request = {
    host: headers.get('host') ?? '',
    header: (name: string) => headers.get(name),
    cookie: (name: string) => readCookie(cookieHeader, name),
    client,
  };
  const tenant: TenantInfo | undefined = await runtime.gate.forSocket({ ...request, path: LIVE_PATH, session: undefined }, sessionData);
  // With tenancy the socket keeps its request: a navigation target's tenant is resolved from it,
  // as a page load on this host would resolve it — never from a host the client names.
  return { sessionId, sessionData: sessionData ?? {}, tenant, request: runtime.gate.enabled ? request : undefined };
}

function refuse(runtime: Runtime, res: HttpResponse, code: ErrorCode, status?: number): void {
  runtime.counters.error(code);
  const spec = errors[code] as { message: string; status?: number };
  const http = status ?? spec.status ?? 500;
  res.cork(() => {
    res.writeStatus(`${http} ${STATUS_TEXT[http] ?? 'Error'}`).writeHeader('content-type', 'application/json')
      .end(JSON.stringify({ code, message: spec.message }));
  });
}

const STATUS_TEXT: Record<number, string> = { 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * Browsers always send Origin on WebSocket upgrades; a page on another site must not be able to
 * open a socket with this site's cookies (cross-site WebSocket hijacking). Non-browser clients
 * send no Origin and are let through — they have no ambient cookies to abuse.
 */
export function originAllowed(origin: string, host: string, allowed: readonly string[]): boolean {
  if (origin === '') return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
