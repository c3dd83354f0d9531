/**
 * Fuzzing the live socket: generated runs of frames (./frames.ts) against the example app in its
 * own process (./target.ts), each frame's outcome checked against the protocol (./oracle.ts).
 *
 * Properties, per run (a failing run is a fast-check counterexample with its seed and path):
 * - every frame is answered as docs/protocol.md says — one `r` or `x` frame with its ref, or `x`
 *   with ref 0 for what has none — within a bound, and never answered twice;
 * - every error code is in the registry and is one a client's bad input may cause (a handler
 *   that threw, a failed render or an internal error in answer to input is a finding);
 * - the socket closes only after the frames that must close it, with their documented code;
 * - every frame the server sends is well formed.
 * And across the whole run: the target process never exits and logs no error, a bystander socket
 * keeps getting its replies, and the process's memory stays bounded.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { getPage } from '../live/harness.ts';
import { TENANTS, VIEWS, render, runSpec, type Rendered, type RunSpec } from './frames.ts';
import { checkServerFrame, CLIENT_FAULTS, expect, PUSHED_ERRORS, type Expectation } from './oracle.ts';
import { TargetProcess, type LogLine, type TargetStats } from './target-process.ts';

/** How long one frame may wait for its answer: the join deadline (10 s) plus a margin. */
const ANSWER_BOUND_MS = 20_000;
const LIMITS = { maxFrameBytes: 65_536 };

interface Pending {
  readonly ref: number;
  readonly code: string | undefined;
  readonly label: string;
}

/** One fuzzing socket: sends frames, matches every answer to the frame waiting for it. */
class FuzzSocket {
  readonly ws: WebSocket;
  readonly #pending: Pending[] = [];
  readonly problems: string[] = [];
  closeCode: number | undefined;
  #changed: (() => void) | undefined;
  #ref = 0;
  /** Frames the server sent this socket. */
  received = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => this.#receive(String(data)));
    ws.on('close', (code) => {
      this.closeCode = code;
      this.#changed?.();
    });
    ws.on('error', () => {});
  }

  static open(port: number, cookie: string, host: string): Promise<FuzzSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { cookie, host } });
    const socket = new FuzzSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  nextRef(): number {
    return ++this.#ref;
  }

  send(frame: Rendered, expected: Expectation, label: string): void {
    if (expected.ref !== undefined) this.#pending.push({ ref: expected.ref, code: expected.code, label });
    this.ws.send(frame.bytes, { binary: frame.binary });
  }

  #receive(text: string): void {
    this.received++;
    this.#handle(text);
    this.#changed?.();
  }

  #handle(text: string): void {
    let frame: unknown[];
    try {
      frame = JSON.parse(text) as unknown[];
    } catch {
      return void this.problems.push(`the server sent a frame that is not JSON: ${text.slice(0, 200)}`);
    }
    const wrong = checkServerFrame(frame);
    if (wrong !== undefined) return void this.problems.push(`the server sent a malformed frame (${wrong}): ${text.slice(0, 200)}`);
    if (frame[1] === 'd') return;
    const [, type, ref, , code] = frame as [number, string, number, number, string?];
    const i = this.#pending.findIndex((p) => p.ref === ref && (p.code === undefined || p.code === code));
    if (i < 0 && type === 'x' && ref === 0 && PUSHED_ERRORS.has(code!)) return;
    if (i < 0) {
      this.problems.push(`an answer no frame was waiting for: ${text.slice(0, 200)} (waiting: ${this.#pending.map((p) => p.ref).join(',') || 'none'})`);
    } else {
      const [pending] = this.#pending.splice(i, 1);
      if (type === 'x' && !CLIENT_FAULTS.has(code!)) this.problems.push(`${pending!.label} was answered with ${code}, a server fault: ${text.slice(0, 300)}`);
    }
  }

  /** Resolves once every frame sent has its answer; throws on a problem, a close or the bound. */
  async settle(): Promise<void> {
    await this.#until(() => this.#pending.length === 0 || this.closeCode !== undefined, 'answers');
    this.#check();
    if (this.#pending.length > 0) throw new Error(`the socket closed (${this.closeCode}) before answering: ${this.#pending.map((p) => p.label).join('; ')}`);
  }

  /** Resolves with the close code once the server closed the socket. */
  async closed(): Promise<number> {
    await this.#until(() => this.closeCode !== undefined, 'the close');
    this.#check();
    return this.closeCode!;
  }

  #check(): void {
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
  }

  #until(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#changed = undefined;
        reject(new Error(`no ${what} within ${ANSWER_BOUND_MS} ms; waiting for: ${this.#pending.map((p) => p.label).join('; ')}`));
      }, ANSWER_BOUND_MS);
      this.#changed = () => {
        if (!done() && this.problems.length === 0) return;
        clearTimeout(timer);
        this.#changed = undefined;
        resolve();
      };
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A fuzz session: its cookie and a join token per tenant and view. */
interface Session {
  readonly cookie: string;
  /** tokens[tenant][view] */
  readonly tokens: string[][];
}

