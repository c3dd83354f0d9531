/**
 * The soak's server: Livery with the soak views, in its own process so that the load (in other
 * processes: 20,000 open files per process) and the measurements do not mix. Started by
 * `run.ts` over IPC:
 *
 *   → { type: 'ready', port }
 *   ← { type: 'sample', id, gc?, reset? } → { type: 'sample', id, sample }   memory, event-loop delay, live counts
 *   ← { type: 'purge', id } → { type: 'purged', id }                          drops expired states now
 *
 * State lives `--state-ttl` seconds after its socket (short, so the end of a run can watch every
 * state expire); logs at warn and above go to stderr.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createServer, route } from '../../server/index.ts';
import { MemorySessionStore } from '../../server/session/index.ts';
import { MemoryStateBackend } from '../../server/state/index.ts';
import { RoomView, SoakView } from './views.ts';

if (process.send === undefined) {
  process.stderr.write('bench/soak/server.ts: start me from bench/soak/run.ts (needs an IPC channel)\n');
  process.exit(2);
}
const stateTtl = Number(process.argv[2] ?? 60);
const server = await createServer({
  routes: [route('/soak', SoakView), route('/room', RoomView)],
  templatesDir: fileURLToPath(new URL('./templates/', import.meta.url)),
  port: 0,
  host: '127.0.0.1',
  handleSignals: false,
  secret: 'soak-secret-soak-secret-soak-secret-0123',
  logLevel: 'warn',
  logStream: { write: (line) => void process.stderr.write(line) },
  state: { ttlSeconds: stateTtl, preJoinTtlSeconds: Math.min(30, stateTtl) },
  // One client address holds every socket and loads every page, and the load sends what it likes.
  socket: { maxPerIp: 1_000_000, maxPerSession: 1_000_000, ratePerSecond: 1_000, rateBurst: 1_000 },
  pages: { ratePerSecond: 1_000_000, burst: 1_000_000 },
});
const url = await server.listen();
const runtime = server.app.livery.runtime;

// Two histograms: one per sampling window (reset by each sample), one since the warm-up ended
// (reset by the sample that marks it) — a loop stalled past a whole window still shows there.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const overall = monitorEventLoopDelay({ resolution: 1 });
overall.enable();
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * RSS split as Linux counts it: anonymous memory (the heap, malloc, buffers — where a leak shows)
 * and file-backed pages (the binary, mapped libraries), which the kernel may page out and fault
 * back in at will (machines running DAMON pageout do it all the time). 0 where /proc is missing.
 */
function rssParts(): { anon: number; file: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { anon: kib('RssAnon'), file: kib('RssFile') + kib('RssShmem') };
  } catch {
    return { anon: 0, file: 0 };
  }
}

/** Node timers and handles alive in the process, by kind (a leaked timer shows as a Timeout). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const summary = (h: ReturnType<typeof monitorEventLoopDelay>) => ({ samples: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean) });

process.on('message', (message: { type: string; id: number; gc?: boolean; reset?: boolean; resetOverall?: boolean }) => {
  if (message.type === 'sample') {
    if (message.gc) {
      gc?.();
      gc?.();
    }
    const memory = process.memoryUsage();
    process.send?.({
      type: 'sample',
      id: message.id,
      sample: {
        at: Date.now(),
        rss: memory.rss,
        rssAnon: rssParts().anon,
        rssFile: rssParts().file,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external,
        eventLoop: summary(delay),
        eventLoopOverall: summary(overall),
        counts: runtime.counts(),
        // Browser sessions are data, not leaks: each new visitor's page makes one, kept for the session TTL.
        sessions: server.app.livery.sessions instanceof MemorySessionStore ? server.app.livery.sessions.size.total : -1,
        resources: resources(),
        tickLagMs: Math.round(runtime.scheduler.lastLagMs),
      },
    });
    if (message.reset) delay.reset();
    if (message.resetOverall) overall.reset();
  } else if (message.type === 'purge') {
    if (runtime.backend instanceof MemoryStateBackend) runtime.backend.purgeStale();
    process.send?.({ type: 'purged', id: message.id });
  }
});
process.on('disconnect', () => {
  void server.close().finally(() => process.exit(0));
});
process.send({ type: 'ready', port: Number(new URL(url).port) });
