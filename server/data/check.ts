/**
 * Startup check: row-level security only protects anything if the app
 * connects as a role it applies to. PostgreSQL skips RLS for superusers, for
 * roles with BYPASSRLS and for a table's owner (unless FORCE is set), and a
 * member of the owner role may simply SET ROLE to it; a table without RLS
 * enabled or without a policy is wide open. This check asks the database,
 * through the application connection, and reports each way the wall is
 * missing. An empty list means the wall stands.
 */
import { TENANT_FILTER, isTenantOwned } from './tenant-filter.ts';
import type { Database } from './types.ts';

export const DATABASE_PROBLEM_IDS = [
  'LV_DB_APP_ROLE_IS_SUPERUSER',
  'LV_DB_APP_ROLE_BYPASSES_RLS',
  'LV_DB_APP_ROLE_IS_OWNER',
  'LV_DB_RLS_DISABLED',
  'LV_DB_TENANT_POLICY_MISSING',
  'LV_DB_SCHEMA_MISSING',
  'LV_DB_UNREACHABLE',
  'LV_DB_STATEMENT_POOLING',
  'LV_DB_LISTEN_POOLED',
] as const;

export type DatabaseProblemId = (typeof DATABASE_PROBLEM_IDS)[number];

export interface DatabaseProblem {
  id: DatabaseProblemId;
  message: string;
  hint: string;
  table?: string;
}

interface RoleRow {
  role: string;
  superuser: boolean;
  bypassrls: boolean;
}

interface TableRow {
  table: string;
  owned: boolean;
  rls: boolean;
  policy: boolean;
}

/**
 * The problems found with how the application connects; `[]` when RLS protects every tenant-owned
 * table. `listen`: the server will LISTEN for tenant changes, so check that its connection can.
 */
export async function checkDatabase(db: Database, options: { listen?: boolean } = {}): Promise<DatabaseProblem[]> {
  const em = db.orm.em.fork({ clear: true });
  let role: RoleRow;
  let tables: TableRow[];
  try {
    [role] = await em.execute<RoleRow[]>(
      'select current_user as role, rolsuper as superuser, rolbypassrls as bypassrls from pg_roles where rolname = current_user',
    );
    tables = await em.execute<TableRow[]>(
      `select c.relname as "table", pg_has_role(current_user, c.relowner, 'MEMBER') as owned, c.relrowsecurity as rls,
         exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = c.relname || ?) as policy
       from pg_class c where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and c.relname = any(string_to_array(?, ','))`,
      [`_${TENANT_FILTER}_policy`, tenantTables(db).join(',')],
    );
  } catch (error) {
    return [problem('LV_DB_UNREACHABLE', `cannot inspect the database as the app role: ${(error as Error).message}`, 'check DATABASE_URL / DATABASE_APP_URL and run `npm run migrate`')];
  }
  const found = new Set(tables.map(row => row.table));
  const missing = tenantTables(db)
    .filter(table => !found.has(table))
    .map(table => problem('LV_DB_SCHEMA_MISSING', `table ${table} does not exist`, 'run `npm run migrate`', table));
  const pooling = await poolingProblems(db);
  if (options.listen && pooling.length === 0 && !(await db.listenHolds(LISTEN_PROBE_MS))) {
    pooling.push(problem('LV_DB_LISTEN_POOLED', 'a notification sent to the connection that LISTENs for tenant changes never arrived: it goes through a transaction-pooling proxy, which hands its session to other clients',
      'set DATABASE_LISTEN_URL (database.listenUrl) to a direct connection to PostgreSQL, past the pooler'));
  }
  return [...roleProblems(role, db.kind), ...missing, ...tables.flatMap(row => tableProblems(row, role.role)), ...pooling];
}

/** How long the LISTEN probe waits for its own notification (delivered in milliseconds when it works). */
const LISTEN_PROBE_MS = 5000;

/**
 * Every tenant-scoped query runs in a transaction that stages the tenant (set_config(…, true)).
 * A proxy pooling by transaction (pgbouncer's `pool_mode = transaction`) keeps that intact; one
 * pooling by statement refuses transactions altogether, so it is reported rather than met at the
 * first query (D39).
 */
async function poolingProblems(db: Database): Promise<DatabaseProblem[]> {
  if (db.kind !== 'postgresql') return [];
  // On a client of its own, released as broken if the proxy drops it: a transaction of the ORM's
  // whose connection died would never hand it back to the pool.
  const connection = db.orm.em.getConnection() as unknown as { getNativeClient(): Promise<NativePool> };
  const client = await (await connection.getNativeClient()).connect();
  try {
    await client.query('begin');
    await client.query('commit');
    client.release();
    return [];
  } catch (error) {
    client.release(error as Error);
    const message = (error as Error).message;
    if (!/statement pooling/i.test(message)) return [problem('LV_DB_UNREACHABLE', `cannot run a transaction as the app role: ${message}`, 'check DATABASE_URL / DATABASE_APP_URL')];
    return [problem('LV_DB_STATEMENT_POOLING', `the connection goes through a proxy pooling by statement, which refuses transactions (${message})`,
      'pool by transaction (pgbouncer pool_mode = transaction) or connect to PostgreSQL directly')];
  }
}

/** The part of node-postgres's pool the pooling check uses. */
interface NativePool {
  connect(): Promise<{ query(sql: string): Promise<unknown>; release(error?: Error): void }>;
}

function roleProblems(role: RoleRow, kind: Database['kind']): DatabaseProblem[] {
  const hint = kind === 'pglite' ? 'PGlite must switch to the app role after migrating' : 'connect with DATABASE_APP_URL (or let it derive) as a role created NOSUPERUSER';
  const problems: DatabaseProblem[] = [];
  if (role.superuser) {
    problems.push(problem('LV_DB_APP_ROLE_IS_SUPERUSER', `the app connects as superuser ${role.role}: row-level security does not apply`, hint));
  }
  if (role.bypassrls && !role.superuser) {
    problems.push(problem('LV_DB_APP_ROLE_BYPASSES_RLS', `the app role ${role.role} has BYPASSRLS`, `ALTER ROLE ${role.role} NOBYPASSRLS`));
  }
  return problems;
}

function tableProblems(row: TableRow, role: string): DatabaseProblem[] {
  const problems: DatabaseProblem[] = [];
  if (row.owned) {
    problems.push(problem('LV_DB_APP_ROLE_IS_OWNER', `the app role ${role} owns ${row.table} or can SET ROLE to its owner: RLS does not apply to owners`,
      'run migrations as the owner (DATABASE_URL) and serve as a separate role (DATABASE_APP_URL, default livery_app)', row.table));
  }
  if (!row.rls) {
    problems.push(problem('LV_DB_RLS_DISABLED', `row-level security is disabled on ${row.table}`, 'run `npm run migrate`; never DISABLE ROW LEVEL SECURITY on tenant tables', row.table));
  }
  if (!row.policy) {
    problems.push(problem('LV_DB_TENANT_POLICY_MISSING', `${row.table} has no ${TENANT_FILTER} policy`, 'run `npm run migrate` to create the policy from the entity filter', row.table));
  }
  return problems;
}

function tenantTables(db: Database): string[] {
  return [...db.orm.getMetadata()].filter(meta => isTenantOwned(meta.className)).map(meta => meta.tableName);
}

function problem(id: DatabaseProblemId, message: string, hint: string, table?: string): DatabaseProblem {
  return table ? { id, message, hint, table } : { id, message, hint };
}
