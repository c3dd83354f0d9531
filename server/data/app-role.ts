/**
 * The application role: created when missing, then granted exactly what the
 * app needs. Runs as the owner after every migration, so tables added later
 * are granted too. Everything here is idempotent; the role itself is
 * cluster-global, so two processes (two test files, two replicas) may race to
 * create it — the loser's error is swallowed inside the DO block.
 */
import type { EntityManager } from '@mikro-orm/core';
import { DataError } from './errors.ts';

/** The SECURITY DEFINER functions of the system path (see the initial migration). */
export const SYSTEM_FUNCTIONS = ['livery_member_tenants(text)', 'livery_member_role(text, text)'];

interface SqlRunner {
  execute(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface ProvisionOptions {
  role: string;
  /** Create the role when missing (derived URLs and PGlite); else it must already exist. */
  create: boolean;
  /** Tables the app may read and write. */
  tables: string[];
}

export async function provisionAppRole(em: EntityManager, options: ProvisionOptions): Promise<void> {
  const sql = em as unknown as SqlRunner;
  const role = quoteIdent(options.role);
  if (options.create) {
    await sql.execute(createRoleSql(options.role));
  } else if (!(await roleExists(sql, options.role))) {
    throw new DataError(
      'LV_DB_APP_ROLE_MISSING',
      `role ${options.role} (from DATABASE_APP_URL) does not exist; create it with LOGIN, a password, NOSUPERUSER and NOBYPASSRLS`,
    );
  }
  await sql.execute(`grant usage on schema public to ${role}`);
  if (options.tables.length > 0) {
    const tables = options.tables.map(quoteIdent).join(', ');
    await sql.execute(`grant select, insert, update, delete on ${tables} to ${role}`);
  }
  await sql.execute(`grant execute on function ${SYSTEM_FUNCTIONS.join(', ')} to ${role}`);
}

/**
 * NOINHERIT and the explicit NO… flags keep the role from picking up the
 * owner's rights even if someone later grants it membership in another role.
 */
export function createRoleSql(role: string): string {
  return `do $$ begin
  if not exists (select 1 from pg_roles where rolname = ${quoteLiteral(role)}) then
    create role ${quoteIdent(role)} login noinherit nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
exception when duplicate_object or unique_violation then null;
end $$`;
}

async function roleExists(sql: SqlRunner, role: string): Promise<boolean> {
  const rows = (await sql.execute('select 1 from pg_roles where rolname = ?', [role])) as unknown[];
  return rows.length > 0;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
