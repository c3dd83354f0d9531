// client/socket.ts against stand-ins for the browser globals it uses (WebSocket, location,
// sessionStorage). Timers are captured synchronously around the calls that set them, so the
// backoff delays and the heartbeat can be driven by hand, without waiting.
import t from 'tap';
import { encodeEvent, encodeJoin } from '../../server/protocol/codec.ts';

interface SocketLike {
  state: string;
  statics: Map<string, unknown>;
  connect(): void;
  disconnect(): void;
  resetBackoff(): void;
  push(encode: (ref: number) => string): number;
}
interface SocketModule {
  LiveSocket: new (handlers: { state(s: string): void; frame(f: unknown): void }, url?: string) => SocketLike;
  reloadPage(): boolean;
}

class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  readonly url: string;
  sent: unknown[][] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(url: string) {
    this.url = url;
    FakeWebSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
  }
  receive(frame: unknown[]): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const storage = new Map<string, string>();
let reloads = 0;
const globals = globalThis as Record<string, unknown>;
const saved = { WebSocket: globals.WebSocket };
globals.WebSocket = FakeWebSocket;
globals.location = { protocol: 'http:', host: 'example.test', reload: () => reloads++ };
globals.sessionStorage = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) };
t.teardown(() => {
  globals.WebSocket = saved.WebSocket;
  delete globals.location;
  delete globals.sessionStorage;
});

// A variable specifier keeps the root (Node, no DOM lib) typecheck out of this browser module.
const socketPath = '../../client/socket.ts';
const { LiveSocket, reloadPage } = (await import(socketPath)) as SocketModule;

type Timer = { fn: () => void; ms: number };
/** Runs `fn` with setTimeout/setInterval recording instead of scheduling. */
function capture(fn: () => void, random?: number): Timer[] {
  const timers: Timer[] = [];
  const real = { st: setTimeout, si: setInterval, rnd: Math.random };
  globals.setTimeout = globals.setInterval = (cb: () => void, ms: number) => timers.push({ fn: cb, ms });
  if (random !== undefined) Math.random = () => random;
  try {
    fn();
  } finally {
    globals.setTimeout = real.st;
    globals.setInterval = real.si;
    Math.random = real.rnd;
  }
  return timers;
}

function open(): { socket: SocketLike; ws: FakeWebSocket; frames: unknown[]; states: string[]; heartbeat: () => void } {
  const frames: unknown[] = [];
  const states: string[] = [];
  const socket = new LiveSocket({ state: (s) => states.push(s), frame: (f) => frames.push(f) });
  socket.connect();
  const ws = FakeWebSocket.all.at(-1) as FakeWebSocket;
  const [beat] = capture(() => ws.onopen?.());
  return { socket, ws, frames, states, heartbeat: beat.fn };
}

t.beforeEach(() => {
  storage.clear();
  reloads = 0;
});

t.test('connects to /live on the page host and numbers frames with refs', async (t) => {
  const frames: unknown[] = [];
  const socket = new LiveSocket({ state: () => {}, frame: (f) => frames.push(f) });
  t.equal(socket.push((ref) => encodeEvent(ref, 1, 'inc', {})), 0, 'nothing is sent before the socket opens');
  socket.connect();
  const ws = FakeWebSocket.all.at(-1) as FakeWebSocket;
  t.equal(ws.url, 'ws://example.test/live');
  capture(() => ws.onopen?.());
  t.equal(socket.push((ref) => encodeJoin(ref, 1, 'counter', 'tok')), 1);
  t.equal(socket.push((ref) => encodeEvent(ref, 1, 'inc', { a: 1 })), 2);
  t.same(ws.sent, [[2, 'j', 1, 1, 'counter', 'tok'], [2, 'e', 2, 1, 'inc', { a: 1 }]]);
  ws.receive([2, 'r', 2, 1]);
  t.same(frames, [{ type: 'reply', ref: 2, vid: 1 }], 'frames of this version reach the handler, decoded');
  socket.disconnect();
});

