/**
 * Tenant lifecycle changes, heard by every process (D40). A change to a tenant's row — suspended,
 * reactivated, paid-until moved, settings (quotas) changed, deleted — reaches each process two
 * ways:
 *
 * - at once: the `tenants_changed` trigger NOTIFYs on commit, and each process LISTENs on a
 *   connection of its own (`Database.watchTenants`); the changed row is read, the directory's
 *   entry replaced, and `changed(id, info)` lets the runtime close that tenant's live sockets;
 * - within `tenancy.recheckSeconds` whatever happens to notifications (a dropped connection):
 *   every tenant cached or live on the process is re-read on the same connection, and each is
 *   reported again. (A transaction-pooling proxy, which cannot hold a LISTEN, is refused at
 *   startup unless the watch has a direct `listenUrl`: D39.)
 *
 * Reads are serialized, so a quick suspend-then-reactivate cannot leave the older row cached.
 */
import type { Database, TenantRecord, TenantWatch } from '../data/index.ts';
import { admission, type TenantDirectory, type TenantInfo } from './directory.ts';

export interface TenantWatchOptions {
  /** Seconds between rechecks of every tenant cached or live here. */
  readonly recheckSeconds: number;
  /** The tenants with live sockets on this process. */
  readonly live: () => Iterable<string>;
  /** A tenant's current info (null: it no longer exists), after a change or at a recheck. */
  readonly changed: (id: string, info: TenantInfo | null) => void;
  readonly log: { warn(object: object, message: string): void };
}

export interface TenantWatcher {
  /** Re-reads every tenant cached or live here now (also done every `recheckSeconds`). */
  recheck(): Promise<void>;
  close(): Promise<void>;
}

export async function watchTenants(database: Database, directory: TenantDirectory, options: TenantWatchOptions): Promise<TenantWatcher> {
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  let watch: TenantWatch | undefined;

  /** Reads these tenants' rows and reports each; one read at a time, in the order asked. */
  const refresh = (ids: readonly string[]): Promise<void> => {
    queue = queue.then(async () => {
      if (closed || watch === undefined || ids.length === 0) return;
      let rows: TenantRecord[];
      try {
        rows = await watch.read(ids);
      } catch (error) {
        // The ids whose change this was stay invalidated: the next page or socket reads them.
        options.log.warn({ err: error }, 'reading changed tenants failed; the next recheck retries');
        return;
      }
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) options.changed(id, directory.store(id, byId.get(id) ?? null));
    });
    return queue;
  };

  watch = await database.watchTenants({
    changed(id) {
      // Stop serving the cached entry now; the read below replaces it.
      directory.invalidate(id);
      void refresh([id]);
    },
    reconnected() {
      void recheck();
    },
    failed(error) {
      options.log.warn({ err: error }, 'tenant change listener lost its connection; reconnecting (rechecks continue)');
    },
  });

  function recheck(): Promise<void> {
    return refresh([...new Set([...directory.cachedIds(), ...options.live()])]);
  }

  const timer = setInterval(() => void recheck(), options.recheckSeconds * 1000);
  timer.unref();

  return {
    recheck,
    async close() {
      closed = true;
      clearInterval(timer);
      await queue;
      await watch?.close();
    },
  };
}

/** Why a tenant that changed can no longer be served (null: it still can). */
export function refusalOf(info: TenantInfo | null): ReturnType<typeof admission> | 'LV_TENANT_UNKNOWN' {
  return info === null ? 'LV_TENANT_UNKNOWN' : admission(info);
}
