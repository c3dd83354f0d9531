/**
 * The Prometheus exposition of one Livery server, built on prom-client.
 *
 * Nothing here runs on the hot path: the counters live in {@link LiveStats} as plain numbers and
 * the runtime's counts are read on demand; a scrape copies them into prom-client metrics and
 * renders the text. Node's process metrics (CPU, memory, event-loop delay, GC) come from
 * prom-client's default collectors, started once per process on a registry of their own — they
 * describe the process, however many servers it runs (tests run dozens), and prom-client's
 * collectors cannot be stopped once started.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Buckets } from './buckets.ts';
import type { LiveStats } from './live-stats.ts';

/** What is live in the process now (the runtime's `counts()`); absent: the backend cannot tell. */
export interface LiveCounts {
  readonly connections: number;
  readonly views: number;
  /** Views registered with the tick scheduler (cancelled ones not counted). */
  readonly ticks: number;
  /** Pending `sendSelf` timers of live views. */
  readonly timers: number;
  /** Pub/sub listeners in this process. */
  readonly subscriptions: number | undefined;
  /** Presence entries this process tracks. */
  readonly presence: number | undefined;
  /** Presence diff listeners in this process. */
  readonly presenceListeners: number | undefined;
  /** Bytes waiting in the live sockets' send buffers (server/socket/backpressure.ts). */
  readonly bufferedBytes: number;
  /** View states the state backend holds in this process (the memory backend). */
  readonly states: number | undefined;
}

export interface MetricSources {
  readonly stats: LiveStats;
  counts(): LiveCounts;
  /** Live sockets per tenant (only read when tenant labels are on). */
  socketsByTenant(): ReadonlyMap<string, number>;
  /** The scheduler's tick lateness. */
  readonly tickLag: Buckets;
  /** Mount calls so far. */
  mounts(): number;
  /** Per Redis connection: commands sent and round trips (a pipelined batch is one). */
  redis(): ReadonlyArray<{ readonly connection: string; readonly commands: number; readonly roundTrips: number }>;
  /** SQL statements sent through the ORM (each a round trip), when there is a database. */
  sqlQueries(): number | undefined;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;

/** Node's default metrics, collected once per process. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface LiveryMetrics {
  /** The exposition text (Prometheus format 0.0.4), process metrics first. */
  render(): Promise<string>;
}

