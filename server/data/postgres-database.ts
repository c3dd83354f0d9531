/**
 * PostgreSQL: two connections by design. The application ORM connects as
 * the app role (a pool, lazily); `migrate()` opens a short-lived owner ORM on
 * DATABASE_URL, creates the database when missing, runs the migrations,
 * grants the app role, and closes.
 */
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
    // A client of the pool's own kind and settings (the app role's URL), outside the pool.
    const pool = (await this.orm.em.getDriver().getConnection().getNativeClient()) as unknown as PgPool;
    return watchPostgres(() => new pool.Client(pool.options), handlers);
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
