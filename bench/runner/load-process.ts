/** The runner's side of the load process: start it pinned, call its tasks, stop it. */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { LoadOp, LoadOps, LoadResponse } from '../shared/load-protocol.ts';
import { registerOwnPid, unregisterOwnPid } from './noise-guard.ts';
import { processCpuMs } from './proc.ts';
import { LOAD_CPU, pin } from './server-process.ts';

const CALL_TIMEOUT_MS = 600_000;

export interface Measured {
  /** The load process's CPU time during the task. */
  cpuMs: number;
  elapsedMs: number;
}

export interface LoadClient {
  pid: number;
  call<K extends LoadOp>(op: K, args: LoadOps[K][0]): Promise<LoadOps[K][1] & Measured>;
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startLoad(root: string): Promise<LoadClient> {
  const child: ChildProcess = fork(resolve(root, 'bench/load/index.ts'), [], { cwd: root, execPath: process.execPath, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((done, fail) => {
    child.once('spawn', done);
    child.once('error', fail);
  });
  // Once it is gone every pending and later call fails with why, instead of waiting forever.
  let gone: string | null = null;
  const pid = child.pid!;
  pin(pid, LOAD_CPU);
  registerOwnPid(pid);
  let nextId = 1;
  const pending = new Map<number, (r: LoadResponse) => void>();
  child.on('message', (msg: LoadResponse) => pending.get(msg.id)?.(msg));
  const fail = (reason: string) => {
    gone ??= reason;
    for (const done of pending.values()) done({ id: 0, ok: false, error: gone });
    pending.clear();
  };
  child.on('exit', (code, signal) => fail(`the load process exited (${signal ?? `code ${code}`})`));
  child.on('error', (err) => fail(`the load process failed: ${err.message}`));
  return {
    pid,
    call: (op, args) =>
      new Promise((done, reject) => {
        if (gone !== null) return reject(new Error(`load ${op}: ${gone}`));
        const id = nextId++;
        // Every task ends on its own (windows, drains and joins are bounded); this only catches a wedge.
        const timer = setTimeout(() => pending.get(id)?.({ id, ok: false, error: `no answer within ${CALL_TIMEOUT_MS / 1000} s` }), CALL_TIMEOUT_MS);
        pending.set(id, (r) => {
          clearTimeout(timer);
          pending.delete(id);
          if (r.ok) done({ ...(r.result as object), cpuMs: r.cpuMs, elapsedMs: r.elapsedMs } as never);
          else reject(new Error(`load ${op}: ${r.error}`));
        });
        child.send({ id, op, args });
      }),
    cpuMs: () => processCpuMs(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      unregisterOwnPid(pid);
    },
  };
}
