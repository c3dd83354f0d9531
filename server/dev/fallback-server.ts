/**
 * What answers on the app's port while the app is not running (it crashed, or failed to start):
 * every page request gets the error overlay, `/healthz` says 503, and a live socket's reconnect
 * (`/live`) is accepted just far enough to send one `[2,"o",report]` frame — so a tab that was
 * open shows the overlay instead of "reconnecting…". Sockets are held open, not served: when the
 * supervisor restarts the app it closes them with 1012 (service restart) and the client
 * reconnects to the new process.
 *
 * The WebSocket side is the handshake and two frame kinds written by hand (RFC 6455 §4.2.2,
 * §5.2): enough to talk to a browser without a WebSocket library in the dev tooling.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_SERVICE_RESTART, LIVE_PATH, type DevErrorReport } from '../protocol/index.ts';
import { encodeDevOverlay } from '../protocol/codec.ts';
import { overlayPage } from './overlay.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface FallbackServer {
  /** Shows another error (a later crash) on the open tabs and future requests. */
  update(report: DevErrorReport): void;
  /** Closes held sockets with 1012 and stops listening, freeing the port for the app. */
  close(): Promise<void>;
}

export async function startFallbackServer(port: number, host: string, initial: DevErrorReport): Promise<FallbackServer> {
  let report = initial;
  const sockets = new Set<Duplex>();
  const server: Server = createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'down', error: report.title }));
      return;
    }
    response.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(overlayPage(report));
  });
  server.on('upgrade', (request, socket) => {
    const key = request.headers['sec-websocket-key'];
    if (request.url?.split('?')[0] !== LIVE_PATH || typeof key !== 'string') return void socket.destroy();
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.write(textFrame(encodeDevOverlay(report)));
    sockets.add(socket);
    socket.on('data', () => {}); // client frames (joins, heartbeats) go unanswered: the app is down
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    update(next) {
      report = next;
      for (const socket of sockets) socket.write(textFrame(encodeDevOverlay(report)));
    },
    async close() {
      for (const socket of sockets) socket.end(closeFrame(CLOSE_SERVICE_RESTART, 'restarting'));
      sockets.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** An unmasked server-to-client frame: FIN + opcode, then the payload length in 7, 16 or 64 bits. */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

function textFrame(text: string): Buffer {
  return frame(0x1, Buffer.from(text, 'utf8'));
}

function closeFrame(code: number, reason: string): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return frame(0x8, payload);
}
