/**
 * The dev loop (`livery dev`, `npm run dev`): runs the app as a child process and restarts it
 * when a file changes — always, whether the app is running, crashed or failed to start, so a
 * fixed file recovers by itself.
 *
 * A restart is graceful: SIGTERM, the app saves every live view and writes its process-local
 * state and sessions to a snapshot (server/dev/snapshot.ts), the next process loads it, and open
 * tabs rejoin with their tokens and find their state. While the app is down after an error the
 * supervisor answers on its port itself (fallback-server.ts): pages and reconnecting tabs show
 * the error overlay. The app reports errors and its address on a pipe (report.ts), read here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DEV_ENV, isProduction, listenAddressFromEnv, nodeEnv, processEnv } from '../config/env.ts';
import type { DevErrorReport } from '../protocol/index.ts';
import { describeError } from '../log/error-report.ts';
import { startFallbackServer, type FallbackServer } from './fallback-server.ts';
import type { SupervisorMessage } from './report.ts';
import { watchPaths, type Watcher } from './watch.ts';

export interface DevOptions {
  /** Arguments for `node` that run the app, e.g. `['app.ts']` or `[cliPath, 'start']`. */
  readonly childArgs: string[];
  /** The app's directory: the child's working directory, and what is watched by default. */
  readonly cwd: string;
  /** Paths (relative to cwd) to watch instead of the whole directory. */
  readonly watch?: string[];
}

const REPORT_FD = 3;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_KEPT = 4096;

export async function runDev(options: DevOptions): Promise<void> {
  const supervisor = new Supervisor(options);
  await supervisor.start();
  await new Promise<void>((resolve) => {
    const stop = () => void supervisor.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

class Supervisor {
  readonly #options: DevOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  /** The server answering on the app's port while it is down (a promise: starting takes a tick). */
  #fallback: Promise<FallbackServer | undefined> | undefined;
  #watcher: Watcher | undefined;
  /** Where the app listens: what it last reported, else what its environment says. */
  #port = listenAddressFromEnv().port;
  #host = listenAddressFromEnv().host;
  #restarting: Promise<void> | undefined;
  #again = false;
  #stopping = false;

  constructor(options: DevOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (isProduction()) log('NODE_ENV=production: the app runs without the dev overlay and without keeping state across restarts');
    this.#watcher = watchPaths(this.#options.cwd, this.#options.watch ?? ['.'], (files) => {
      log(`${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} changed: restarting`);
      void this.restart();
    });
    this.#spawn();
  }

  /** Stops the running app (gracefully), frees the port, starts a new one. Coalesces bursts. */
  restart(): Promise<void> {
    if (this.#restarting !== undefined) {
      this.#again = true;
      return this.#restarting;
    }
    this.#restarting = (async () => {
      do {
        this.#again = false;
        await this.#stopChild();
        await this.#closeFallback();
        if (!this.#stopping) this.#spawn();
      } while (this.#again && !this.#stopping);
    })().finally(() => { this.#restarting = undefined; });
    return this.#restarting;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#watcher?.close();
    await this.#restarting;
    await this.#stopChild();
    await this.#closeFallback();
  }

  async #closeFallback(): Promise<void> {
    const fallback = this.#fallback;
    this.#fallback = undefined;
    await (await fallback)?.close();
  }

  #spawn(): void {
    const child = spawn(process.execPath, ['--import', CHILD_HOOKS, ...this.#options.childArgs], {
      cwd: this.#options.cwd,
      stdio: ['inherit', 'inherit', 'pipe', 'pipe'],
      env: {
        ...processEnv(),
        NODE_ENV: nodeEnv() ?? 'development',
        [DEV_ENV.on]: '1',
        [DEV_ENV.reportFd]: String(REPORT_FD),
      },
    });
    this.#child = child;
    let report: DevErrorReport | undefined;
    const stderr = keepTail(child.stderr!);
    createInterface({ input: child.stdio[REPORT_FD] as Readable }).on('line', (line) => {
      const message = parse(line);
      if (message?.type === 'error') report = message.report;
      if (message?.type === 'listening') [this.#port, this.#host] = [message.port, message.host];
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        const expected = child.killed || this.#stopping;
        if (!expected) void this.#crashed(report ?? exitReport(code, signal, stderr()), code);
        resolve();
      });
    });
  }

  /** The app ended on its own: show why, on its port, until the next change restarts it. */
  async #crashed(report: DevErrorReport, code: number | null): Promise<void> {
    log(`the app exited (code ${code}); it restarts when a file changes.\n${formatReport(report)}`);
    if (this.#restarting !== undefined || this.#stopping) return;
    if (this.#fallback !== undefined) return void (await this.#fallback)?.update(report);
    this.#fallback = startFallbackServer(this.#port, this.#host, report).catch((error: Error) => {
      log(`could not answer on port ${this.#port} meanwhile: ${error.message}`);
      return undefined;
    });
  }

  async #stopChild(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return this.#exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** The preload that reports uncaught errors; `.js` once Livery is built for publishing. */
const CHILD_HOOKS = new URL(`./child-hooks${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

function parse(line: string): SupervisorMessage | undefined {
  try {
    return JSON.parse(line) as SupervisorMessage;
  } catch {
    return undefined;
  }
}

/** Passes the child's stderr through and keeps its last few kilobytes for the overlay. */
function keepTail(stream: Readable): () => string {
  let tail = '';
  stream.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  return () => tail;
}

/** An exit with no report (a config problem printed and exit 1, a kill): its stderr says why. */
function exitReport(code: number | null, signal: NodeJS.Signals | null, stderr: string): DevErrorReport {
  const report = describeError(new Error(stderr.trim() || `exited with ${signal ?? `code ${code}`}`));
  return { title: `The app exited (${signal ?? `code ${code}`})`, message: report.message };
}

/** The report for a terminal: title, where, the code frame. */
export function formatReport(report: DevErrorReport): string {
  const where = report.file === undefined ? '' : `\n  at ${report.file}:${report.line}:${report.column}`;
  const frame = report.frame === undefined ? '' : '\n' + report.frame.split('\n').map((l) => '  ' + l).join('\n');
  return `  ${report.title}: ${report.message.split('\n')[0]}${where}${frame}`;
}

function log(message: string): void {
  process.stderr.write(`[livery dev] ${message}\n`);
}
