/**
 * Starting, controlling and stopping a server under test (the contract is in
 * `bench/servers/shared/control.ts`). Servers boot unpinned (several can start at once on both
 * cores) and are pinned to CPU 0 once READY; the load generator is pinned to CPU 1. Without
 * taskset or a second CPU nothing is pinned and the report says so.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import type { ServerMeta } from '../servers/shared/control.ts';
import { processCpuMs, processRssBytes } from './proc.ts';
import { registerOwnPid, unregisterOwnPid } from './noise-guard.ts';
import type { Peer } from './peers.ts';

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;
const START_TIMEOUT_MS = 30_000;

/** A server that reported it cannot run (or, for a peer in progress, failed to start). */
export class ServerUnavailable extends Error {}

let pinning: boolean | undefined;

/** True when taskset works and there are at least two CPUs to split. */
export function canPin(): boolean {
  pinning ??= availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return pinning;
}

/** Pins every thread of a running process to `cpu` (threads it starts later inherit it). */
export function pin(pid: number, cpu: number): void {
  if (canPin()) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

export interface ServerHandle {
  peer: Peer;
  pid: number;
  port: number;
  meta: ServerMeta;
  has(feature: string): boolean;
  control(command: 'gc' | 'stats' | 'reset'): Promise<Record<string, number>>;
  cpuMs(): number;
  rssBytes(): number;
  /** The tail of what the server logged (stdout besides protocol lines, and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Unique per run: servers sharing Redis (other runs, other tests) never hear each other's topics. */
const RUN_TOPIC = `bench-${process.pid}-${Date.now().toString(36)}`;

/** `cpu`: where it is pinned once READY (SERVER_CPU unless a scenario splits its servers, as the broadcast's two processes). */
export async function startServer(peer: Peer, root: string, env: Record<string, string> = {}, cpu = SERVER_CPU): Promise<ServerHandle> {
  // Started unpinned, so several servers boot in parallel on both cores; pinned once READY.
  const child = spawn(process.execPath, ['--expose-gc', resolve(root, peer.entry)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LIVERY_BENCH_TOPIC: RUN_TOPIC, ...env } });
  // Everything the server prints besides the protocol lines (its logs, stderr), last 8 KB.
  let stderr = '';
  const keep = (text: string) => (stderr = (stderr + text).slice(-8000));
  child.stderr?.on('data', (c: Buffer) => keep(c.toString()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const first = new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY line within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code} before READY: ${lastLines(stderr)}`));
    });
    // Log lines may come first; the contract's line is the first READY or UNAVAILABLE.
    const onLine = (line: string) => {
      if (!/^(READY|UNAVAILABLE)\b/.test(line)) return keep(`${line}\n`);
      lines.off('line', onLine);
      clearTimeout(timer);
      resolveLine(line);
    };
    lines.on('line', onLine);
  });
  let line: string;
  try {
    line = await first;
  } catch (err) {
    child.kill('SIGKILL');
    throw peer.inProgress ? new ServerUnavailable((err as Error).message) : err;
  }
  if (line.startsWith('UNAVAILABLE')) throw new ServerUnavailable(line.slice('UNAVAILABLE '.length));
  const ready = /^READY (\d+)(?: (.*))?$/.exec(line);
  if (ready === null) {
    child.kill('SIGKILL');
    throw new Error(`expected "READY <port>", got: ${line.slice(0, 200)}`);
  }
  // A server's logger may share stdout: only OK/ERR lines answer control commands.
  lines.on('line', (l) => (/^(OK|ERR) /.test(l) ? waiting.shift()?.(l) : keep(`${l}\n`)));
  const pid = child.pid!;
  pin(pid, cpu);
  registerOwnPid(pid);
  const meta = JSON.parse(ready[2] ?? '{"features":[]}') as ServerMeta;
  return {
    peer,
    pid,
    port: Number(ready[1]),
    meta,
    has: (feature) => meta.features.includes(feature),
    control: (command) => control(child, waiting, command),
    cpuMs: () => processCpuMs(pid),
    rssBytes: () => processRssBytes(pid),
    output: () => stderr,
    stop: () => stop(child),
  };
}

function control(child: ChildProcess, waiting: ((line: string) => void)[], command: string): Promise<Record<string, number>> {
  return new Promise((resolveReply, reject) => {
    const timer = setTimeout(() => reject(new Error(`control "${command}" timed out`)), 30_000);
    waiting.push((line) => {
      clearTimeout(timer);
      const m = /^(OK|ERR) (\S+) ?(.*)$/.exec(line);
      if (m?.[1] === 'OK') resolveReply(JSON.parse(m[3] || '{}') as Record<string, number>);
      else reject(new Error(`control "${command}": ${line}`));
    });
    child.stdin?.write(`${command}\n`);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  if (child.pid !== undefined) unregisterOwnPid(child.pid);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 400) || '(no output)';
}
