/**
 * One soak load process: holds its share of the sessions and churns them until told to stop.
 * Started by `run.ts` (the server and each load process stay under the 20,000 open files a
 * process may have); reports its counters over IPC every few seconds.
 *
 * A session is a page load (cookie, token) and a socket joined to its view. Each session sends an
 * event every `eventEvery` seconds on average, and about every `churnEvery` seconds does one of:
 * reconnect (drop the socket, join again with its latest token: the saved state resumes), leave
 * and join again on the same socket, or go away for good, replaced by a new session.
 */
import { getPage } from '../load/http-get.ts';
import { connectWs, type WsConnection } from '../load/ws-client.ts';
import { encodeEvent, encodeJoin, encodeLeave } from '../../server/protocol/codec.ts';

export interface LoadArgs {
  readonly port: number;
  readonly sessions: number;
  /** Sessions started per second while ramping up. */
  readonly rampPerSecond: number;
  readonly eventEvery: number;
  readonly churnEvery: number;
  /** Share of sessions in a room (topics, presence). */
  readonly roomShare: number;
}

export interface LoadStats {
  live: number;
  joins: number;
  joinFailures: number;
  reconnects: number;
  rejoins: number;
  replaced: number;
  events: number;
  replies: number;
  pushes: number;
  errors: Record<string, number>;
  drops: Record<string, number>;
}

const stats: LoadStats = { live: 0, joins: 0, joinFailures: 0, reconnects: 0, rejoins: 0, replaced: 0, events: 0, replies: 0, pushes: 0, errors: {}, drops: {} };
const count = (map: Record<string, number>, key: string) => { map[key] = (map[key] ?? 0) + 1; };
/** Exponentially distributed delay with the given mean (seconds): arrivals without lockstep. */
const after = (meanSeconds: number) => -Math.log(1 - Math.random()) * meanSeconds * 1000;

let args: LoadArgs;
let stopping = false;
const sessions = new Set<SoakSession>();

class SoakSession {
  readonly path: string;
  cookie = '';
  view = '';
  token = '';
  conn: WsConnection | null = null;
  ref = 0;
  joined = false;
  readonly #waiting = new Map<number, (frame: unknown[]) => void>();
  #timers: NodeJS.Timeout[] = [];

  constructor(path: string) {
    this.path = path;
  }

