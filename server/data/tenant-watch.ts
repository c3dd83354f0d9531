/**
 * Watching the tenants table from a server process: one connection of its own that LISTENs on
 * the channel the `tenants_changed` trigger notifies (Livery0002), and re-reads tenant rows for
 * the bounded recheck. It is not the application's pool — a LISTEN needs a session that stays
 * open — and its statements are not in the app's query accounting (they are not the app's work).
 *
 * On PostgreSQL it is a `pg` client made from the pool's own settings (same role, same URL, or
 * `listenUrl` when given: a direct connection past a transaction-pooling proxy, through which a
 * LISTEN hears nothing — the startup check refuses that, D39); when the connection drops it
 * reconnects with backoff and says so (`reconnected`), since notifications sent meanwhile are
 * lost, and the recheck bounds how late a change takes effect (docs/design.md, D40).
 * On PGlite it is PGlite's own `listen` on the one in-process session.
 */

/** The notification channel of tenant changes; the payload is the tenant's id. */
export const TENANT_CHANGES_CHANNEL = 'livery_tenants';

/** The trigger that announces tenant changes (migration Livery0002; the Tenant entity declares it too). */
export const TENANT_CHANGES_TRIGGER = 'tenants_changed';

/**
 * Its DDL, one statement each: a function that NOTIFYs the old and the new id of the row (both
 * when a row's id changes), and the trigger running it after every insert, update and delete.
 */
export const TENANT_CHANGES_DDL: readonly string[] = [
  `create function "livery_tenant_changed"() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform pg_notify('${TENANT_CHANGES_CHANNEL}', old.id); end if;
  if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.id <> old.id) then perform pg_notify('${TENANT_CHANGES_CHANNEL}', new.id); end if;
  return null;
end $$`,
  `create trigger "${TENANT_CHANGES_TRIGGER}" after insert or update or delete on "tenants" for each row execute function "livery_tenant_changed"()`,
];

export interface TenantWatchHandlers {
  /** A tenant row changed (inserted, updated, deleted): its id. */
  changed(tenantId: string): void;
  /** The listening connection was lost and is back: changes meanwhile were not heard. */
  reconnected(): void;
  /** The connection failed (it is retried); for the log. */
  failed(error: unknown): void;
}

export interface TenantWatch {
  /** The current rows of these tenants (absent ids: deleted or never existed). */
  read(ids: readonly string[]): Promise<TenantRecord[]>;
  close(): Promise<void>;
}

/** A tenant row as the watch reads it (the tenant directory's shape). */
export interface TenantRecord {
  id: string;
  name: string;
  settings: Record<string, unknown> | null;
  status: string;
  onTrial: boolean;
  /** YYYY-MM-DD, or null. */
  paidUntil: string | null;
}

/** The columns the tenant directory reads, under its names. */
export const TENANT_ROW_SQL = 'select id, name, settings, status, on_trial as "onTrial", paid_until::text as "paidUntil" from tenants where id = any($1::text[])';

/** What the watch needs of a `pg` client (the package ships no types; only these are used). */
export interface PgClientLike {
  connect(): Promise<unknown>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
  end(): Promise<void>;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;

/** A LISTEN connection on PostgreSQL that reconnects by itself until closed. */
export async function watchPostgres(newClient: () => PgClientLike, handlers: TenantWatchHandlers): Promise<TenantWatch> {
  let client: PgClientLike | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  async function open(): Promise<PgClientLike> {
    const next = newClient();
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      if (closed) return;
      if (error !== undefined) handlers.failed(error);
      schedule();
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', (message) => {
      if (message.channel === TENANT_CHANGES_CHANNEL && message.payload) handlers.changed(message.payload);
    });
    await next.connect();
    await next.query(`listen ${TENANT_CHANGES_CHANNEL}`);
    return next;
  }

  function schedule(): void {
    clearTimeout(retry);
    retry = setTimeout(() => {
      open().then((next) => {
        if (closed) return void next.end().catch(() => {});
        client = next;
        delay = RECONNECT_MIN_MS;
        handlers.reconnected();
      }, (error: unknown) => {
        handlers.failed(error);
        delay = Math.min(RECONNECT_MAX_MS, delay * 2);
        if (!closed) schedule();
      });
    }, delay);
    retry.unref();
  }

  client = await open();
  return {
    async read(ids) {
      if (client === undefined) throw new Error('the tenant watch connection is reconnecting');
      return (await client.query<TenantRecord>(TENANT_ROW_SQL, [ids])).rows;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

/** What the watch needs of PGlite: its `listen` and a plain query. */
export interface PgliteLike {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** PGlite: one in-process session, whose notifications arrive once the notifying statement commits. */
export async function watchPglite(pglite: PgliteLike, handlers: TenantWatchHandlers): Promise<TenantWatch> {
  const unlisten = await pglite.listen(TENANT_CHANGES_CHANNEL, (payload) => {
    if (payload) handlers.changed(payload);
  });
  return {
    async read(ids) {
      return (await pglite.query<TenantRecord>(TENANT_ROW_SQL, [ids])).rows;
    },
    async close() {
      await unlisten().catch(() => {}); // PGlite may already be closed
    },
  };
}
