/**
 * Reading the kernel's accounting from /proc (Linux only). CPU times are in clock ticks
 * (CLK_TCK, 100 Hz here: 10 ms resolution, ~0.3% of a 3 s window at full load); /proc/<pid>/stat
 * counts every thread of the process, so GC and libuv threads are included.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 0;

export function clockTicksPerSecond(): number {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** Parses the utime+stime of a /proc/<pid>/stat line, in milliseconds. */
export function parseProcessCpuMs(stat: string): number {
  // The command name (field 2) may contain spaces: fields are counted after its closing paren.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / clockTicksPerSecond();
}

/** CPU time (user + system) a process has used so far, in milliseconds; NaN once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    return parseProcessCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

export interface CpuTimes {
  /** Milliseconds summed over all CPUs. */
  busy: number;
  steal: number;
  total: number;
}

/** Parses the aggregate `cpu` line of /proc/stat. */
export function parseSystemCpu(procStat: string): CpuTimes {
  const line = procStat.slice(0, procStat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line;
  const toMs = (ticks: number) => (ticks * 1000) / clockTicksPerSecond();
  return {
    busy: toMs(user + nice + system + irq + softirq),
    steal: toMs(steal ?? 0),
    total: toMs(user + nice + system + idle + iowait + irq + softirq + (steal ?? 0)),
  };
}

export function systemCpu(): CpuTimes {
  return parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
}