t.test('statics are cached per socket: a new connection starts empty', async (t) => {
  const { socket, ws } = open();
  ws.receive([2, 'r', 1, 1, { p: { fp1: ['<b>', '</b>'] }, s: 'fp1', 0: 'x' }]);
  ws.receive([2, 'd', 1, { p: { fp2: ['<i>', '</i>'] }, 0: { s: 'fp2', 0: 'y' } }]);
  t.same([...socket.statics.keys()], ['fp1', 'fp2']);
  const [retry] = capture(() => ws.onclose?.({ code: 1006 }));
  retry.fn();
  t.equal(socket.statics.size, 0);
  socket.disconnect();
});

t.test('another protocol version reloads the page, at most once per 10 s', async (t) => {
  const { socket, ws, frames } = open();
  ws.receive([1, 'd', 1, {}]);
  t.equal(reloads, 1, 'a frame of version 1 reloads');
  t.same(frames, [], 'and is not interpreted');
  ws.receive([1, 'd', 1, {}]);
  t.equal(reloads, 1, 'not again within 10 s');
  storage.set('lv-reload-at', String(Date.now() - 11_000));
  t.equal(reloadPage(), true);
  t.equal(reloads, 2, 'again once 10 s have passed');
  socket.disconnect();
});

t.test('close code 4000 reloads the page', async (t) => {
  const { socket, ws } = open();
  capture(() => ws.onclose?.({ code: 4000 }));
  t.equal(reloads, 1);
  socket.disconnect();
});

t.test('close code 4401 (the session is unknown: ended or rotated) reloads the page for a fresh one', async (t) => {
  const { socket, ws } = open();
  capture(() => ws.onclose?.({ code: 4401 }));
  t.equal(reloads, 1);
  storage.clear(); // so the reload guard cannot be what stops a second reload
  const other = open();
  capture(() => other.ws.onclose?.({ code: 4429 }));
  t.equal(reloads, 1, 'other refusals do not reload');
  socket.disconnect();
  other.socket.disconnect();
});

t.test('close codes 4402, 4403, 4404 (the tenant was suspended, unpaid or deleted while the page was open) reload the page, which says why', async (t) => {
  for (const code of [4402, 4403, 4404]) {
    storage.clear();
    const before = reloads;
    const { socket, ws } = open();
    capture(() => ws.onclose?.({ code }));
    t.equal(reloads, before + 1, `${code} reloads`);
    socket.disconnect();
  }
});

t.test('reconnect: exponential backoff with full jitter, capped, reset by a successful join', async (t) => {
  const { socket, ws } = open();
  const delays = (n: number, random: number, first: FakeWebSocket): number[] => {
    const out: number[] = [];
    let cur = first;
    for (let i = 0; i < n; i++) {
      const [retry] = capture(() => cur.onclose?.({ code: 1006 }), random);
      out.push(retry.ms);
      retry.fn();
      cur = FakeWebSocket.all.at(-1) as FakeWebSocket;
    }
    return out;
  };
  t.same(delays(8, 1, ws), [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000], 'the top of each window');
  socket.resetBackoff();
  t.same(delays(3, 0.5, FakeWebSocket.all.at(-1) as FakeWebSocket), [100, 200, 400], 'jitter picks within the window');
  socket.disconnect();
});

t.test('a heartbeat without a reply by the next beat drops the socket and reconnects', async (t) => {
  const { socket, ws, frames, states, heartbeat } = open();
  heartbeat();
  const [beat] = ws.sent;
  t.same(beat, [2, 'h', 1]);
  ws.receive([2, 'r', 1, 0]);
  t.same(frames, [], 'the heartbeat reply is consumed by the socket');
  heartbeat();
  t.same(ws.sent[1], [2, 'h', 2], 'answered: the next beat is sent');
  const timers = capture(() => heartbeat());
  t.ok(ws.closed, 'unanswered: the socket is closed');
  t.equal(socket.state, 'closed');
  t.same(states, ['connecting', 'open', 'closed']);
  t.equal(timers.length, 1, 'and a reconnect is scheduled');
  socket.disconnect();
});

t.test('disconnect() stops reconnecting', async (t) => {
  const { socket, ws } = open();
  const timers = capture(() => socket.disconnect());
  t.ok(ws.closed);
  t.equal(socket.state, 'closed');
  t.same(timers, [], 'no reconnect');
});