export function createMetrics(sources: MetricSources): LiveryMetrics {
  const registry = new Registry();
  const { stats } = sources;
  const refreshers: Array<() => void> = [];
  /** A gauge; one whose source cannot tell (`undefined`: e.g. states held in Redis) has no sample. */
  const gauge = (name: string, help: string, read: () => number | undefined) => {
    const metric = new Gauge({ name, help, registers: [registry] });
    refreshers.push(() => {
      const value = read();
      metric.reset();
      if (value === undefined) metric.remove({});
      else metric.set(value);
    });
  };
  const counter = (name: string, help: string, read: () => number | undefined) => {
    const metric = new Counter({ name, help, registers: [registry] });
    refreshers.push(() => {
      metric.reset();
      const value = read();
      if (value !== undefined) metric.inc(value);
    });
  };
  const labelledCounter = <L extends string>(name: string, help: string, labelNames: L[], read: () => Iterable<[Record<L, string>, number]>) => {
    const metric = new Counter<L>({ name, help, labelNames, registers: [registry] });
    refreshers.push(() => {
      metric.reset();
      for (const [labels, value] of read()) metric.inc(labels, value);
    });
  };

  let counts: LiveCounts | undefined;
  refreshers.push(() => { counts = sources.counts(); });
  gauge('livery_sockets', 'Live sockets in this process.', () => counts!.connections);
  gauge('livery_views', 'Live views in this process.', () => counts!.views);
  gauge('livery_scheduled_ticks', 'Tick entries in the scheduler (one per ticking view; a cancelled one leaves at its next due time).', () => counts!.ticks);
  gauge('livery_timers', 'Pending sendSelf timers of live views.', () => counts!.timers);
  gauge('livery_subscriptions', 'Pub/sub listeners in this process.', () => counts!.subscriptions);
  gauge('livery_presence_entries', 'Presence entries tracked by this process.', () => counts!.presence);
  gauge('livery_state_entries', 'View states held in this process (memory state backend only).', () => counts!.states);

  counter('livery_joins_total', 'Joins answered with their view.', () => stats.joins);
  counter('livery_mounts_total', 'mount() calls (a page render, or a join whose state had expired).', () => sources.mounts());
  counter('livery_events_total', 'Events whose handler ran.', () => stats.events);
  counter('livery_renders_total', 'Diffs rendered (events, ticks, infos and saves that changed what a template shows).', () => stats.renders);
  counter('livery_frames_sent_total', 'Frames sent on live sockets.', () => stats.framesSent);
  counter('livery_frames_published_total', 'Of the frames sent, those delivered by one native publish to a broadcast\'s whole group of sockets.', () => stats.framesPublished);
  counter('livery_sent_bytes_total', 'Frame text sent on live sockets before compression: diffs, replies, errors (UTF-16 code units: bytes for ASCII).', () => stats.bytesSent);
  labelledCounter('livery_errors_total', 'Errors answered with a registry code: error frames, and upgrades refused with one (docs/errors.md).', ['code'], () =>
    [...stats.errors].map(([code, n]) => [{ code }, n]));
  labelledCounter('livery_socket_closes_total', 'Live sockets closed, by close code (either side; docs/protocol.md).', ['code'], () =>
    [...stats.closes].map(([code, n]) => [{ code }, n]));
  labelledCounter('livery_redis_commands_total', 'Redis commands sent, per connection.', ['connection'], () =>
    sources.redis().map((r) => [{ connection: r.connection }, r.commands]));
  labelledCounter('livery_redis_round_trips_total', 'Redis round trips, per connection (an auto-pipelined batch of commands is one).', ['connection'], () =>
    sources.redis().map((r) => [{ connection: r.connection }, r.roundTrips]));
  counter('livery_sql_queries_total', 'SQL statements sent through the ORM, each a round trip (BEGIN, COMMIT and the tenant setting included).', () => sources.sqlQueries());

  histogram(registry, 'livery_event_latency_seconds', 'Event received → its reply handed to the socket (handler, render, and a write-through save).', () => [[{}, stats.eventLatency]]);
  histogram(registry, 'livery_tick_lag_seconds', 'How late ticks fired after their due time.', () => [[{}, sources.tickLag]]);
  histogram(registry, 'livery_state_backend_seconds', 'State backend calls (load a view\'s state, save it, …) by backend and operation.', () =>
    [...stats.backendLatency].flatMap(([backend, ops]) => [...ops].map(([op, buckets]) => [{ backend, op }, buckets] as const)));

  if (stats.tenants.limit > 0) {
    let series: ReturnType<LiveStats['tenants']['select']> = [];
    refreshers.push(() => { series = stats.tenants.select({ events: stats.events, joins: stats.joins, errors: stats.errorCount }, sources.socketsByTenant(), counts!.connections); });
    const tenantMetric = (name: string, help: string, kind: 'gauge' | 'counter', pick: (s: (typeof series)[number]) => number) => {
      const metric = kind === 'gauge' ? new Gauge({ name, help, labelNames: ['tenant'], registers: [registry] }) : new Counter({ name, help, labelNames: ['tenant'], registers: [registry] });
      refreshers.push(() => {
        metric.reset();
        for (const s of series) (metric as Counter<'tenant'>).inc({ tenant: s.tenant }, pick(s));
      });
    };
    const top = `the ${stats.tenants.limit} busiest tenants, the rest as tenant="_other"`;
    tenantMetric('livery_tenant_sockets', `Live sockets per tenant (${top}).`, 'gauge', (s) => s.sockets);
    tenantMetric('livery_tenant_joins_total', `Joins per tenant (${top}; a series counts from when its tenant got the label).`, 'counter', (s) => s.joins);
    tenantMetric('livery_tenant_events_total', `Events per tenant (${top}; a series counts from when its tenant got the label).`, 'counter', (s) => s.events);
    tenantMetric('livery_tenant_errors_total', `Error frames per tenant (${top}; a series counts from when its tenant got the label).`, 'counter', (s) => s.errors);
  }

  const node = processMetrics();
  return {
    async render() {
      for (const refresh of refreshers) refresh();
      return (await node.metrics()) + '\n' + (await registry.metrics());
    },
  };
}

type HistogramValue = { labels: Record<string, string | number>; value: number; metricName: string };

/**
 * A histogram read from {@link Buckets} at scrape time. prom-client has no histogram whose
 * buckets can be set, so this is a metric object of the shape its registry renders (what
 * `Histogram#get` returns), registered beside the library's own.
 */
function histogram(registry: Registry, name: string, help: string, read: () => Iterable<readonly [Record<string, string>, Buckets]>): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: HistogramValue[] = [];
      for (const [labels, buckets] of read()) {
        let cumulative = 0;
        buckets.bounds.forEach((bound, i) => {
          cumulative += buckets.counts[i]!;
          values.push({ labels: { ...labels, le: bound / 1000 }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { ...labels, le: '+Inf' }, value: buckets.count, metricName: `${name}_bucket` });
        values.push({ labels, value: buckets.sum / 1000, metricName: `${name}_sum` });
        values.push({ labels, value: buckets.count, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
