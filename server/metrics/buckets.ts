/**
 * A histogram cheap enough for the hot path: fixed bounds, one increment per observation, no
 * labels, no allocation. prom-client's own `Histogram.observe` validates and hashes its labels
 * on every call (hundreds of nanoseconds); this is a loop over a dozen numbers. The registry
 * reads the counts at scrape time (registry.ts).
 */
export class Buckets {
  /** Upper bounds in milliseconds, ascending. */
  readonly bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  /** Sum of the observed values, in milliseconds. */
  sum = 0;
  count = 0;

  constructor(boundsMs: readonly number[]) {
    this.bounds = boundsMs;
    this.counts = new Float64Array(boundsMs.length + 1);
  }

  /** Records `ms`; a sampled observation standing for `weight` of its kind counts that many times. */
  observe(ms: number, weight = 1): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this.counts[i]! += weight;
    this.sum += ms * weight;
    this.count += weight;
  }
}

/** Event received → reply sent: a sub-millisecond handler up to a slow write-through save. */
export const EVENT_LATENCY_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
/** How late a tick fired: the scheduler's lag under load. */
export const TICK_LAG_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];
/** One state backend call: microseconds in memory, a round trip on Redis, seconds in an outage. */
export const BACKEND_LATENCY_MS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000];
