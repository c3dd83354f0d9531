/**
 * The RFC 6455 framing the bench client needs, and nothing more: client frames are masked text
 * (or close/pong) frames; server frames are unmasked. No extensions are offered, so RSV bits must
 * be clear. Text is decoded as latin1: the drivers only read ASCII prefixes (frame type, ref), and
 * latin1 decoding is a plain byte copy, which keeps the client cheap next to the server it loads.
 */

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** A masked client frame. The mask comes from Math.random: unpredictability guards proxies, not a benchmark. */
export function encodeClientFrame(opcode: number, payload: string | Buffer): Buffer {
  const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const headerLen = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const buf = Buffer.allocUnsafe(headerLen + len);
  buf[0] = 0x80 | opcode;
  if (len < 126) {
    buf[1] = 0x80 | len;
  } else if (len < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeUInt32BE(0, 2);
    buf.writeUInt32BE(len, 6);
  }
  const maskAt = headerLen - 4;
  const mask = (Math.random() * 0x100000000) >>> 0;
  buf.writeUInt32BE(mask, maskAt);
  if (typeof payload === 'string') buf.write(payload, headerLen);
  else payload.copy(buf, headerLen);
  for (let i = 0; i < len; i++) buf[headerLen + i] ^= buf[maskAt + (i & 3)];
  return buf;
}

export interface FrameSink {
  /** A complete text (or binary) message; `size` is its payload length in bytes. */
  message(text: string, size: number): void;
  control(opcode: number, payload: Buffer): void;
  protocolError(reason: string): void;
}

/**
 * Incremental decoder of server frames. The common case — a chunk holding whole frames — is parsed
 * in place without copying; only a frame split across chunks is buffered.
 */
export class FrameDecoder {
  sink: FrameSink;
  pending: Buffer | null = null;
  fragments: Buffer[] = [];
  failed = false;

  constructor(sink: FrameSink) {
    this.sink = sink;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let at = 0;
    while (at < buf.length) {
      const used = this.frameAt(buf, at);
      if (used === 0) break;
      if (used < 0) return;
      at += used;
    }
    if (at < buf.length) this.pending = buf.subarray(at);
  }

  /** Returns bytes consumed, 0 when the frame is incomplete, -1 on a protocol error. */
  frameAt(buf: Buffer, at: number): number {
    if (buf.length - at < 2) return 0;
    const b0 = buf[at];
    const b1 = buf[at + 1];
    if ((b0 & 0x70) !== 0) return this.fail('RSV bit set without a negotiated extension');
    if ((b1 & 0x80) !== 0) return this.fail('masked server frame');
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) return 0;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) return 0;
      len = buf.readUInt32BE(at + 2) * 0x100000000 + buf.readUInt32BE(at + 6);
      head = 10;
    }
    if (buf.length - at < head + len) return 0;
    const start = at + head;
    this.deliver(b0 & 0x0f, (b0 & 0x80) !== 0, buf, start, start + len);
    return head + len;
  }

  deliver(opcode: number, fin: boolean, buf: Buffer, start: number, end: number): void {
    if (opcode >= 0x8) {
      this.sink.control(opcode, Buffer.from(buf.subarray(start, end)));
      return;
    }
    if (fin && opcode !== OP_CONTINUATION && this.fragments.length === 0) {
      this.sink.message(buf.toString('latin1', start, end), end - start);
      return;
    }
    // Copy: the chunk's memory is reused by the socket once we return.
    this.fragments.push(Buffer.from(buf.subarray(start, end)));
    if (!fin) return;
    const whole = Buffer.concat(this.fragments);
    this.fragments = [];
    this.sink.message(whole.toString('latin1', 0, whole.length), whole.length);
  }

  fail(reason: string): number {
    this.failed = true;
    this.sink.protocolError(reason);
    return -1;
  }
}
