/**
 * Per-tenant series with bounded cardinality (D48). Off by default; with `metrics.tenantLabels`
 * = N, at most N tenants get a series of their own and everything else is summed under
 * {@link OTHER} — so however many tenants a process serves (or an attacker makes it see), each
 * tenant metric has at most N + 1 series.
 *
 * The N are re-chosen at every scrape: the tenants with the most events, joins and errors since
 * the previous scrape plus live sockets, incumbents winning ties. Counters stay monotonic through
 * that: a tenant's series counts from the moment it got its label, `other` is the process total
 * minus what the labelled series show (and showed last, for tenants that lost their label since:
 * `#retired`). A tenant that loses its label just ends its series — what it did after its last
 * scrape goes to `other` — and gaining it again starts a new series from zero, which Prometheus
 * reads as a counter reset. So at any scrape the series shown, plus the last values of those that
 * ended, add up to the process totals exactly.
 *
 * The hot path pays one plain increment on a {@link TenantCounts} its socket looked up once.
 */
import { TenantCounts } from './tenant-counts.ts';

/** The label value of everything not given its own series: not a tenant slug (no underscores). */
export const OTHER = '_other';

export interface TenantSeries {
  readonly tenant: string;
  readonly events: number;
  readonly joins: number;
  readonly errors: number;
  readonly sockets: number;
}

type Totals = Pick<TenantCounts, 'events' | 'joins' | 'errors'>;

export class TenantLabels {
  readonly limit: number;
  /** Every tenant seen since it was last idle, with its totals. */
  readonly #counts = new Map<string, TenantCounts>();
  /** Where increments go when labels are off or a socket has no tenant yet. */
  readonly #unlabelled = new TenantCounts();
  /** Labelled tenants → their totals when they got the label, and what their series showed last. */
  readonly #labelled = new Map<string, { readonly base: Totals; shown: Totals }>();
  /** The last values of series that ended (their tenants lost the label): kept out of `other`. */
  readonly #retired = new TenantCounts();
  /** Each tenant's activity at the previous selection. */
  readonly #previous = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Tenants whose counts are held: the labelled ones and those active since the last scrape. */
  get tracked(): number {
    return this.#counts.size;
  }

  /** The counts a socket of this tenant increments (look it up once per socket or view). */
  for(tenant: string | undefined): TenantCounts {
    if (this.limit === 0 || tenant === undefined) return this.#unlabelled;
    let counts = this.#counts.get(tenant);
    if (counts === undefined) this.#counts.set(tenant, (counts = new TenantCounts()));
    return counts;
  }

  /**
   * Chooses the labelled tenants and returns their series and `other`'s. `totals` are the
   * process-wide counters (every tenant increment is paired with one of those), `sockets` the
   * live sockets per tenant now.
   */
  select(totals: Totals, sockets: ReadonlyMap<string, number>, totalSockets: number): TenantSeries[] {
    if (this.limit === 0) return [];
    for (const tenant of sockets.keys()) this.for(tenant);
    const weights = new Map<string, number>();
    for (const [tenant, counts] of this.#counts) {
      const activity = counts.events + counts.joins + counts.errors;
      const weight = activity - (this.#previous.get(tenant) ?? 0) + (sockets.get(tenant) ?? 0);
      this.#previous.set(tenant, activity);
      if (weight === 0 && !this.#labelled.has(tenant)) {
        // Idle and unlabelled: forget it (its counts live on in the totals, hence in `other`).
        this.#counts.delete(tenant);
        this.#previous.delete(tenant);
        continue;
      }
      weights.set(tenant, weight);
    }
    const chosen = [...weights.keys()]
      .sort((a, b) => weights.get(b)! - weights.get(a)! || Number(this.#labelled.has(b)) - Number(this.#labelled.has(a)) || (a < b ? -1 : 1))
      .slice(0, this.limit);
    const keep = new Set(chosen);
    for (const [tenant, { shown }] of this.#labelled) {
      if (keep.has(tenant)) continue;
      this.#retired.events += shown.events;
      this.#retired.joins += shown.joins;
      this.#retired.errors += shown.errors;
      this.#labelled.delete(tenant);
    }
    const series: TenantSeries[] = [];
    const other = { events: totals.events - this.#retired.events, joins: totals.joins - this.#retired.joins, errors: totals.errors - this.#retired.errors, sockets: totalSockets };
    for (const tenant of chosen) {
      const counts = this.#counts.get(tenant)!;
      let labelled = this.#labelled.get(tenant);
      if (labelled === undefined) {
        const base = { events: counts.events, joins: counts.joins, errors: counts.errors };
        this.#labelled.set(tenant, (labelled = { base, shown: base }));
      }
      const { base } = labelled;
      const own = { tenant, events: counts.events - base.events, joins: counts.joins - base.joins, errors: counts.errors - base.errors, sockets: sockets.get(tenant) ?? 0 };
      labelled.shown = own;
      series.push(own);
      other.events -= own.events;
      other.joins -= own.joins;
      other.errors -= own.errors;
      other.sockets -= own.sockets;
    }
    series.push({ tenant: OTHER, ...other });
    return series;
  }
}
