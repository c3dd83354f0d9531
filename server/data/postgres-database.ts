/**
 * PostgreSQL: two connections by design. The application ORM connects as
 * the app role (a pool, lazily); `migrate()` opens a short-lived owner ORM on
 * DATABASE_URL, creates the database when missing, runs the migrations,
 * grants the app role, and closes.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM as PostgresMikroORM } from '@mikro-orm/postgresql';
import { provisionAppRole } from './app-role.ts';
import type { DatabaseTarget } from './config.ts';
import { entityTables, sharedOrmOptions, type OrmConfigInput } from './orm-config.ts';
import type { QueryCounter } from './query-counter.ts';
import type { Database, LiveryOrm } from './types.ts';
import { watchPostgres, type PgClientLike, type TenantWatch, type TenantWatchHandlers } from './tenant-watch.ts';

type PostgresTarget = Extract<DatabaseTarget, { kind: 'postgresql' }>;

export class PostgresDatabase implements Database {
  readonly kind = 'postgresql' as const;
  readonly orm: LiveryOrm;
  readonly appRole: string;
  readonly counter: QueryCounter;
  readonly #target: PostgresTarget;
  readonly #input: OrmConfigInput;

  private constructor(orm: LiveryOrm, target: PostgresTarget, input: OrmConfigInput) {
    this.orm = orm;
    this.appRole = target.appRole;
    this.counter = input.counter;
    this.#target = target;
    this.#input = input;
  }

  static async open(target: PostgresTarget, input: OrmConfigInput): Promise<PostgresDatabase> {
    const orm = (await PostgresMikroORM.init({ ...sharedOrmOptions(input), clientUrl: target.appUrl })) as unknown as LiveryOrm;
    return new PostgresDatabase(orm, target, input);
  }

  async migrate(): Promise<string[]> {
    const owner = await openOwnerOrm(this.#target.ownerUrl, this.#input);
    try {
      const applied = await owner.migrator.up();
      await provisionAppRole(owner.em.fork(), {
        role: this.appRole,
        create: this.#target.appUrlDerived,
        tables: entityTables(owner),
      });
      return applied.map(migration => migration.name);
    } finally {
      await owner.close(true);
    }
  }

  async watchTenants(handlers: TenantWatchHandlers): Promise<TenantWatch> {
    const newClient = await this.#listenClients();
    return watchPostgres(newClient, handlers);
  }

  /** LISTENs on a fresh channel with the watch's kind of connection and NOTIFYs it through the pool. */
  async listenHolds(timeoutMs: number): Promise<boolean> {
    const client = (await this.#listenClients())();
    const channel = `livery_probe_${randomBytes(8).toString('hex')}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const heard = new Promise<boolean>((resolve) => {
        client.on('notification', (message) => message.channel === channel && resolve(true));
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      await client.connect();
      await client.query(`listen ${channel}`);
      await this.orm.em.fork().execute('select pg_notify(?, ?)', [channel, 'probe']);
      return await heard;
    } finally {
      clearTimeout(timer);
      await client.end().catch(() => {});
    }
  }

  /**
   * Clients for LISTEN: of the pool's own kind and settings (the app role), outside the pool, on
   * `listenUrl` when one is given (a direct connection past a transaction-pooling proxy).
   */
  async #listenClients(): Promise<() => PgClientLike> {
    const pool = (await this.orm.em.getDriver().getConnection().getNativeClient()) as unknown as PgPool;
    const url = this.#target.listenUrl;
    const options = url === undefined ? pool.options : { ...(pool.options as object), connectionString: url };
    return () => new pool.Client(options);
  }

  queryCount(): number {
    return this.counter.total();
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

/** The two things of `pg`'s Pool the tenant watch uses. */
interface PgPool {
  readonly Client: new (options: unknown) => PgClientLike;
  readonly options: unknown;
}

/** An ORM connected as the owner; creates the database when it does not exist yet. */
export async function openOwnerOrm(ownerUrl: string, input: OrmConfigInput): Promise<LiveryOrm> {
  const orm = (await PostgresMikroORM.init({
    ...sharedOrmOptions(input),
    clientUrl: ownerUrl,
    ensureDatabase: true,
    pool: { min: 0, max: 2 },
  })) as unknown as LiveryOrm;
  await orm.schema.ensureDatabase();
  return orm;
}
