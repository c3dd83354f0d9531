/**
 * The load process: started by the runner (pinned to its own core), it holds every client session
 * and runs one task at a time on request over Node IPC (`shared/load-protocol.ts`), reporting its
 * own CPU time with each result.
 */
import type { LoadOp, LoadRequest, LoadResponse } from '../shared/load-protocol.ts';
import { closeGroup } from './groups.ts';
import { afterIdle } from './tasks/after-idle.ts';
import { broadcast, silence } from './tasks/broadcast.ts';
import { closedLoop } from './tasks/closed-loop.ts';
import { open, prime, reconnect } from './tasks/open.ts';
import { openLoop } from './tasks/open-loop.ts';
import { ticks } from './tasks/ticks.ts';

// Each task takes its own args type; the runner's typed client pairs them (runner/load-process.ts).
const tasks: Record<LoadOp, (args: never) => Promise<unknown>> = {
  open,
  prime,
  reconnect,
  closedLoop,
  openLoop,
  ticks,
  broadcast,
  silence,
  afterIdle,
  close: async (args: { group: string }) => ({ closed: closeGroup(args.group) }),
};

if (process.send === undefined) {
  process.stderr.write('bench/load: start me from the runner (needs an IPC channel)\n');
  process.exit(2);
}

process.on('message', async (msg: LoadRequest) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let response: LoadResponse;
  try {
    const result = await tasks[msg.op](msg.args as never);
    const cpu = process.cpuUsage(cpu0);
    response = { id: msg.id, ok: true, result, cpuMs: (cpu.user + cpu.system) / 1000, elapsedMs: performance.now() - t0 };
  } catch (err) {
    response = { id: msg.id, ok: false, error: (err as Error).message };
  }
  process.send?.(response);
});

// Never outlive the runner.
process.on('disconnect', () => process.exit(0));
