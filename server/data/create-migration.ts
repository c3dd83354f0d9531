/**
 * `migrate --create <name>`: writes the app's next migration. The starting point is not a
 * snapshot file but the schema the existing migrations build: Livery's and the app's are applied
 * to a fresh in-memory PGlite, and the registered entities are diffed against that database. The
 * file lands in the app's migrations folder, never in Livery's.
 *
 * A table (or column) the migrations created but no registered entity maps is not evidence that
 * it should go: far more often an entity was forgotten in `database.entities`. So a diff that
 * would drop one is refused unless the caller says `allowDrop`, naming what would be dropped.
 */
import { MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import { SchemaComparator, type DatabaseTable, type SchemaDifference } from '@mikro-orm/sql';
import { TSMigrationGenerator } from '@mikro-orm/migrations';
import { SYSTEM_FUNCTIONS } from './app-role.ts';
import { sharedOrmOptions } from './orm-config.ts';
import { QueryCounter } from './query-counter.ts';
import type { DataRegistry } from './registry.ts';
import type { LiveryOrm } from './types.ts';

export type CreateMigrationResult =
  | { kind: 'created'; file: string }
  | { kind: 'unchanged' }
  | { kind: 'refused'; drops: string[] };

/** What the diff would drop: `table` for a whole table, `table.column` for a column. */
export interface Drops {
  tables: string[];
  columns: string[];
}

interface PreparableGenerator {
  prepareSchemaForComparison(options: object): Promise<{ fromSchema: unknown; toSchema: unknown }>;
}

export async function createMigration(registry: DataRegistry, name: string, options: { allowDrop?: boolean } = {}): Promise<CreateMigrationResult> {
  if (registry.migrationsDir === undefined) throw new Error('createMigration needs the app\'s migrations folder');
  const shared = sharedOrmOptions({ counter: new QueryCounter(), registry });
  const orm = (await PgliteMikroORM.init({
    ...shared,
    migrations: { ...shared.migrations, generator: AppMigrationGenerator },
    dbName: 'memory://',
    allowGlobalContext: true,
  })) as unknown as LiveryOrm;
  try {
    await orm.migrator.up();
    const drops = await plannedDrops(orm);
    const named = [...drops.tables, ...drops.columns];
    if (named.length > 0 && !options.allowDrop) return { kind: 'refused', drops: named };
    const result = await orm.migrator.create(registry.migrationsDir, false, false, name);
    return result.fileName ? { kind: 'created', file: result.fileName } : { kind: 'unchanged' };
  } finally {
    await orm.close(true);
  }
}

/** Tables and columns in the migrated database that no registered entity maps. */
async function plannedDrops(orm: LiveryOrm): Promise<Drops> {
  // the generator's own preparation (pruning, routines), so the diff is the one `create` writes
  const { fromSchema, toSchema } = await (orm.schema as unknown as PreparableGenerator).prepareSchemaForComparison({});
  const diff = new SchemaComparator(orm.em.getPlatform()).compare(fromSchema as never, toSchema as never) as SchemaDifference;
  return {
    tables: Object.values(diff.removedTables).map((table: DatabaseTable) => table.name),
    columns: Object.values(diff.changedTables).flatMap(change => Object.keys(change.removedColumns).map(column => `${change.name}.${column}`)),
  };
}

/** Livery's system-path functions, by name: hand-written in Livery's migration, never the app's business. */
const LIVERY_ROUTINE = new RegExp(SYSTEM_FUNCTIONS.map(signature => `"?${signature.slice(0, signature.indexOf('('))}"?\\s*\\(`).join('|'));

/**
 * MikroORM's TypeScript generator, minus Livery's own functions: `ignoreRoutines` keeps them out
 * of a migration's `up`, but the `down` diff would still re-create them in every app migration.
 */
class AppMigrationGenerator extends TSMigrationGenerator {
  override generateMigrationFile(className: string, diff: { up: string[]; down: string[] }): string {
    return super.generateMigrationFile(className, { up: withoutLiveryRoutines(diff.up), down: withoutLiveryRoutines(diff.down) });
  }
}

function withoutLiveryRoutines(statements: string[]): string[] {
  const kept = statements.filter(sql => !LIVERY_ROUTINE.test(sql));
  // '' separates groups of statements; drop the separators the removal left dangling
  return kept.filter((sql, i) => sql !== '' || (i > 0 && i < kept.length - 1 && kept[i - 1] !== ''));
}
