/** Types shared across the data layer (kept apart to avoid import cycles). */
import type { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import type { QueryCounter } from './query-counter.ts';
import type { TenantWatch, TenantWatchHandlers } from './tenant-watch.ts';

export type LiveryEntityManager = SqlEntityManager;
export type LiveryOrm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

export interface Database {
  readonly kind: 'pglite' | 'postgresql';
  /** The application ORM. Never query its global `em`; use `tenantData` / `systemData`. */
  readonly orm: LiveryOrm;
  /** The role the application connects as (default `livery_app`). */
  readonly appRole: string;
  readonly counter: QueryCounter;
  /** Runs pending migrations as the owner, then (re)grants the app role. Returns the applied names. */
  migrate(): Promise<string[]>;
  /**
   * Listens for changes to tenant rows (the `tenants_changed` trigger) on a connection of its
   * own, which also serves the recheck's reads (see tenant-watch.ts).
   */
  watchTenants(handlers: TenantWatchHandlers): Promise<TenantWatch>;
  /**
   * Whether the watch's connection hears a notification: false when it goes through a
   * transaction-pooling proxy, whose server connections move between clients (D39).
   */
  listenHolds(timeoutMs: number): Promise<boolean>;
  /** SQL statements sent through the application ORM so far (BEGIN/COMMIT included). */
  queryCount(): number;
  close(): Promise<void>;
}
