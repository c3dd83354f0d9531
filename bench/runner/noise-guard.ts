/**
 * The noise guard. This machine's cores are shared, so a measured window is only trusted if the
 * CPU time spent outside the bench's own processes (runner, load generator, servers) stayed small
 * and the hypervisor stole little. Sampled every 250 ms for the peak; judged on the whole window.
 */
import { processCpuMs, systemCpu } from './proc.ts';
import type { CpuTimes } from './proc.ts';

/** Foreign CPU above this share of the machine (all cores) disturbs a window. */
export const FOREIGN_LIMIT_PCT = 10;
export const STEAL_LIMIT_PCT = 5;

export interface NoiseReport {
  windowMs: number;
  /** Shares of the whole machine's CPU capacity during the window, in percent. */
  busyPct: number;
  ownPct: number;
  foreignPct: number;
  stealPct: number;
  peakForeignPct: number;
  disturbed: boolean;
}

/** Processes the bench started; their CPU is not noise. */
const ownPids = new Set<number>([process.pid]);

export function registerOwnPid(pid: number): void {
  ownPids.add(pid);
}

export function unregisterOwnPid(pid: number): void {
  ownPids.delete(pid);
}

interface Sample {
  at: number;
  sys: CpuTimes;
  own: number;
}

function sample(): Sample {
  let own = 0;
  for (const pid of ownPids) {
    const ms = processCpuMs(pid);
    if (!Number.isNaN(ms)) own += ms;
  }
  return { at: performance.now(), sys: systemCpu(), own };
}

export function judge(first: Sample, last: Sample, peakForeignPct: number): NoiseReport {
  const total = last.sys.total - first.sys.total || 1;
  const busyPct = (100 * (last.sys.busy - first.sys.busy)) / total;
  const ownPct = (100 * (last.own - first.own)) / total;
  const stealPct = (100 * (last.sys.steal - first.sys.steal)) / total;
  const foreignPct = Math.max(0, busyPct - ownPct);
  return {
    windowMs: last.at - first.at,
    busyPct,
    ownPct,
    foreignPct,
    stealPct,
    peakForeignPct: Math.max(peakForeignPct, foreignPct),
    disturbed: foreignPct > FOREIGN_LIMIT_PCT || stealPct > STEAL_LIMIT_PCT,
  };
}

export class NoiseGuard {
  first: Sample = sample();
  prev: Sample = this.first;
  peak = 0;
  timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = sample();
      this.peak = Math.max(this.peak, judge(this.prev, now, 0).foreignPct);
      this.prev = now;
    }, 250);
  }

  last: Sample | null = null;

  /** Ends sampling; idempotent (a second call returns the same window). */
  stop(): NoiseReport {
    clearInterval(this.timer);
    this.last ??= sample();
    return judge(this.first, this.last, this.peak);
  }
}

/** Before re-running a disturbed window: waits (up to `maxMs`) for a half second without foreign load. */
export async function waitForQuiet(maxMs: number): Promise<boolean> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const first = sample();
    await new Promise((done) => setTimeout(done, 500));
    const report = judge(first, sample(), 0);
    if (!report.disturbed) return true;
  }
  return false;
}

export interface NoiseVerdict {
  windows: number;
  disturbed: number;
  retried: number;
  worstForeignPct: number;
  worstStealPct: number;
  text: string;
}

export function verdict(reports: NoiseReport[], retried: number): NoiseVerdict {
  const disturbed = reports.filter((r) => r.disturbed).length;
  const worstForeignPct = Math.max(0, ...reports.map((r) => r.foreignPct));
  const worstStealPct = Math.max(0, ...reports.map((r) => r.stealPct));
  const worst = `worst foreign ${worstForeignPct.toFixed(1)}%, steal ${worstStealPct.toFixed(1)}%`;
  const text =
    disturbed === 0
      ? `clean: ${reports.length} windows, ${worst}`
      : `DISTURBED: ${disturbed} of ${reports.length} windows had foreign load (${worst}); ${retried} retried, results flagged`;
  return { windows: reports.length, disturbed, retried, worstForeignPct, worstStealPct, text };
}
