/**
 * What the ORM knows: Livery's own entities and migrations, then the app's. The app hands in its
 * entities and the folder of its migrations (`createDatabase({ entities, migrations })`); both
 * are checked here, before anything connects, so a mistake is a startup check with an id and a
 * hint (livery.C022–C024), never an ORM TypeError later and never a half-migrated database.
 *
 * Order and names (docs/design.md, D13): Livery's migrations (`Livery<NNNN>_<what>`, a compiled
 * list) run first, then the app's (`Migration<timestamp>_<name>` files, by name). Both share
 * MikroORM's migrations table; the prefixes keep the names apart, so an app's migration can never
 * be mistaken for Livery's or the other way round.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { failOn, type Problem } from '../config/checks.ts';
import { LIVERY_ENTITIES } from './entities/index.ts';
import { LIVERY_MIGRATIONS } from './migrations/index.ts';
import { TENANT_FILTER, tenantFieldOf } from './tenant-filter.ts';

/** An entity as `defineEntity` returns it. */
export type AppEntity = EntitySchema<any, any>;

/** The app's side of the data layer (the `database` block of `defineApp`, or createDatabase's options). */
export interface AppDataOptions {
  /** The app's entities; Livery adds its own (tenants, users, memberships). */
  entities?: readonly AppEntity[];
  /** The app's migrations folder: a path or a `file:` URL (`new URL('./migrations/', import.meta.url)`). */
  migrations?: string | URL;
}

export interface DataRegistry {
  /** Livery's entities, then the app's. */
  readonly entities: AppEntity[];
  /** Livery's migrations, then the app's: the order they run in. */
  readonly migrations: MigrationObject[];
  /** The app's migrations folder (absolute), where `migrate --create` writes. */
  readonly migrationsDir: string | undefined;
}

/** Prefix of every app migration file (MikroORM's generator names them so); Livery's start with `Livery`. */
const APP_MIGRATION_FILE = /^Migration[^.]*\.(ts|js|mjs)$/;

/** Checks the app's entities and loads its migrations; throws a StartupError listing every problem. */
export async function loadRegistry(options: AppDataOptions = {}): Promise<DataRegistry> {
  const appEntities = (options.entities ?? []).filter(entity => !LIVERY_ENTITIES.includes(entity as never));
  const problems = appEntities.flatMap(entityProblems);
  const migrationsDir = options.migrations === undefined ? undefined : folderPath(options.migrations);
  let appMigrations: MigrationObject[] = [];
  if (migrationsDir !== undefined) {
    if (!existsSync(migrationsDir) || !statSync(migrationsDir).isDirectory()) {
      problems.push({ id: 'livery.C023', detail: `migrations folder ${migrationsDir} does not exist` });
    } else {
      appMigrations = await loadMigrations(migrationsDir, problems);
    }
  }
  failOn(problems);
  return { entities: [...LIVERY_ENTITIES, ...appEntities], migrations: [...LIVERY_MIGRATIONS, ...appMigrations], migrationsDir };
}

/**
 * A tenant-owned entity must hold its tenant in a property the filter (and the RLS policy
 * compiled from it) can name; an entity with a tenant column but no tenant filter would be
 * readable across tenants. An entity with neither is a shared table, readable by every tenant.
 */
function entityProblems(entity: AppEntity): Problem[] {
  const meta = (entity as { meta?: { className?: string; properties?: Record<string, { fieldName?: string }>; filters?: Record<string, unknown> } }).meta;
  if (meta?.className === undefined || meta.properties === undefined) {
    return [{ id: 'livery.C022', detail: `${String(entity)} in database.entities is not an entity (use defineEntity)` }];
  }
  const name = meta.className;
  const field = tenantFieldOf(name);
  const properties = meta.properties;
  if (field !== undefined) {
    if (!(field in properties)) {
      return [{ id: 'livery.C022', detail: `${name} is tenant-owned (tenantOwned('${name}'${field === 'tenantId' ? '' : `, '${field}'`})) but has no ${field} property` }];
    }
    if (meta.filters?.[TENANT_FILTER] === undefined) {
      return [{ id: 'livery.C022', detail: `${name} calls tenantOwned but does not use it: set \`filters: tenantOwned('${name}')\`` }];
    }
    return [];
  }
  const tenantLike = Object.entries(properties).find(([key, prop]) => key === 'tenantId' || key === 'tenant' || prop?.fieldName === 'tenant_id');
  if (tenantLike !== undefined) {
    return [{ id: 'livery.C022', detail: `${name} has a tenant property (${tenantLike[0]}) but no tenant filter: add \`filters: tenantOwned('${name}'${tenantLike[0] === 'tenantId' ? '' : `, '${tenantLike[0]}'`})\`` }];
  }
  return [];
}

async function loadMigrations(dir: string, problems: Problem[]): Promise<MigrationObject[]> {
  const files = readdirSync(dir).filter(file => APP_MIGRATION_FILE.test(file) && !file.endsWith('.d.ts')).sort();
  const loaded: MigrationObject[] = [];
  for (const file of files) {
    const name = basename(file).replace(/\.(ts|js|mjs)$/, '');
    try {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
      const migrationClass = Object.values(module).find(isMigrationClass);
      if (migrationClass === undefined) problems.push({ id: 'livery.C024', detail: `${join(dir, file)} exports no migration class` });
      else loaded.push({ name, class: migrationClass });
    } catch (error) {
      problems.push({ id: 'livery.C024', detail: `${join(dir, file)} does not load: ${(error as Error).message}` });
    }
  }
  return loaded;
}

function isMigrationClass(value: unknown): value is MigrationObject['class'] {
  return typeof value === 'function' && typeof (value as { prototype?: { up?: unknown } }).prototype?.up === 'function';
}

function folderPath(folder: string | URL): string {
  return folder instanceof URL || folder.startsWith('file:') ? fileURLToPath(folder) : resolve(folder);
}
