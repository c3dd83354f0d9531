/**
 * HDR histograms as the bench passes them around: latencies in microseconds, recorded in the load
 * process, shipped to the runner as compressed base64 (the standard HdrHistogram encoding, so any
 * HdrHistogram tool can read the raw results), summarized there.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** 1 µs to 10 min at 3 significant digits: enough for an overloaded peer's worst reply. */
export function createHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded);
}

/** Records a duration given in milliseconds (performance.now() deltas) as whole microseconds. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 1 ? 1 : us > 600_000_000 ? 600_000_000 : us);
}

export interface LatencySummary {
  count: number;
  /** Percentiles and max in milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    p999: h.getValueAtPercentile(99.9) / 1000,
    max: h.maxValue / 1000,
  };
}

export function summarizeEncoded(encoded: string): LatencySummary {
  return summarize(decodeHistogram(encoded));
}
