/**
 * The ceiling: uWebSockets.js with no framework, doing the least a server can do for each
 * scenario while putting the same bytes on the wire Livery would.
 *
 * - counter: an event `[2,"e",ref,1,"inc",{}]` is answered `[2,"r",ref,1,{"0":"<n>"}]` — Livery's
 *   counter reply, built by slicing the ref out of the request (no JSON.parse);
 * - clock: a joined socket receives a pre-rendered 100-byte frame once per second; sockets are
 *   spread over 100 buckets of 10 ms, as a tick scheduler spreads views;
 * - tick-1hz, tick-5hz, tick-10hz, tick-20hz: the same wheel at that rate, each socket pushed
 *   `[2,"d",1,{"0":"<n>"}]` with its own n counting up from 1,000,001 — byte for byte what
 *   Livery's tick-rate views push (the frequency ladder compares pushes of the same bytes);
 * - broadcast: joined sockets subscribe to one topic; an event `pub` with `{n}` is `app.publish` of
 *   `[2,"d",1,{"0":"<n>"}]`, what Livery's broadcast view pushes;
 * - idle: a plain connection; the join stores nothing.
 */
import { App, us_listen_socket_close, us_socket_local_port } from 'uws-pack';
import type { WebSocket, us_listen_socket } from 'uws-pack';
import { announceReady, installControl } from './shared/control.ts';

interface Conn {
  count: number;
  /** The wheel ticking this socket, and its slot on it (-1: not ticking). */
  wheel: Wheel | null;
  bucket: number;
  /** The number in the last frame a tick-rate wheel pushed (from a million: a fixed width). */
  seq: number;
}

const TOPIC = 'bench';
const BUCKET_MS = 10;
/**
 * uWS's SHARED_COMPRESSOR (the constant is exported at runtime but typed as a type only). Sends
 * pass `compress: true`, which uWS honours only on sockets that negotiated permessage-deflate (the
 * bytes scenario's second column); the lean load client never offers it.
 */
const SHARED_COMPRESSOR = 1;

const tickFrame = (() => {
  const prefix = '[2,"d",1,{"0":"';
  const suffix = '"}]';
  return prefix + 'x'.repeat(100 - prefix.length - suffix.length) + suffix;
})();

/** Sockets ticking every `periodMs`, spread round-robin over its 10 ms slots. */
class Wheel {
  readonly buckets: Set<WebSocket<Conn>>[];
  readonly frame: (data: Conn) => string;
  next = 0;
  constructor(periodMs: number, frame: (data: Conn) => string) {
    this.frame = frame;
    this.buckets = Array.from({ length: periodMs / BUCKET_MS }, () => new Set());
  }

  add(ws: WebSocket<Conn>): void {
    const data = ws.getUserData();
    data.wheel = this;
    data.bucket = this.next;
    this.next = (this.next + 1) % this.buckets.length;
    this.buckets[data.bucket].add(ws);
  }
}

const wheels = new Map<string, Wheel>([
  ['clock', new Wheel(1000, () => tickFrame)],
  ...[1, 5, 10, 20].map((hz) => [`tick-${hz}hz`, new Wheel(1000 / hz, (data: Conn) => `[2,"d",1,{"0":"${++data.seq}"}]`)] as const),
]);
const counters = { events: 0, joins: 0, publishes: 0, tickFrames: 0 };

const app = App();
app.ws<Conn>('/live', {
  compression: SHARED_COMPRESSOR,
  idleTimeout: 0,
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 4 * 1024 * 1024,
  open: (ws) => {
    const data = ws.getUserData();
    data.count = 0;
    data.wheel = null;
    data.bucket = -1;
    data.seq = 1_000_000;
  },
  message: (ws, message) => {
    try {
      onMessage(ws, Buffer.from(message).toString('latin1'));
    } catch {
      ws.end(1008, 'bad frame');
    }
  },
  close: (ws) => {
    const data = ws.getUserData();
    data.wheel?.buckets[data.bucket].delete(ws);
  },
});

function onMessage(ws: WebSocket<Conn>, frame: string): void {
  // [2,"e",ref,1,…: the type at index 4, the ref between index 7 and the next comma.
  const type = frame.charCodeAt(4);
  const refEnd = frame.indexOf(',', 7);
  const ref = frame.slice(7, refEnd);
  if (type === 101 /* e */) {
    counters.events++;
    if (frame.startsWith('"pub"', refEnd + 3)) {
      // [2,"e",ref,1,"pub",{"n":123}]: publish the sender's sequence number as Livery's view would show it.
      counters.publishes++;
      const n = frame.slice(frame.indexOf('"n":', refEnd) + 4, -2);
      app.publish(TOPIC, `[2,"d",1,{"0":"${n}"}]`, false, true);
      ws.send(`[2,"r",${ref},1]`, false, true);
      return;
    }
    const data = ws.getUserData();
    ws.send(`[2,"r",${ref},1,{"0":"${++data.count}"}]`, false, true);
  } else if (type === 106 /* j */) {
    counters.joins++;
    join(ws, frame.slice(refEnd + 4, -2));
    ws.send(`[2,"r",${ref},1]`, false, true);
  } else {
    ws.send(`[2,"r",${ref},1]`, false, true);
  }
}

function join(ws: WebSocket<Conn>, view: string): void {
  const wheel = wheels.get(view);
  if (wheel !== undefined) {
    wheel.add(ws);
  } else if (view === 'broadcast') {
    ws.subscribe(TOPIC);
  }
}

// Drift-free 10 ms wheel: catches up on the slots that came due since the last callback (at most a period of each wheel).
let lastSlot = Math.floor(performance.now() / BUCKET_MS);
const wheel = setInterval(() => {
  const slot = Math.floor(performance.now() / BUCKET_MS);
  for (const wheel of wheels.values()) {
    // At most one period of slots: after a stall longer than a period each socket gets one frame,
    // not one per period missed (a tick scheduler skips ahead the same way).
    for (let s = Math.max(lastSlot + 1, slot - wheel.buckets.length + 1); s <= slot; s++) {
      for (const ws of wheel.buckets[s % wheel.buckets.length]) {
        ws.send(wheel.frame(ws.getUserData()), false, true);
        counters.tickFrames++;
      }
    }
  }
  lastSlot = slot;
}, BUCKET_MS);

let listenSocket: us_listen_socket | null = null;
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    process.stderr.write('raw-uws: listen failed\n');
    process.exit(1);
  }
  listenSocket = socket;
  announceReady(us_socket_local_port(socket), { features: ['counter', 'broadcast', 'idle', ...wheels.keys()] });
});

installControl({
  stats: () => ({ ...counters }),
  reset: () => {
    for (const key of Object.keys(counters) as (keyof typeof counters)[]) counters[key] = 0;
  },
  close: () => {
    clearInterval(wheel);
    if (listenSocket !== null) us_listen_socket_close(listenSocket);
    app.close();
  },
});
