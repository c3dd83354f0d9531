/**
 * The process's live counters, kept as plain numbers so the hot path pays an increment and
 * nothing else; the Prometheus registry (registry.ts) reads them only when scraped.
 *
 * Label values are bounded: error codes are the registry's (anything else counts as `other`),
 * close codes the ones Livery or the WebSocket standard use (a client may close with any code
 * from 1000 to 4999, so the rest is `other` too), backends and operations the few that exist, and
 * tenants at most `metrics.tenantLabels` + 1 (tenant-labels.ts).
 */
import { errors } from '../errors.ts';
import { BACKEND_LATENCY_MS, Buckets, EVENT_LATENCY_MS } from './buckets.ts';
import { TenantCounts } from './tenant-counts.ts';
import { TenantLabels } from './tenant-labels.ts';

/** Close codes with a label of their own: the standard ones a server sees, and every code Livery closes with. */
const KNOWN_CLOSE_CODES = new Set<number>([
  1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015,
  ...Object.values(errors).flatMap((spec) => {
    const { close, status } = spec as { close?: number; status?: number };
    return [close, status === undefined ? undefined : 4000 + status].filter((code): code is number => code !== undefined);
  }),
  4500,
]);

/**
 * State backend methods as operators call them: `get` and a join's `claim` load a view's state,
 * `set` (a first render's) and `save` (an owner's) store it; `keep` (a live view's refresh) and
 * `delete` keep their names.
 */
const BACKEND_OPS: Readonly<Record<string, string>> = { get: 'load', claim: 'load', set: 'save', save: 'save' };

/**
 * One in this many events that ran at once (nothing queued before them on the view) and
 * synchronously is timed, and counted this many times: their latency is the handler's and the
 * render's CPU time, alike from one to the next, and the clock read costs as much as the rest of
 * the counting together (D47). Every event that waited in the mailbox or awaited anything is timed.
 */
export const LATENCY_SAMPLE = 16;

export class LiveStats {
  /** Events handled (their handler ran). */
  events = 0;
  /** Diffs rendered (an event, tick, info or save changed state a template shows). */
  renders = 0;
  /** Joins answered with the view (not with an error). */
  joins = 0;
  framesSent = 0;
  /** Of the frames sent, those a native topic publish delivered (a broadcast's group, D70). */
  framesPublished = 0;
  /** Frame text sent, in UTF-16 code units: bytes for ASCII, which JSON diffs nearly always are. */
  bytesSent = 0;
  /** Error frames (and refused upgrades) by code. */
  readonly errors = new Map<string, number>();
  /** The same, all codes together. */
  errorCount = 0;
  /** Socket closes by close code. */
  readonly closes = new Map<string, number>();
  /** Event received → its reply handed to the socket (see {@link LATENCY_SAMPLE}). */
  readonly eventLatency = new Buckets(EVENT_LATENCY_MS);
  /** Events that ran at once and synchronously, for sampling their latency. */
  immediateEvents = 0;
  /** State backend calls: backend name → operation → durations. */
  readonly backendLatency = new Map<string, Map<string, Buckets>>();
  readonly tenants: TenantLabels;

  constructor(options: { tenantLabels: number } = { tenantLabels: 0 }) {
    this.tenants = new TenantLabels(options.tenantLabels);
  }

  /** The counts a socket or view of this tenant increments; look it up once, not per event. */
  forTenant(tenant: string | undefined): TenantCounts {
    return this.tenants.for(tenant);
  }

  /** An error answered with a registry code (an error frame, or a refused upgrade). */
  error(code: string, tenant?: TenantCounts): void {
    const label = Object.hasOwn(errors, code) ? code : 'other';
    this.errors.set(label, (this.errors.get(label) ?? 0) + 1);
    this.errorCount++;
    if (tenant !== undefined) tenant.errors++;
  }

  /** A socket closed, by either side, with this code. */
  closed(code: number): void {
    const label = KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other';
    this.closes.set(label, (this.closes.get(label) ?? 0) + 1);
  }

  /** The durations of one backend operation (named as in {@link BACKEND_OPS}); none for `close`. */
  backendOp(backend: string, method: string): Buckets | undefined {
    if (method === 'close') return undefined;
    const op = BACKEND_OPS[method] ?? method;
    let ops = this.backendLatency.get(backend);
    if (ops === undefined) this.backendLatency.set(backend, (ops = new Map()));
    let buckets = ops.get(op);
    if (buckets === undefined) ops.set(op, (buckets = new Buckets(BACKEND_LATENCY_MS)));
    return buckets;
  }
}
