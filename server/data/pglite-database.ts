/**
 * PGlite runs PostgreSQL in-process with exactly one session, and that
 * session is a superuser (PGlite's own `username` option is a `SET ROLE`
 * too). So the app role is entered with a session-level `SET ROLE` whenever
 * MikroORM creates that session (kysely's `onCreateConnection`, before any
 * query), and left only while `migrate()` runs as the owner. Under the app
 * role, PostgreSQL applies the same RLS policies as on a server.
 *
 * Limit: the session user stays a superuser, so SQL that itself runs
 * `RESET ROLE` regains it. PGlite is for development and tests; the hard
 * wall is PostgreSQL with a separate login role.
 */
import { mkdirSync } from 'node:fs';
import { MikroORM as PgliteMikroORM, type PgliteConnection } from '@mikro-orm/pglite';
import { createRoleSql, provisionAppRole, quoteIdent } from './app-role.ts';
import type { DatabaseTarget } from './config.ts';
import { entityTables, sharedOrmOptions, type OrmConfigInput } from './orm-config.ts';
import type { QueryCounter } from './query-counter.ts';
import type { Database, LiveryOrm } from './types.ts';
import { watchPglite, type PgliteLike, type TenantWatch, type TenantWatchHandlers } from './tenant-watch.ts';

type PgliteTarget = Extract<DatabaseTarget, { kind: 'pglite' }>;

interface PgliteSession {
  exec(sql: string): Promise<unknown>;
}

/** Kysely's connection as handed to `onCreateConnection`; only `sql` and `parameters` are read. */
interface RawConnection {
  executeQuery(query: { sql: string; parameters: readonly unknown[] }): Promise<unknown>;
}

async function enterAppRole(connection: RawConnection, role: string): Promise<void> {
  await connection.executeQuery({ sql: createRoleSql(role), parameters: [] });
  await connection.executeQuery({ sql: `set role ${quoteIdent(role)}`, parameters: [] });
}

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly orm: LiveryOrm;
  readonly appRole: string;
  readonly counter: QueryCounter;

  readonly #state: { asOwner: boolean };

  private constructor(orm: LiveryOrm, appRole: string, counter: QueryCounter, state: { asOwner: boolean }) {
    this.orm = orm;
    this.appRole = appRole;
    this.counter = counter;
    this.#state = state;
  }

  static async open(target: PgliteTarget, input: OrmConfigInput): Promise<PgliteDatabase> {
    const { counter } = input;
    const state = { asOwner: false };
    if (!target.dataDir.startsWith('memory:')) {
      mkdirSync(target.dataDir, { recursive: true });
    }
    const orm = (await PgliteMikroORM.init({
      ...sharedOrmOptions(input),
      dbName: target.dataDir,
      // runs whenever MikroORM (re)creates the PGlite session, before any query of its own
      onCreateConnection: connection => (state.asOwner ? Promise.resolve() : enterAppRole(connection as RawConnection, target.appRole)),
    })) as unknown as LiveryOrm;
    const db = new PgliteDatabase(orm, target.appRole, counter, state);
    try {
      // connect now, so the hook has run and a broken data directory fails here, not on the first event
      await orm.connect();
      const status = await orm.checkConnection();
      if (!status.ok) throw status.error ?? new Error(status.reason);
    } catch (error) {
      await orm.close(true);
      throw error;
    }
    return db;
  }

  async migrate(): Promise<string[]> {
    // the migrator may reconnect (MikroORM keeps the PGlite instance); the flag keeps the hook from re-entering the app role
    this.#state.asOwner = true;
    await (await this.#session()).exec('reset role');
    try {
      const applied = await this.orm.migrator.up();
      await provisionAppRole(this.orm.em.fork(), { role: this.appRole, create: true, tables: entityTables(this.orm) });
      return applied.map(migration => migration.name);
    } finally {
      this.#state.asOwner = false;
      await (await this.#session()).exec(`set role ${quoteIdent(this.appRole)}`);
    }
  }

  async watchTenants(handlers: TenantWatchHandlers): Promise<TenantWatch> {
    return watchPglite((await this.#session()) as unknown as PgliteLike, handlers);
  }

  /** PGlite's one in-process session always hears its own notifications. */
  async listenHolds(): Promise<boolean> {
    return true;
  }

  queryCount(): number {
    return this.counter.total();
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }

  // Statements sent here bypass MikroORM (and its logger): only role switches go this way.
  async #session(): Promise<PgliteSession> {
    const connection = this.orm.em.getDriver().getConnection() as unknown as PgliteConnection;
    return (await connection.getNativeClient()) as unknown as PgliteSession;
  }
}
