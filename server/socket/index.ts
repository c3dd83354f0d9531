/**
 * The live socket: a native uWebSockets.js handler at `/live` on the same uWS app (and port)
 * that serves Fastify.
 *
 * Identity is settled once, at upgrade: the Origin is checked, the session cookie read, the
 * tenant decided, and all of it put into the socket's user data. After that no frame pays for
 * any of it again. Every uWS callback is guarded — an exception thrown inside one would kill
 * the process — and sends from outside uWS callbacks (timers, promises) are corked.
 */
import * as uws from 'uws-pack';
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uws-pack';
import { errors, LiveryError, type ErrorCode } from '../errors.ts';
import { Connection, type SocketIdentity, type Transport } from '../live/connection.ts';
import type { Runtime } from '../live/runtime.ts';
import { LIVE_PATH } from '../protocol/index.ts';
import { encodeDevOverlay } from '../protocol/codec.ts';
import { readCookie, readSessionId, type SessionStore } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';

interface SocketData extends SocketIdentity {
  conn?: Connection;
  open: boolean;
}

const compressors = uws as unknown as { SHARED_COMPRESSOR: number; DISABLED: number };

export interface LiveSocket {
  /** Refuses new sockets (shutdown has begun). */
  stopAccepting(): void;
}

export function attachLiveSocket(app: TemplatedApp, runtime: Runtime, sessions: SessionStore): LiveSocket {
  const { socket: options } = runtime.config;
  let accepting = true;

  app.ws<SocketData>(LIVE_PATH, {
    compression: options.compression ? compressors.SHARED_COMPRESSOR : compressors.DISABLED,
    // The configured limit is enforced in `message` (an error frame, then close 1009); uWS's own
    // cap, which drops the connection without a close frame, only guards memory beyond it.
    maxPayloadLength: options.maxFrameBytes * 4,
    idleTimeout: options.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    // Beyond 4× the coalescing threshold a client is not reading at all: drop it rather than buffer.
    maxBackpressure: options.backpressureBytes * 4,
    closeOnBackpressureLimit: true,

    // uWS's UpgradeAsync pattern: copy everything from `req` before the first await (it is
    // invalid afterwards), watch for the client going away, and upgrade corked.
    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      try {
        const headers = new Map<string, string>();
        req.forEach((name, value) => { headers.set(name, value); });
        const key = headers.get('sec-websocket-key') ?? '';
        const protocol = headers.get('sec-websocket-protocol') ?? '';
        const extensions = headers.get('sec-websocket-extensions') ?? '';
        if (!accepting) return refuse(res, 'LV_SERVER_SHUTDOWN', 503);
        if (!originAllowed(headers.get('origin') ?? '', headers.get('host') ?? '', options.allowedOrigins)) return refuse(res, 'LV_ORIGIN_FORBIDDEN');
        let aborted = false;
        res.onAborted(() => { aborted = true; });
        // The answer goes out from a macrotask of its own (see `onCleanStack`), never from
        // whatever callback happened to settle the identity.
        identify(runtime, sessions, headers).then(
          (identity) => onCleanStack(runtime, () => {
            if (aborted) return;
            const data: SocketData = { ...identity, open: true };
            res.cork(() => res.upgrade(data, key, protocol, extensions, context));
          }),
          (error: unknown) => onCleanStack(runtime, () => {
            if (aborted) return;
            if (!(error instanceof LiveryError) || error.serverFault) runtime.log.error({ err: error }, 'live socket upgrade failed');
            refuse(res, error instanceof LiveryError ? error.code : 'LV_INTERNAL');
          }),
        );
      } catch (error) {
        runtime.log.error({ err: error }, 'live socket upgrade failed');
        try { res.writeStatus('500 Internal Server Error').end(); } catch { /* already answered or aborted */ }
      }
    },

    open: (ws) => {
      guard(runtime, () => {
        const data = ws.getUserData();
        const conn = new Connection(new UwsTransport(ws, options.compression), runtime, data);
        data.conn = conn;
        runtime.connections.add(conn);
        // Dev loop only: the app is up again, so whatever the overlay showed is over.
        if (runtime.describe !== undefined) conn.send(encodeDevOverlay(null));
      });
    },

    message: (ws, message, isBinary) => {
      guard(runtime, () => {
        const conn = ws.getUserData().conn;
        if (conn === undefined) return;
        if (message.byteLength > options.maxFrameBytes) {
          conn.error(0, 0, 'LV_FRAME_TOO_LARGE', `${message.byteLength} > ${options.maxFrameBytes} bytes`);
          return conn.close(errors.LV_FRAME_TOO_LARGE.close, 'frame too large');
        }
        conn.receive(message, isBinary);
      });
    },

    drain: (ws) => {
      guard(runtime, () => ws.getUserData().conn?.drain());
    },

    close: (ws) => {
      guard(runtime, () => {
        const data = ws.getUserData();
        data.open = false;
        if (data.conn === undefined) return;
        runtime.connections.delete(data.conn);
        data.conn.end('disconnect').catch((error) => runtime.log.error({ err: error }, 'saving state on close failed'));
      });
    },
  });

  return {
    stopAccepting: () => { accepting = false; },
  };
}

