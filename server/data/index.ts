/**
 * Livery's data layer: tenant-scoped MikroORM 7 on PGlite or PostgreSQL,
 * with PostgreSQL row-level security as the second wall. See docs/data.md.
 *
 * Runtime API, in the order a process uses it:
 *   createDatabase(options)        open (and optionally migrate) with the app's entities and
 *                                  migrations folder — once per process
 *   checkDatabase(db)              startup check: is RLS really in force?
 *   systemData(db)                 tenant resolver's reads before a tenant is chosen
 *   tenantData(db, tenantId)       once per socket; .forEvent() once per event
 *   scoped(em, Entity)             find / get / create / update / delete in that tenant
 */
export { createDatabase } from './database.ts';
export { databaseOptionsFromEnv, databaseName, deriveAppUrl, redactUrl, resolveTarget, DEFAULT_APP_ROLE, DEFAULT_PGLITE_DIR, type DatabaseOptions, type DatabaseTarget } from './config.ts';
export type { Database, LiveryEntityManager, LiveryOrm } from './types.ts';
export { checkDatabase, DATABASE_PROBLEM_IDS, type DatabaseProblem, type DatabaseProblemId } from './check.ts';
export { systemData, type SystemData, type TenantMembership } from './system.ts';
export { tenantData, tenantOf, type TenantData } from './tenant-data.ts';
export { scoped, registeredMeta, type Scoped } from './scoped.ts';
export { seedTenants, type SeedTenant, type SeedUser } from './seed.ts';
export { loadRegistry, type AppDataOptions, type AppEntity, type DataRegistry } from './registry.ts';
export { runMigrateCommand, type AppDatabase, type MigrateArgs } from './migrate-command.ts';
export { createMigration, type CreateMigrationResult } from './create-migration.ts';
export { QueryCounter } from './query-counter.ts';
export { TENANT_FILTER, TENANT_SETTING, tenantOwned, tenantFieldOf, requireTenantId, type TenantFilterParams } from './tenant-filter.ts';
export { DataError, DATA_ERRORS, isDataError, type DataErrorCode } from './errors.ts';
export * from './entities/index.ts';
export { SaveNotifier, type SaveEvent, type SaveKind, type SavePublisher } from './notify-on-save.ts';
export { TENANT_CHANGES_CHANNEL, type TenantRecord, type TenantWatch, type TenantWatchHandlers } from './tenant-watch.ts';
export { suspendTenant, reactivateTenant, updateTenantSettings } from './tenant-lifecycle.ts';
