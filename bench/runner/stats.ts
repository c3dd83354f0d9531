/** Small statistics for interleaved rounds: medians and spreads of per-round ratios. */

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** Per-round ratios a[i] / b[i]: both were measured in the same round, minutes apart at most. */
export function pairedRatios(a: number[], b: number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] / b[i]);
}

/** `1.42× (1.30–1.55)`; a single round prints no range. */
export function formatSpread(s: Spread): string {
  if (!Number.isFinite(s.median)) return '—';
  const f = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
  return s.min === s.max ? `${f(s.median)}×` : `${f(s.median)}× (${f(s.min)}–${f(s.max)})`;
}
