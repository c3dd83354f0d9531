/**
 * A lean WebSocket client over node:net: one TCP socket, a handwritten upgrade request, the codec in
 * `ws-codec.ts`. It exists because the `ws` client costs more CPU per message than uWS spends
 * answering it, and a load generator must never be the bottleneck of what it measures.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { FrameDecoder, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, encodeClientFrame } from './ws-codec.ts';
import type { FrameSink } from './ws-codec.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WsConnectOptions {
  host: string;
  port: number;
  path: string;
  /** Sent as the Host header (tenancy may route on it); defaults to host:port. */
  hostHeader?: string;
  headers?: Record<string, string>;
  /** Source address, e.g. 127.0.0.7: spreads many clients over loopback addresses. */
  localAddress?: string;
  timeoutMs?: number;
}

export class WsConnection implements FrameSink {
  socket: Socket;
  decoder: FrameDecoder;
  open = true;
  onMessage: (text: string, size: number) => void = () => {};
  onClose: (reason: string) => void = () => {};

  constructor(socket: Socket) {
    this.socket = socket;
    this.decoder = new FrameDecoder(this);
  }

  send(text: string): void {
    if (this.open) this.socket.write(encodeClientFrame(OP_TEXT, text));
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.socket.end(encodeClientFrame(OP_CLOSE, Buffer.from([0x03, 0xe8])));
    // Do not wait for the server's close frame: a bench drops thousands of sockets at once.
    this.socket.destroySoon();
  }

  destroy(): void {
    this.open = false;
    this.socket.destroy();
  }

  message(text: string, size: number): void {
    this.onMessage(text, size);
  }

  control(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING && this.open) this.socket.write(encodeClientFrame(OP_PONG, payload));
    else if (opcode === OP_CLOSE) this.finish('closed by server');
  }

  protocolError(reason: string): void {
    this.finish(`protocol error: ${reason}`);
    this.socket.destroy();
  }

  finish(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.onClose(reason);
  }
}

/** Opens a socket, performs the upgrade, and resolves once the server answered 101. */
export function connectWs(opts: WsConnectOptions): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const socket = connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`upgrade timed out after ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
    let head: Buffer = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.on('connect', () => socket.write(upgradeRequest(opts, key)));
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', fail);
      clearTimeout(timer);
      const problem = checkUpgradeResponse(head.toString('latin1', 0, end), key);
      if (problem !== null) return fail(new Error(problem));
      const conn = new WsConnection(socket);
      socket.on('data', (c: Buffer) => conn.decoder.push(c));
      socket.on('error', (err) => conn.finish(err.message));
      socket.on('close', () => conn.finish('socket closed'));
      if (head.length > end + 4) conn.decoder.push(head.subarray(end + 4));
      resolve(conn);
    };
    socket.on('data', onData);
  });
}

function upgradeRequest(opts: WsConnectOptions, key: string): string {
  let req =
    `GET ${opts.path} HTTP/1.1\r\nHost: ${opts.hostHeader ?? `${opts.host}:${opts.port}`}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [name, value] of Object.entries(opts.headers ?? {})) req += `${name}: ${value}\r\n`;
  return `${req}\r\n`;
}

/** Returns null when the response is a valid 101 for our key, else what is wrong. */
export function checkUpgradeResponse(head: string, key: string): string | null {
  const lines = head.split('\r\n');
  if (!/^HTTP\/1\.1 101/.test(lines[0] ?? '')) return `upgrade refused: ${lines[0] ?? '(empty response)'}`;
  const expected = createHash('sha1').update(key + WS_GUID).digest('base64');
  const accept = lines.find((l) => l.toLowerCase().startsWith('sec-websocket-accept:'));
  if (accept?.slice(accept.indexOf(':') + 1).trim() !== expected) return 'bad Sec-WebSocket-Accept';
  if (lines.some((l) => l.toLowerCase().startsWith('sec-websocket-extensions:'))) {
    return 'server negotiated an extension the client did not offer';
  }
  return null;
}
