/**
 * Integration harness: a real Livery server on an ephemeral port and real WebSocket clients.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { createServer, type CreateServerOptions, type LiveryServer } from '../../server/index.ts';

export const FIXTURE_TEMPLATES = fileURLToPath(new URL('./fixtures/templates/', import.meta.url));

export interface TestServer {
  server: LiveryServer;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: CreateServerOptions): Promise<TestServer> {
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    templatesDir: FIXTURE_TEMPLATES,
    handleSignals: false,
    logLevel: 'silent',
    secret: 'test-secret-test-secret-test-secret-0123',
    ...options,
  });
  const url = await server.listen();
  return { server, url, port: Number(new URL(url).port), close: () => server.close() };
}

export interface Page {
  html: string;
  cookie: string;
  token: string;
  view: string;
  status: number;
}

/**
 * GETs a page like a browser would and pulls out the first view container's token. `host`
 * sets the Host header (e.g. `acme.localhost:1234` for subdomain tenancy): Node's fetch cannot,
 * so this uses node:http.
 */
export async function getPage(base: string, path: string, cookie?: string, host?: string): Promise<Page> {
  const { status, body: html, setCookie } = await httpGet(base + path, { ...(cookie ? { cookie } : {}), ...(host ? { host } : {}) });
  const token = /data-lv-token="([^"]+)"/.exec(html)?.[1] ?? '';
  const view = /data-lv-view="([^"]+)"/.exec(html)?.[1] ?? '';
  return { html, cookie: setCookie ? setCookie.split(';')[0] : (cookie ?? ''), token, view, status };
}

export function httpGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string; setCookie: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, setCookie: response.headers['set-cookie']?.[0] }));
    });
    request.on('error', reject);
  });
}

export type Frame = unknown[];

/** How long a test waits for a frame it expects before calling it a hang. */
export const FRAME_BOUND_MS = 15_000;

export interface ClientOptions {
  cookie?: string;
  origin?: string;
  /** Host header, e.g. `acme.localhost:1234` for subdomain tenancy. */
  host?: string;
  headers?: Record<string, string>;
}

/** A WebSocket client that queues frames so tests can await them in order. */
export class LiveClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly #waiters: Array<(frame: Frame) => void> = [];
  #ref = 0;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  constructor(base: string, options: ClientOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.origin) headers.origin = options.origin;
    if (options.host) headers.host = options.host;
    this.ws = new WebSocket(base.replace('http', 'ws') + '/live', { headers });
    this.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => { this.closeCode = code; resolve(code); }));
    this.ws.on('error', () => {});
  }

  static async open(base: string, options: ClientOptions = {}): Promise<LiveClient> {
    const client = new LiveClient(base, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      client.ws.once('error', reject);
    });
    return client;
  }

  nextRef(): number {
    return ++this.#ref;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * The next frame, or a rejection after `ms`: a bound that only a hang reaches, never a timing
   * assertion (a loaded CI machine may take seconds for what takes a millisecond here).
   */
  next(ms = FRAME_BOUND_MS): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(done);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no frame within ${ms} ms`));
      }, ms);
      const done = (frame: Frame) => { clearTimeout(timer); resolve(frame); };
      this.#waiters.push(done);
    });
  }

  /** Resolves true if no frame arrives within `ms` (used to prove "sends nothing"). */
  async silentFor(ms: number): Promise<boolean> {
    if (this.frames.length > 0) return false;
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  async join(vid: number, view: string, token: string, ms = FRAME_BOUND_MS): Promise<Frame> {
    const ref = this.nextRef();
    this.send([2, 'j', ref, vid, view, token]);
    return this.next(ms);
  }

  async event(vid: number, name: string, payload: unknown = {}): Promise<Frame> {
    const ref = this.nextRef();
    this.send([2, 'e', ref, vid, name, payload]);
    return this.next();
  }

  /** The code of the next error frame, skipping other frames (a failing handler may push a diff first). */
  async nextErrorCode(): Promise<string> {
    for (;;) {
      const frame = await this.next();
      if (frame[1] === 'x') return String(frame[4]);
    }
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

export interface Refusal {
  /** The HTTP status of a refused upgrade, or of a socket refused after it (close code − 4000); 101 when admitted. */
  status: number;
  /** The error code: from the refused upgrade's JSON body, or from the refused socket's error frame. */
  code: string | undefined;
}

/**
 * Tries a socket that should be refused. Origin and shutdown are refused at the upgrade (an HTTP
 * status); session and tenant are settled just after it, and a refused one gets an error frame
 * and close 4000 + status. A heartbeat tells the two apart: an admitted socket answers it.
 */
export function trySocket(base: string, headers: Record<string, string>): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace('http', 'ws') + '/live', { headers });
    let code: string | undefined;
    ws.once('open', () => ws.send(JSON.stringify([2, 'h', 1])));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[];
      if (frame[1] === 'r' && frame[2] === 1) {
        ws.close();
        resolve({ status: 101, code: undefined });
      } else if (frame[1] === 'x') {
        code = String(frame[4]);
      }
    });
    ws.once('close', (closeCode) => {
      if (closeCode >= 4000 && closeCode < 5000) resolve({ status: closeCode - 4000, code });
    });
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(body) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: response.statusCode ?? 0, code });
      });
    });
    // `on`, not `once`: a second error after the first must not go unhandled.
    ws.on('error', reject);
  });
}

let gc: (() => void) | undefined;

/**
 * The heap in use after full GCs, for the memory tests (measured as the bench does, D68): the
 * difference of two readings in one process, divided by what was added in between.
 */
export async function heapAfterGc(): Promise<number> {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
