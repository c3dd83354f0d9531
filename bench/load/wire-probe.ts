/**
 * Bytes on the wire for single events, with and without permessage-deflate. Uses the `ws` client
 * on purpose: this is about bytes, not speed, and `ws` implements the deflate extension. Each
 * step is one event and its reply; `wire` is what the socket read for that reply (frame header
 * included, compressed when deflate was negotiated), `payload` the reply's decompressed size.
 */
import WebSocket from 'ws';
import type { Target } from '../shared/load-protocol.ts';
import { prepareSession } from './drivers/index.ts';
import { KIND_REPLY } from './frames.ts';
import { getPage } from './http-get.ts';

/** One event and its reply, or one `lv-patch` (the URL it goes to) and its reply. */
export type WireStep = { event: string; payload: Record<string, unknown> } | { patch: string };

export interface WireSample {
  payload: number;
  wire: number;
  frame: string;
}

export interface WireProbe {
  negotiated: boolean;
  /** Size of the page's full HTML (GET /<view>); null when the server has no pages. */
  pageBytes: number | null;
  samples: WireSample[];
}

export async function probeWire(target: Target, view: string, steps: WireStep[], deflate: boolean): Promise<WireProbe> {
  const page = await getPage(target.host, target.port, `/${view}`, target.hostHeader);
  const pageBytes = page.status === 200 ? Buffer.byteLength(page.html) : null;
  const session = await prepareSession(target.driver, target, view);
  const protocol = session.protocol;
  const ws = new WebSocket(`ws://${target.host}:${target.port}${protocol.socketPath}`, {
    perMessageDeflate: deflate,
    headers: { ...protocol.headers, host: target.hostHeader ?? `${target.host}:${target.port}` },
  });
  const socket = () => (ws as unknown as { _socket: { bytesRead: number } })._socket;
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });
  const replies = new Map<number, (frame: Buffer, ok: boolean) => void>();
  ws.on('message', (data: Buffer) => {
    const c = protocol.classify(data.toString('latin1'));
    replies.get(c.ref)?.(data, c.kind === KIND_REPLY);
    replies.delete(c.ref);
  });
  const roundTrip = (ref: number, frame: string) =>
    new Promise<Buffer>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no reply to ref ${ref} within 10 s`)), 10_000);
      replies.set(ref, (data, ok) => {
        clearTimeout(timer);
        if (ok) done(data);
        else fail(new Error(`refused: ${data.toString('utf8').slice(0, 160)}`));
      });
      ws.send(frame);
    });
  try {
    let ref = 1;
    const join = protocol.joinFrame(ref);
    if (join !== null) protocol.joined((await roundTrip(ref++, join)).toString('utf8'));
    const samples: WireSample[] = [];
    for (const step of steps) {
      const before = socket().bytesRead;
      if ('patch' in step && protocol.patchFrame === undefined) throw new Error('this server has no live patches');
      const frame = 'patch' in step ? protocol.patchFrame!(ref, step.patch) : protocol.eventFrame(ref, step.event, step.payload);
      const reply = await roundTrip(ref, frame);
      ref++;
      samples.push({ payload: reply.length, wire: socket().bytesRead - before, frame: reply.toString('utf8') });
    }
    return { negotiated: ws.extensions.includes('permessage-deflate'), pageBytes, samples };
  } finally {
    ws.terminate();
  }
}
