/**
 * One scheduler per process drives every view's ticks — no timer per view.
 *
 * Entries sit in a binary min-heap ordered by due time; a single timer is armed for the
 * earliest. Views with the same interval are spread across it: the n-th view registered with
 * interval I gets the phase frac(n·φ)·I (φ = the golden ratio conjugate, a low-discrepancy
 * sequence), so 10,000 views on a 1 s interval fire evenly, not in one burst. A tick that falls
 * due while its view is busy is skipped by the view, never queued (see MountedView.tick).
 */
import { Buckets, TICK_LAG_MS } from '../metrics/buckets.ts';

export interface Tickable {
  tick(): void;
}

export interface TickHandle {
  cancel(): void;
}

interface Entry {
  due: number;
  readonly interval: number;
  readonly target: Tickable;
  cancelled: boolean;
}

const PHI = 0.6180339887498949;
/** Late by more than this many intervals: skip ahead instead of firing a burst of catch-up ticks. */
const MAX_CATCH_UP = 1;

/** The offset within its interval of the n-th view registered with that interval. */
export function phaseFor(n: number, intervalMs: number): number {
  return ((n * PHI) % 1) * intervalMs;
}

export class TickScheduler {
  readonly #heap: Entry[] = [];
  readonly #registered = new Map<number, number>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  /** Observed lateness of the last ticks, for the bench and health output. */
  lastLagMs = 0;
  /** Every tick's lateness, for the metrics (livery_tick_lag_seconds). */
  readonly lag = new Buckets(TICK_LAG_MS);

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  get size(): number {
    return this.#heap.length;
  }

  every(intervalMs: number, target: Tickable): TickHandle {
    const n = this.#registered.get(intervalMs) ?? 0;
    this.#registered.set(intervalMs, n + 1);
    const phase = phaseFor(n, intervalMs);
    const entry: Entry = { due: this.#now() + phase + (phase === 0 ? intervalMs : 0), interval: intervalMs, target, cancelled: false };
    this.#push(entry);
    this.#arm();
    return { cancel: () => { entry.cancelled = true; } };
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap.length = 0;
  }

  #run = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#now();
    while (this.#heap.length > 0 && this.#heap[0].due <= now) {
      const entry = this.#pop();
      if (entry.cancelled) continue;
      this.lastLagMs = now - entry.due;
      this.lag.observe(this.lastLagMs);
      try {
        entry.target.tick();
      } catch {
        // A view's tick reports its own failures; the scheduler must keep serving the others.
      }
      entry.due += entry.interval;
      if (now - entry.due > MAX_CATCH_UP * entry.interval) entry.due = now + entry.interval;
      this.#push(entry);
    }
    this.#arm();
  };

  #arm(): void {
    if (this.#heap.length === 0) return;
    // Drop cancelled entries at the top so an idle process holds no armed timer for them.
    while (this.#heap.length > 0 && this.#heap[0].cancelled) this.#pop();
    if (this.#heap.length === 0) return;
    const due = this.#heap[0].due;
    if (this.#timer !== undefined && due >= this.#armedFor) return;
    clearTimeout(this.#timer);
    this.#armedFor = due;
    this.#timer = setTimeout(this.#run, Math.max(0, due - this.#now()));
    this.#timer.unref();
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].due <= entry.due) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right].due < heap[left].due ? right : left;
        if (heap[child].due >= last.due) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
