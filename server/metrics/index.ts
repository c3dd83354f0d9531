/**
 * Metrics: the live counters the runtime increments (plain numbers, cheap on the hot path) and
 * their Prometheus exposition (prom-client), served by server/http. docs/operations.md lists them.
 */
export { Buckets } from './buckets.ts';
export { LATENCY_SAMPLE, LiveStats } from './live-stats.ts';
export { TenantCounts } from './tenant-counts.ts';
export { OTHER, TenantLabels, type TenantSeries } from './tenant-labels.ts';
export { timeCalls } from './timed.ts';
export { createMetrics, METRICS_CONTENT_TYPE, type LiveCounts, type LiveryMetrics, type MetricSources } from './registry.ts';