async function openSession(port: number): Promise<Session> {
  const base = `http://127.0.0.1:${port}`;
  const first = await getPage(base, '/counter');
  const tokens = await Promise.all(TENANTS.map((tenant) =>
    Promise.all(VIEWS.map(async (view) => {
      const page = await getPage(base, view.path, first.cookie, tenant.host(port));
      // A nested view's token is its container's, inside the page's (D81).
      const token = 'nested' in view ? new RegExp(`data-lv-view="${view.name}"[^>]*data-lv-token="([^"]+)"`).exec(page.html)?.[1] : page.token;
      return token || 'no-token';
    }))));
  return { cookie: first.cookie, tokens };
}

/** Serves itself a counter next to the fuzzing and checks that every reply comes, in order. */
class Bystander {
  readonly #ws: WebSocket;
  readonly #answers = new Map<number, (frame: unknown[]) => void>();
  #ref = 0;
  #count = 0;
  replies = 0;
  maxLatencyMs = 0;
  problem: string | undefined;
  closeCode: number | undefined;
  #running = true;
  #done: Promise<void> = Promise.resolve();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[];
      if (frame[1] !== 'd') this.#answers.get(frame[2] as number)?.(frame);
    });
    ws.on('close', (code) => { this.closeCode = code; });
    ws.on('error', () => {});
  }

  static async start(port: number): Promise<Bystander> {
    const session = await openSession(port);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { cookie: session.cookie, host: TENANTS[0].host(port) } });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const bystander = new Bystander(ws);
    const joined = await bystander.#ask(['j', 1, 'CounterView', session.tokens[0]![0]]);
    if (joined?.[1] !== 'r') throw new Error(`the bystander could not join: ${JSON.stringify(joined)}`);
    bystander.#done = bystander.#loop();
    return bystander;
  }

  /** Sends `[2, type, ref, …rest]`; the answer with that ref, or undefined past the bound. */
  #ask([type, ...rest]: unknown[]): Promise<unknown[] | undefined> {
    const ref = ++this.#ref;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#answers.delete(ref); resolve(undefined); }, ANSWER_BOUND_MS);
      this.#answers.set(ref, (frame) => { clearTimeout(timer); this.#answers.delete(ref); resolve(frame); });
      this.#ws.send(JSON.stringify([2, type, ref, ...rest]));
    });
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      const frame = await this.#ask(['e', 1, 'inc', {}]);
      if (frame === undefined) return void (this.problem = `the bystander's event ${this.#ref} got no reply within ${ANSWER_BOUND_MS} ms (socket ${this.closeCode ?? 'open'})`);
      const expected = JSON.stringify([2, 'r', this.#ref, 1, { 0: String(++this.#count) }]);
      if (JSON.stringify(frame) !== expected) return void (this.problem = `the bystander got ${JSON.stringify(frame)}, expected ${expected}`);
      this.replies++;
      this.maxLatencyMs = Math.max(this.maxLatencyMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
    if (this.closeCode !== undefined && this.problem === undefined) this.problem = `the bystander's socket closed (${this.closeCode})`;
    this.#ws.terminate();
  }
}

export interface SocketFuzzOptions {
  /** At least this many frames are sent (whole runs: the last round may go a little over). */
  readonly frames: number;
  readonly seed: number;
  /** Replays one run (with `seed`): the path fast-check printed for a failure. */
  readonly path?: string;
  /** Runs in flight at once (each its own socket and seed). */
  readonly concurrency: number;
  /** Frames per run, at most. */
  readonly maxFrames: number;
  /** Sessions whose tokens the runs use (and steal from each other). */
  readonly sessions: number;
  /** Fail when the target's heap after a full GC passes this (bytes). */
  readonly maxHeapBytes: number;
  /** Shrink a failing run (slow: every step is a run). */
  readonly shrink: boolean;
  readonly progress?: (done: number, total: number) => void;
}

export interface Failure {
  readonly what: string;
  /** How to run it again: `--seed … --path …`. */
  readonly reproduce?: string;
}

export interface SocketFuzzResult {
  readonly frames: number;
  readonly runs: number;
  readonly elapsedMs: number;
  readonly failures: Failure[];
  readonly bystander: { replies: number; maxLatencyMs: number };
  readonly memory: { first: TargetStats; peakRss: number; peakHeapUsed: number; last: TargetStats | undefined };
  readonly warnings: Record<string, number>;
  readonly answered: number;
}

export async function fuzzSocket(options: SocketFuzzOptions): Promise<SocketFuzzResult> {
  const failures: Failure[] = [];
  const warnings: Record<string, number> = {};
  const target = await TargetProcess.start((line: LogLine) => {
    if (line.level >= 50) failures.push({ what: `the server logged an error: ${line.msg} ${line.err?.stack ?? line.err?.message ?? ''}`.slice(0, 2000) });
    else warnings[`${line.code ?? ''} ${line.msg}`.trim()] = (warnings[`${line.code ?? ''} ${line.msg}`.trim()] ?? 0) + 1;
  });
  const port = target.port;
  let frames = 0;
  let runs = 0;
  let answered = 0;
  const started = performance.now();
  try {
    const sessions = await Promise.all(Array.from({ length: options.sessions }, () => openSession(port)));
    const first = await target.stats();
    let peakRss = first.rss;
    let peakHeapUsed = first.heapUsed;
    const bystander = await Bystander.start(port);

    const execute = async (run: RunSpec): Promise<void> => {
      if (target.exited !== undefined) throw new Error(`the target process exited (${JSON.stringify(target.exited)})`);
      const session = sessions[run.session]!;
      const other = sessions[(run.session + 1) % sessions.length]!;
      const host = TENANTS[run.tenant]!.host(port);
      let socket = await FuzzSocket.open(port, session.cookie, host);
      const ctx = {
        nextRef: () => socket.nextRef(),
        token: (view: number, tenant: number, whose: 'own' | 'other') => (whose === 'own' ? session : other).tokens[tenant]![view]!,
      };
      const sent = (n: number) => { frames += n; };
      try {
        // A heartbeat first: its answer means the socket's identity settled (frames sent before
        // that are buffered, at most 64 of them, which a long run would exceed).
        const hb = socket.nextRef();
        socket.send({ bytes: Buffer.from(`[2,"h",${hb}]`), binary: false }, { ref: hb }, 'heartbeat');
        run.prelude.forEach((view, i) => {
          const ref = socket.nextRef();
          socket.send({ bytes: Buffer.from(JSON.stringify([2, 'j', ref, i + 1, VIEWS[view]!.name, session.tokens[run.tenant]![view]])), binary: false }, { ref }, `prelude join ${VIEWS[view]!.name}`);
        });
        sent(1 + run.prelude.length);
        await socket.settle();
        for (let i = 0; i < run.frames.length; i++) {
          const frame = render(run.frames[i]!, ctx);
          const expected = expect(frame, LIMITS);
          const label = `frame ${i} (${describe(frame)}; expected ${JSON.stringify(expected)})`;
          sent(1);
          if (expected.close === undefined) {
            socket.send(frame, expected, label);
            continue;
          }
          // A frame that ends the socket goes alone, once everything before it is answered.
          await socket.settle();
          socket.send(frame, expected, label);
          await socket.settle();
          const code = await socket.closed();
          if (code !== expected.close) throw new Error(`${label}: the socket closed with ${code}`);
          answered += socket.received;
          socket = await FuzzSocket.open(port, session.cookie, host);
        }
        await socket.settle();
        answered += socket.received;
      } finally {
        socket.close();
      }
    };

    const makeProperty = (failed: { error?: unknown }) => fc.asyncProperty(runSpec(options.sessions, options.maxFrames), async (run) => {
      runs++;
      try {
        await execute(run);
      } catch (error) {
        failed.error = error; // the last failing run's error: the counterexample's, once shrunk
        throw error;
      }
    });
    const check = async (seed: number, numRuns: number) => {
      const failed: { error?: unknown } = {};
      try {
        await fc.assert(makeProperty(failed), { seed, numRuns, endOnFailure: !options.shrink, ...(options.path === undefined ? {} : { path: options.path }) });
      } catch (error) {
        const report = (error as Error).message;
        const path = /path: "([^"]*)"/.exec(report)?.[1];
        const counterexample = /Counterexample: (.*)/.exec(report)?.[1] ?? report;
        failures.push({
          what: `${(failed.error as Error | undefined)?.message ?? report}\nrun: ${counterexample.slice(0, 4000)}`,
          reproduce: `--only socket --seed ${seed}${path === undefined ? '' : ` --path ${path}`} --max-frames ${options.maxFrames} --sessions ${options.sessions}`,
        });
      }
    };

    if (options.path !== undefined) {
      await check(options.seed, 1);
    } else {
      // Rounds of `concurrency` properties side by side, each with its own seed, until enough frames went out.
      // Each round sized to the frames still to send (a run's length averages about half the maximum plus the prelude).
      const perRun = (options.maxFrames + 1) / 2 + 3;
      for (let round = 0; frames < options.frames && target.exited === undefined; round++) {
        const numRuns = Math.max(1, Math.min(50, Math.ceil((options.frames - frames) / perRun / options.concurrency)));
        const seeds = Array.from({ length: options.concurrency }, (_, i) => options.seed + round * options.concurrency + i);
        await Promise.all(seeds.map((seed) => check(seed, numRuns)));
        const stats = await target.stats().catch(() => undefined);
        if (stats !== undefined) {
          peakRss = Math.max(peakRss, stats.rss);
          peakHeapUsed = Math.max(peakHeapUsed, stats.heapUsed);
          if (stats.heapUsed > options.maxHeapBytes) failures.push({ what: `the target's heap after a full GC is ${stats.heapUsed} bytes (limit ${options.maxHeapBytes})` });
        }
        options.progress?.(frames, options.frames);
        if (failures.length > 50) break;
      }
    }

    await bystander.stop();
    if (bystander.problem !== undefined) failures.push({ what: bystander.problem });
    if (bystander.replies === 0) failures.push({ what: 'the bystander got no reply at all' });
    if (target.exited !== undefined) failures.push({ what: `the target process exited: ${JSON.stringify(target.exited)}` });
    // The server sees the last closes a moment after they are sent: wait (bounded) for them.
    let last = await target.stats().catch(() => undefined);
    for (let i = 0; i < 40 && last !== undefined && (last.counts.connections > 0 || last.counts.views > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await target.stats().catch(() => undefined);
    }
    if (last !== undefined) {
      peakRss = Math.max(peakRss, last.rss);
      peakHeapUsed = Math.max(peakHeapUsed, last.heapUsed);
    }
    return {
      frames, runs, answered, elapsedMs: performance.now() - started, failures, warnings,
      bystander: { replies: bystander.replies, maxLatencyMs: bystander.maxLatencyMs },
      memory: { first, peakRss, peakHeapUsed, last },
    };
  } finally {
    await target.stop();
  }
}

function describe(frame: Rendered): string {
  const text = frame.bytes.subarray(0, 120).toString('latin1');
  return `${frame.binary ? 'binary' : 'text'} ${frame.bytes.length} B: ${JSON.stringify(text)}${frame.bytes.length > 120 ? '…' : ''}`;
}
