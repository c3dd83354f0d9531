/**
 * Several load processes used as one, for more sockets than one process may hold (each holds one
 * descriptor per socket under the same open-file limit as the server). Groups are split over the
 * processes, filling each up to `perProcess` sessions before the next; a tick window runs on every
 * process at once and their results are merged (frames, bytes and misses add up, lag histograms
 * merge, CPU time adds up). The first process is the runner's shared one; the others are started
 * when a group first needs them and stopped by `stop()`.
 */
import { createHistogram, decodeHistogram, encodeHistogram } from '../shared/histogram.ts';
import type { OpenArgs, OpenResult, TicksArgs, TicksResult } from '../shared/load-protocol.ts';
import type { LoadClient, Measured } from './load-process.ts';
import { startLoad } from './load-process.ts';

export class LoadFleet {
  readonly #root: string;
  readonly #perProcess: number;
  readonly #clients: LoadClient[];
  readonly #extra: LoadClient[] = [];
  /** Sessions each process holds, over every group. */
  readonly #held: number[];
  /** group → sessions it has on each process. */
  readonly #groups = new Map<string, number[]>();

  constructor(shared: LoadClient, root: string, perProcess: number) {
    this.#root = root;
    this.#perProcess = perProcess;
    this.#clients = [shared];
    this.#held = [0];
  }

  /** The most load processes used at once (all pinned to the load CPU, see server-process.ts). */
  peak = 1;

  /** Opens `args.count` sessions of `args.group`, split over as many processes as they need. */
  async open(args: OpenArgs): Promise<OpenResult & Measured> {
    const shares: number[] = [];
    let left = args.count;
    for (let i = 0; left > 0; i++) {
      if (i === this.#clients.length) await this.#grow();
      const take = Math.min(left, Math.max(0, this.#perProcess - this.#held[i]));
      shares.push(take);
      left -= take;
    }
    const results = await Promise.all(
      shares.map((count, i) => (count === 0 ? null : this.#clients[i].call('open', { ...args, count, concurrency: Math.max(1, Math.ceil((args.concurrency * count) / args.count)) }))),
    );
    const mine = this.#groups.get(args.group) ?? this.#clients.map(() => 0);
    while (mine.length < this.#clients.length) mine.push(0);
    const merged: OpenResult & Measured = { opened: 0, failed: 0, errors: [], joinMs: 0, joinHist: '', cpuMs: 0, elapsedMs: 0 };
    const hist = createHistogram();
    results.forEach((r, i) => {
      if (r === null) return;
      mine[i] += r.opened;
      this.#held[i] += r.opened;
      merged.opened += r.opened;
      merged.failed += r.failed;
      merged.errors.push(...r.errors.filter((e) => !merged.errors.includes(e)));
      merged.joinMs = Math.max(merged.joinMs, r.joinMs);
      merged.cpuMs += r.cpuMs;
      merged.elapsedMs = Math.max(merged.elapsedMs, r.elapsedMs);
      hist.add(decodeHistogram(r.joinHist));
    });
    merged.joinHist = encodeHistogram(hist);
    this.#groups.set(args.group, mine);
    return merged;
  }

  /**
   * One tick window on every process holding `args.group`. The event probe, if any, must sit on
   * one process that also holds some of `args.group` (open the probe first: it lands on the first).
   */
  async ticks(args: TicksArgs): Promise<TicksResult & Measured> {
    const mine = this.#need(args.group);
    const probeOn = args.probe === undefined ? -1 : this.#need(args.probe.group).findIndex((n) => n > 0);
    if (probeOn >= 0 && mine[probeOn] === 0) throw new Error(`probe group "${args.probe!.group}" is on a process without "${args.group}"`);
    const results = await Promise.all(mine.map((n, i) => (n === 0 ? null : this.#clients[i].call('ticks', { ...args, probe: i === probeOn ? args.probe : undefined }))));
    const merged: TicksResult & Measured = { frames: 0, bytes: 0, sockets: 0, missed: 0, lagHist: '', cpuMs: 0, elapsedMs: 0 };
    const lag = createHistogram();
    results.forEach((r, i) => {
      if (r === null) return;
      merged.cpuMs += r.cpuMs;
      merged.elapsedMs = Math.max(merged.elapsedMs, r.elapsedMs);
      if (i === probeOn) merged.probe = r.probe;
      merged.frames += r.frames;
      merged.bytes += r.bytes;
      merged.sockets += r.sockets;
      merged.missed += r.missed;
      lag.add(decodeHistogram(r.lagHist));
    });
    merged.lagHist = encodeHistogram(lag);
    return merged;
  }

  async close(group: string): Promise<void> {
    const mine = this.#groups.get(group);
    if (mine === undefined) return;
    this.#groups.delete(group);
    await Promise.all(
      mine.map(async (n, i) => {
        if (n === 0) return;
        this.#held[i] -= n;
        await this.#clients[i].call('close', { group });
      }),
    );
  }

  /** Closes every group and stops the extra processes (the shared one stays for the next scenario). */
  async stop(): Promise<void> {
    for (const group of [...this.#groups.keys()]) await this.close(group).catch(() => {});
    await Promise.all(this.#extra.map((c) => c.stop()));
    this.#clients.length = 1;
    this.#held.length = 1;
    this.#extra.length = 0;
  }

  #need(group: string): number[] {
    const mine = this.#groups.get(group);
    if (mine === undefined) throw new Error(`no open sessions in group "${group}"`);
    return mine;
  }

  async #grow(): Promise<void> {
    const client = await startLoad(this.#root);
    this.#extra.push(client);
    this.#clients.push(client);
    this.#held.push(0);
    this.peak = Math.max(this.peak, this.#clients.length);
  }
}
