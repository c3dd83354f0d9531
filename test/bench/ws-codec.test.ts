/**
 * The load generator's RFC 6455 codec: client frames must be masked and decodable by a server;
 * server frames must be reassembled however TCP splits them.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { FrameDecoder, OP_CLOSE, OP_PING, OP_TEXT, encodeClientFrame } from '../../bench/load/ws-codec.ts';
import type { FrameSink } from '../../bench/load/ws-codec.ts';
import { checkUpgradeResponse } from '../../bench/load/ws-client.ts';

/** Decodes a masked client frame as a server would. */
function unmask(frame: Buffer): { fin: boolean; opcode: number; payload: string } {
  let len = frame[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    len = frame.readUInt32BE(6);
    at = 10;
  }
  const mask = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4, at + 4 + len)).map((b, i) => b ^ mask[i & 3]);
  return { fin: (frame[0] & 0x80) !== 0, opcode: frame[0] & 0x0f, payload: Buffer.from(payload).toString('utf8') };
}

/** An unmasked server frame. */
function serverFrame(opcode: number, payload: string | Buffer, fin = true): Buffer {
  const body = Buffer.from(payload);
  const head = body.length < 126 ? Buffer.from([0, body.length]) : body.length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (body.length >= 126 && body.length < 65536) {
    head[1] = 126;
    head.writeUInt16BE(body.length, 2);
  } else if (body.length >= 65536) {
    head[1] = 127;
    head.writeUInt32BE(body.length, 6);
  }
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, body]);
}

function collect(): { sink: FrameSink; messages: string[]; controls: number[]; errors: string[] } {
  const messages: string[] = [];
  const controls: number[] = [];
  const errors: string[] = [];
  return {
    messages,
    controls,
    errors,
    sink: { message: (text) => messages.push(text), control: (op) => controls.push(op), protocolError: (r) => errors.push(r) },
  };
}

t.test('client frames are masked and carry the payload at every length encoding', async (t) => {
  for (const size of [0, 20, 125, 126, 65535, 65536, 70000]) {
    const text = 'x'.repeat(size);
    const frame = encodeClientFrame(OP_TEXT, text);
    t.equal(frame[1] & 0x80, 0x80, `mask bit set at ${size} B`);
    const decoded = unmask(frame);
    t.same([decoded.fin, decoded.opcode, decoded.payload.length], [true, OP_TEXT, size], `round trip at ${size} B`);
    t.equal(decoded.payload, text);
  }
  t.equal(unmask(encodeClientFrame(OP_TEXT, '[2,"e",7,1,"inc",{}]')).payload, '[2,"e",7,1,"inc",{}]');
});

t.test('server frames decode whole, split byte by byte, and several per chunk', async (t) => {
  const frames = [serverFrame(OP_TEXT, '[2,"r",1,1]'), serverFrame(OP_TEXT, 'y'.repeat(300)), serverFrame(OP_TEXT, 'z'.repeat(70000))];
  const whole = collect();
  new FrameDecoder(whole.sink).push(Buffer.concat(frames));
  t.same(whole.messages.map((m) => m.length), [11, 300, 70000]);

  const split = collect();
  const decoder = new FrameDecoder(split.sink);
  const all = Buffer.concat(frames);
  for (let i = 0; i < all.length; i += 1 + (i % 7)) decoder.push(all.subarray(i, Math.min(all.length, i + 1 + (i % 7))));
  t.same(split.messages, whole.messages);
});

t.test('fragmented messages are reassembled; control frames pass through', async (t) => {
  const c = collect();
  new FrameDecoder(c.sink).push(Buffer.concat([serverFrame(OP_TEXT, 'hel', false), serverFrame(OP_PING, 'p'), serverFrame(0, 'lo')]));
  t.same(c.messages, ['hello']);
  t.same(c.controls, [OP_PING]);
  const closing = collect();
  new FrameDecoder(closing.sink).push(serverFrame(OP_CLOSE, Buffer.from([0x03, 0xe8])));
  t.same(closing.controls, [OP_CLOSE]);
});

t.test('masked server frames and unnegotiated RSV bits are protocol errors', async (t) => {
  const masked = collect();
  new FrameDecoder(masked.sink).push(encodeClientFrame(OP_TEXT, 'hi'));
  t.same(masked.errors, ['masked server frame']);
  const rsv = collect();
  const frame = serverFrame(OP_TEXT, 'hi');
  frame[0] |= 0x40;
  new FrameDecoder(rsv.sink).push(frame);
  t.match(rsv.errors[0], /RSV/);
  t.same(rsv.messages, []);
});

t.test('the upgrade response must be a 101 with the right accept key and no extension', async (t) => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  t.equal(accept, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 example key');
  t.equal(checkUpgradeResponse(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${accept}`, key), null);
  t.match(checkUpgradeResponse('HTTP/1.1 403 Forbidden', key), /refused/);
  t.match(checkUpgradeResponse('HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: nope', key), /Accept/);
  t.match(checkUpgradeResponse(`HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate`, key), /extension/);
});
