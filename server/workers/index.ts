/**
 * `--workers N`: N Livery processes sharing one port. uWebSockets.js listens with SO_REUSEPORT,
 * so the kernel spreads connections across the processes — no master socket, no sticky
 * sessions: any process can resume any session, because state and pub/sub live in Redis.
 *
 * The supervisor restarts a worker that dies (with backoff, so a crash loop cannot spin), passes
 * SIGTERM/SIGINT on, and exits once every worker has stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isWorkerProcess, processEnv, WORKER_ENV } from '../config/env.ts';

export { WORKER_ENV };

/** `--workers N` from argv (default 1); 0 or junk is refused. */
export function workerCount(argv: readonly string[]): number {
  const i = argv.indexOf('--workers');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--workers='))?.slice('--workers='.length);
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--workers must be a whole number from 1 to 256, got ${JSON.stringify(raw)}`);
  return n;
}

export function isWorker(): boolean {
  return isWorkerProcess();
}

/**
 * Runs `node <args>` (the command that started this process, e.g. `livery start`) as `count`
 * workers and supervises them; resolves when all have exited.
 */
export function superviseWorkers(args: readonly string[], count: number, log: (message: string) => void = console.log): Promise<void> {
  const workers = new Map<number, ChildProcess>();
  let stopping = false;
  let done: () => void;
  const finished = new Promise<void>((resolve) => { done = resolve; });

  const start = (id: number, attempt = 0) => {
    const child = spawn(process.execPath, [...args], { stdio: 'inherit', env: { ...processEnv(), [WORKER_ENV]: String(id) } });
    const startedAt = Date.now();
    workers.set(id, child);
    child.on('exit', (code, signal) => {
      workers.delete(id);
      if (stopping) {
        if (workers.size === 0) done();
        return;
      }
      // A worker that ran a while restarts at once; one that keeps dying backs off up to 10 s.
      const next = Date.now() - startedAt > 10_000 ? 0 : attempt + 1;
      const delay = Math.min(10_000, next === 0 ? 0 : 250 * 2 ** next);
      log(`worker ${id} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => start(id, next), delay);
    });
  };

  for (let id = 1; id <= count; id++) start(id);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const child of workers.values()) child.kill(signal);
      if (workers.size === 0) done();
    });
  }
  return finished;
}
