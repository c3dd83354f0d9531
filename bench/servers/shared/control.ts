/**
 * The contract every server under test follows (see docs/benchmarks.md, "Adapter contract"):
 *
 * - started by the runner as `node --expose-gc bench/servers/<name>.ts`, pinned with taskset;
 * - listens on an ephemeral port on 127.0.0.1 and prints one line `READY <port> <json>`, where the
 *   JSON says which features (bench views) it serves: `{"features": ["counter", …], "host": …}`;
 *   a server that cannot run prints `UNAVAILABLE <reason>` instead and exits;
 * - reads control commands, one per line, on stdin and answers each with one line on stdout,
 *   `OK <command> <json>` or `ERR <command> <message>`:
 *     gc     → runs a full GC (twice, so finalizers run) before the runner reads RSS from /proc
 *     stats  → counters the scenario reads (renders, sql, redis…), the event-loop delay p99 and max,
 *              and the garbage collector's work since the last reset (pauses, their longest, bytes
 *              allocated) — what a latency tail is made of (issue 12, goal 5)
 *     reset  → zeroes those counters, the event-loop delay histogram and the GC accounting
 * - exits on SIGTERM, or when stdin closes (the runner died: never outlive it).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { GCProfiler } from 'node:v8';

export interface ServerMeta {
  features: string[];
  /** Host header the load generator must send (tenancy), when not 127.0.0.1:<port>. */
  host?: string;
  /** Bench views the server knows it cannot serve yet (reported as "not yet available"). */
  pending?: string[];
}

export interface ControlHooks {
  /** Counters for `stats` (e.g. renders, sql, redis); numbers only. */
  stats?: () => Record<string, number>;
  reset?: () => void;
  close: () => Promise<void> | void;
}

const eld = monitorEventLoopDelay({ resolution: 1 });

/**
 * The collector's share of a window: pauses (count, total, longest, and how many were full
 * mark-compacts) from `gc` performance entries, and bytes allocated from a GC profile — heap growth
 * since the reset plus what every collection freed, so allocation per event can be read without
 * sampling.
 */
class GcAccount {
  private pauses = 0;
  private totalMs = 0;
  private maxMs = 0;
  private majors = 0;
  private profiler = new GCProfiler();
  private heapAtReset = process.memoryUsage().heapUsed;
  private readonly observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => this.add(e)));

  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
    this.profiler.start();
  }

  reset(): void {
    this.pauses = this.totalMs = this.maxMs = this.majors = 0;
    this.profiler.stop();
    this.profiler = new GCProfiler();
    this.profiler.start();
    this.heapAtReset = process.memoryUsage().heapUsed;
  }

  stats(): Record<string, number> {
    const profile = this.profiler.stop();
    this.profiler = new GCProfiler();
    this.profiler.start();
    let freed = 0;
    for (const gc of profile?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    const allocated = process.memoryUsage().heapUsed - this.heapAtReset + freed;
    this.heapAtReset = process.memoryUsage().heapUsed;
    return { gcPauses: this.pauses, gcTotalMs: this.totalMs, gcMaxMs: this.maxMs, gcMajor: this.majors, allocatedBytes: Math.max(0, allocated) };
  }

  private add(entry: PerformanceEntry): void {
    this.pauses++;
    this.totalMs += entry.duration;
    this.maxMs = Math.max(this.maxMs, entry.duration);
    // NODE_PERFORMANCE_GC_MAJOR: a full mark-compact, the pause long enough to show in a p99.
    if ((entry as { detail?: { kind?: number } }).detail?.kind === 4) this.majors++;
  }
}

const collector = new GcAccount();

export function announceReady(port: number, meta: ServerMeta): void {
  process.stdout.write(`READY ${port} ${JSON.stringify(meta)}\n`);
}

export function announceUnavailable(reason: string): never {
  process.stdout.write(`UNAVAILABLE ${reason.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  process.exit(3);
}

export function installControl(hooks: ControlHooks): void {
  eld.enable();
  collector.start();
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await hooks.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => answer(line.trim(), hooks));
  lines.on('close', shutdown);
}

function answer(command: string, hooks: ControlHooks): void {
  try {
    if (command === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc === undefined) throw new Error('start node with --expose-gc');
      gc();
      gc();
      reply(command, { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed });
    } else if (command === 'stats') {
      reply(command, { ...(hooks.stats?.() ?? {}), eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6, ...collector.stats() });
    } else if (command === 'reset') {
      hooks.reset?.();
      eld.reset();
      collector.reset();
      reply(command, {});
    } else {
      process.stdout.write(`ERR ${command} unknown command\n`);
    }
  } catch (err) {
    process.stdout.write(`ERR ${command} ${(err as Error).message}\n`);
  }
}

function reply(command: string, body: Record<string, unknown>): void {
  process.stdout.write(`OK ${command} ${JSON.stringify(body)}\n`);
}
