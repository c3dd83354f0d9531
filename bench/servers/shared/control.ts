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
 *     stats  → counters the scenario reads (renders, sql, redis…) and the event-loop delay p99
 *     reset  → zeroes those counters and the event-loop delay histogram
 * - exits on SIGTERM, or when stdin closes (the runner died: never outlive it).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

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

export function announceReady(port: number, meta: ServerMeta): void {
  process.stdout.write(`READY ${port} ${JSON.stringify(meta)}\n`);
}

export function announceUnavailable(reason: string): never {
  process.stdout.write(`UNAVAILABLE ${reason.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  process.exit(3);
}

export function installControl(hooks: ControlHooks): void {
  eld.enable();
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
      reply(command, { rss: process.memoryUsage.rss() });
    } else if (command === 'stats') {
      reply(command, { ...(hooks.stats?.() ?? {}), eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6 });
    } else if (command === 'reset') {
      hooks.reset?.();
      eld.reset();
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