/** The uWS socket as a Transport (a class: no per-socket closures). */
class UwsTransport implements Transport {
  readonly #ws: WebSocket<SocketData>;
  readonly #data: SocketData;
  readonly #compress: boolean;

  constructor(ws: WebSocket<SocketData>, compress: boolean) {
    this.#ws = ws;
    this.#data = ws.getUserData();
    this.#compress = compress;
  }

  // uWS throws on a closed socket; `open` flips in the close handler, before anything else runs.
  // `compress` only takes effect where the client negotiated permessage-deflate.
  send(text: string): void {
    if (this.#data.open) this.#ws.cork(() => this.#ws.send(text, false, this.#compress));
  }

  bufferedAmount(): number {
    return this.#data.open ? this.#ws.getBufferedAmount() : 0;
  }

  close(code: number, reason: string): void {
    if (this.#data.open) this.#ws.cork(() => this.#ws.end(code, reason));
  }
}

/**
 * Runs `answer` (an async upgrade or refusal) on a stack where no uWS callback is running.
 *
 * uWS marks "parsing HTTP" on the whole HTTP context, not per socket, and `res.upgrade` called
 * while that mark is set hands the new WebSocket to whichever socket is being parsed. A promise
 * settled inside another request's handler (Fastify's routes run in uWS callbacks, and Node
 * drains microtasks before returning to uWS) would upgrade in exactly that state: the socket
 * opens, but its frames are never dispatched — a join that is never answered. `setImmediate`
 * runs in libuv's check phase, outside every uWS callback, where an async upgrade is supported.
 */
function onCleanStack(runtime: Runtime, answer: () => void): void {
  setImmediate(() => guard(runtime, answer));
}

function guard(runtime: Runtime, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    runtime.log.error({ err: error }, 'live socket handler failed');
  }
}

/** Session and tenant for a new socket — the only tenant resolution a socket ever pays for. */
async function identify(runtime: Runtime, sessions: SessionStore, headers: Map<string, string>): Promise<SocketIdentity> {
  const cookieHeader = headers.get('cookie');
  const sessionId = readSessionId(cookieHeader) ?? '';
  const sessionData = sessionId === '' ? undefined : await sessions.get(sessionId);
  const tenant: TenantInfo | undefined = await runtime.gate.forSocket(
    {
      host: headers.get('host') ?? '',
      path: LIVE_PATH,
      header: (name) => headers.get(name),
      cookie: (name) => readCookie(cookieHeader, name),
      session: undefined,
    },
    sessionData,
  );
  return { sessionId, sessionData: sessionData ?? {}, tenant };
}

function refuse(res: HttpResponse, code: ErrorCode, status?: number): void {
  const spec = errors[code] as { message: string; status?: number };
  const http = status ?? spec.status ?? 500;
  res.cork(() => {
    res.writeStatus(`${http} ${STATUS_TEXT[http] ?? 'Error'}`).writeHeader('content-type', 'application/json')
      .end(JSON.stringify({ code, message: spec.message }));
  });
}

const STATUS_TEXT: Record<number, string> = { 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

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