  async start(): Promise<void> {
    const page = await getPage('127.0.0.1', args.port, this.path);
    this.cookie = page.cookie;
    this.token = /data-lv-token="([^"]+)"/.exec(page.html)?.[1] ?? '';
    this.view = /data-lv-view="([^"]+)"/.exec(page.html)?.[1] ?? '';
    await this.connect();
    this.#schedule();
  }

  async connect(): Promise<void> {
    const conn = await connectWs({ host: '127.0.0.1', port: args.port, path: '/live', headers: { cookie: this.cookie } });
    this.conn = conn;
    conn.onMessage = (text) => this.#receive(text);
    conn.onClose = (reason) => {
      if (this.conn !== conn) return;
      this.conn = null;
      if (this.joined) stats.live--;
      this.joined = false;
      for (const resolve of this.#waiting.values()) resolve([2, 'x', 0, 0, 'CLOSED']);
      this.#waiting.clear();
      if (stopping) return;
      count(stats.drops, reason);
      // Keep the population: a dropped session reconnects (with its saved state).
      void this.connect().then(() => this.join()).catch(() => stats.joinFailures++);
    };
    this.ref = 0;
    await this.join();
  }

  async join(): Promise<void> {
    const reply = await this.#ask((ref) => encodeJoin(ref, 1, this.view, this.token));
    if (reply[1] !== 'r') {
      stats.joinFailures++;
      count(stats.errors, String(reply[4]));
      return;
    }
    const token = (reply[4] as { t?: string } | undefined)?.t;
    if (token !== undefined) this.token = token;
    stats.joins++;
    if (!this.joined) stats.live++;
    this.joined = true;
  }

  #ask(frame: (ref: number) => string): Promise<unknown[]> {
    const conn = this.conn;
    if (conn === null) return Promise.resolve([2, 'x', 0, 0, 'CLOSED']);
    const ref = ++this.ref;
    return new Promise((resolve) => {
      this.#waiting.set(ref, resolve);
      conn.send(frame(ref));
    });
  }

  #receive(text: string): void {
    if (text.startsWith('[2,"d"')) return void stats.pushes++;
    const frame = JSON.parse(text) as unknown[];
    if (frame[1] === 'x') count(stats.errors, String(frame[4]));
    const resolve = this.#waiting.get(frame[2] as number);
    if (resolve === undefined) return;
    this.#waiting.delete(frame[2] as number);
    resolve(frame);
  }

  #schedule(): void {
    const event = () => {
      if (stopping) return;
      if (this.joined) {
        stats.events++;
        void this.#ask((ref) => encodeEvent(ref, 1, Math.random() < 0.5 || this.path === '/soak' ? 'inc' : 'say', {})).then((reply) => {
          if (reply[1] === 'r') stats.replies++;
        });
      }
      this.#timers[0] = setTimeout(event, after(args.eventEvery));
    };
    const churn = () => {
      if (stopping) return;
      void this.#churn().catch(() => stats.joinFailures++).finally(() => {
        if (!stopping && sessions.has(this)) this.#timers[1] = setTimeout(churn, after(args.churnEvery));
      });
    };
    this.#timers = [setTimeout(event, after(args.eventEvery)), setTimeout(churn, after(args.churnEvery))];
  }

  async #churn(): Promise<void> {
    const dice = Math.random();
    if (dice < 0.5) {
      // Reconnect: the socket goes, a new one joins with the latest token.
      stats.reconnects++;
      this.#drop();
      await this.connect();
    } else if (dice < 0.75) {
      // Leave and join again on the same socket.
      if (!this.joined) return;
      // Not joined from the moment the leave is sent: no event goes out for the view meanwhile.
      this.joined = false;
      stats.live--;
      const left = await this.#ask((ref) => encodeLeave(ref, 1));
      if (left[1] !== 'r') return;
      stats.rejoins++;
      await this.join();
    } else {
      // Gone for good; a new visitor takes the place.
      stats.replaced++;
      this.stop();
      sessions.delete(this);
      const next = new SoakSession(this.path);
      sessions.add(next);
      await next.start();
    }
  }

  #drop(): void {
    const conn = this.conn;
    this.conn = null;
    if (this.joined) stats.live--;
    this.joined = false;
    conn?.close();
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#drop();
  }
}

async function ramp(): Promise<void> {
  const gap = 1000 / args.rampPerSecond;
  const starting: Promise<void>[] = [];
  for (let i = 0; i < args.sessions && !stopping; i++) {
    const session = new SoakSession(i < args.sessions * args.roomShare ? '/room' : '/soak');
    sessions.add(session);
    starting.push(session.start().catch(() => { stats.joinFailures++; }));
    await new Promise((resolve) => setTimeout(resolve, gap));
  }
  await Promise.all(starting);
}

if (process.send === undefined) {
  process.stderr.write('bench/soak/load.ts: start me from bench/soak/run.ts (needs an IPC channel)\n');
  process.exit(2);
}
const report = setInterval(() => process.send?.({ type: 'stats', stats }), 2000);
process.on('message', (message: { type: string; args?: LoadArgs }) => {
  if (message.type === 'start') {
    args = message.args!;
    void ramp().then(() => process.send?.({ type: 'ramped' }));
  } else if (message.type === 'stop') {
    stopping = true;
    for (const session of sessions) session.stop();
    clearInterval(report);
    setTimeout(() => {
      process.send?.({ type: 'stats', stats });
      process.send?.({ type: 'stopped' });
    }, 1000);
  }
});
process.on('disconnect', () => process.exit(0));
