/**
 * The tenant context for the view runtime. One `TenantData` per socket: its
 * EntityManager is forked once with the tenant filter parameter set, which
 * also stages the RLS session variable. Each event gets a fresh fork of it
 * (`forEvent`), so params are inherited at zero SQL cost while no identity
 * map outlives an event: an entity loaded in one event is never served to
 * the next, and nothing loaded for one socket is visible to another.
 */
import { QUERY_SCOPE_KEY } from './query-counter.ts';
import { requireTenantId, TENANT_FILTER } from './tenant-filter.ts';
import type { Database, LiveryEntityManager } from './types.ts';

export interface TenantData {
  readonly tenantId: string;
  /** A fresh EntityManager scoped to the tenant: use it for one event, then drop it. */
  forEvent(): LiveryEntityManager;
  /** Runs `work` in a transaction on a fresh per-event fork (flushes on success). */
  transactional<T>(work: (em: LiveryEntityManager) => Promise<T>): Promise<T>;
  /** SQL statements sent by this context's forks. */
  queryCount(): number;
  /** Drops the context's query accounting; call when the socket closes. */
  release(): void;
}

/**
 * Scopes data access to one tenant. Throws `LV_TENANT_REQUIRED` at once for
 * an empty, blank or missing tenant id.
 *
 * @example
 * const data = tenantData(db, socket.tenantId);        // on connect
 * const em = data.forEvent();                          // on each event
 * const todos = await scoped(em, TodoSchema).find();
 */
export function tenantData(db: Database, tenantId: string): TenantData {
  const id = requireTenantId(tenantId);
  const scope = db.counter.newScope(`tenant:${id}`);
  // `fork` is the only way off the global EntityManager, which refuses filter params.
  const socketEm = db.orm.em.fork({ clear: true, loggerContext: { [QUERY_SCOPE_KEY]: scope } });
  socketEm.setFilterParams(TENANT_FILTER, { tenantId: id });
  const forEvent = () => socketEm.fork({ clear: true });
  return {
    tenantId: id,
    forEvent,
    transactional: work => forEvent().transactional(em => work(em)),
    queryCount: () => db.counter.count(scope),
    release: () => db.counter.release(scope),
  };
}

/** The tenant an EntityManager is scoped to, or `undefined`. */
export function tenantOf(em: LiveryEntityManager): string | undefined {
  const params = em.getFilterParams(TENANT_FILTER) as { tenantId?: unknown } | undefined;
  return typeof params?.tenantId === 'string' && params.tenantId !== '' ? params.tenantId : undefined;
}
