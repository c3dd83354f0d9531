/** The machine a run happened on, recorded in every result file and the summary. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { canPin } from './server-process.ts';

export interface Machine {
  cpuModel: string;
  cpus: number;
  kernel: string;
  node: string;
  pinned: boolean;
  /** Soft limit on open files (`ulimit -n`) the bench processes inherit. */
  fileLimit: number;
  loadAverage: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    kernel: release(),
    node: process.versions.node,
    pinned: canPin(),
    fileLimit: Number.isFinite(limit) ? limit : 0,
    loadAverage: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}
