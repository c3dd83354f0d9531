/**
 * The fuzzer's side of the target server process (`target.ts`): starts it, collects its log
 * lines, asks it for memory and live counts, and notices if it dies.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { LiveCounts } from '../../server/metrics/index.ts';

export interface TargetStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly counts: LiveCounts;
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly code?: string;
  readonly err?: { type?: string; message?: string; stack?: string };
  readonly [key: string]: unknown;
}

export class TargetProcess {
  readonly port: number;
  readonly #child: ChildProcess;
  readonly #stats = new Map<number, (stats: TargetStats) => void>();
  #nextId = 0;
  /** Set when the process exited before `stop()`: the crash the fuzzer exists to find. */
  exited: { code: number | null; signal: string | null } | undefined;
  readonly #onLog: (line: LogLine) => void;
  #stopping = false;

  private constructor(child: ChildProcess, port: number, onLog: (line: LogLine) => void) {
    this.#child = child;
    this.port = port;
    this.#onLog = onLog;
    child.on('message', (message: { type: string; id?: number; line?: string; stats?: TargetStats }) => {
      if (message.type === 'log') this.#onLog(JSON.parse(message.line!) as LogLine);
      else if (message.type === 'stats') this.#stats.get(message.id!)?.(message.stats!), this.#stats.delete(message.id!);
    });
    child.on('exit', (code, signal) => {
      if (!this.#stopping) this.exited = { code, signal };
    });
  }

  static start(onLog: (line: LogLine) => void): Promise<TargetProcess> {
    const child = fork(new URL('./target.ts', import.meta.url), { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const early = (code: number | null) => reject(new Error(`the fuzz target exited during startup (${code})`));
      child.once('exit', early);
      child.on('message', function ready(message: { type: string; port?: number }) {
        if (message.type !== 'ready') return;
        child.off('message', ready);
        child.off('exit', early);
        resolve(new TargetProcess(child, message.port!, onLog));
      });
    });
  }

  /** Memory after a full GC, and the live counts. */
  stats(): Promise<TargetStats> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      if (this.exited !== undefined) return reject(new Error('the fuzz target is gone'));
      this.#stats.set(id, resolve);
      this.#child.send({ type: 'stats', id });
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
