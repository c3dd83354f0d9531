/**
 * Scoped helpers: the djust TenantScopedMixin in our idiom.
 *
 *   get_tenant_queryset  → scoped(em, E).find(where?)
 *   get_tenant_object    → scoped(em, E).get(id)       (foreign or unknown id → null)
 *   create_for_tenant    → scoped(em, E).create(data)  (stamps the tenant)
 *
 * The tenant comes from the EntityManager (set by `tenantData`), never from
 * the caller. Callers may pass their own `filters` option, but the tenant
 * filter is always forced back on with the EntityManager's tenant, so
 * `filters: false` cannot switch the application-side wall off.
 */
import { Reference, wrap, type EntityData, type EntityName, type FilterOptions, type FilterQuery, type FindOneOptions, type FindOptions, type RequiredEntityData } from '@mikro-orm/core';
import { DataError } from './errors.ts';
import { tenantOf } from './tenant-data.ts';
import { TENANT_FILTER, tenantFieldOf } from './tenant-filter.ts';
import type { LiveryEntityManager } from './types.ts';

export interface Scoped<T extends object> {
  readonly tenantId: string;
  find(where?: FilterQuery<T>, options?: FindOptions<T>): Promise<T[]>;
  findOne(where: FilterQuery<T>, options?: FindOneOptions<T>): Promise<T | null>;
  count(where?: FilterQuery<T>): Promise<number>;
  /** The row with this id in the current tenant, or `null` (also for another tenant's id). */
  get(id: string): Promise<T | null>;
  /** Creates a row stamped with the current tenant and flushes the (per-event) EntityManager. */
  create(data: EntityData<T>): Promise<T>;
  /** Assigns and flushes; `null` when `get(id)` finds nothing. */
  update(id: string, data: EntityData<T>): Promise<T | null>;
  /** Removes and flushes; `false` when `get(id)` finds nothing. */
  delete(id: string): Promise<boolean>;
}

/**
 * @example
 * const todos = scoped(data.forEvent(), TodoSchema);
 * const todo = await todos.create({ title: 'Ship it' }); // todo.tenantId === data.tenantId
 * await todos.get('someone-elses-id');                   // null
 */
export function scoped<T extends object>(em: LiveryEntityManager, entity: EntityName<T>): Scoped<T> {
  const tenantId = tenantOf(em);
  if (!tenantId) {
    throw new DataError('LV_EM_NOT_SCOPED', 'scoped() needs an EntityManager from tenantData(...).forEvent()');
  }
  const meta = registeredMeta(em, entity);
  const field = tenantFieldOf(meta.className);
  if (!field) {
    throw new DataError('LV_NOT_TENANT_OWNED', `${meta.className} is not tenant-owned`);
  }
  const idKey = singleIdKey(meta.primaryKeys, field, meta.className);
  const byId = (id: string) => ({ [idKey]: id }) as FilterQuery<T>;
  const filters = (given?: FilterOptions) => forceTenantFilter(given, tenantId);
  // MikroORM's index-aware generics do not survive a generic T; the public signatures above keep callers typed
  const orm = em as unknown as LooseEntityManager;

  const helpers: Scoped<T> = {
    tenantId,
    find: (where = {} as FilterQuery<T>, options = {}) => orm.find(entity, where, { ...options, filters: filters(options.filters) }),
    findOne: (where, options = {}) => orm.findOne(entity, where, { ...options, filters: filters(options.filters) }),
    count: (where = {} as FilterQuery<T>) => orm.count(entity, where, { filters: filters() }),
    get: id => helpers.findOne(byId(id)),
    async create(data) {
      const stamped = { ...data, [field]: assertSameTenant(data, field, tenantId) } as RequiredEntityData<T>;
      const row = em.create(entity, stamped);
      await em.flush();
      return row;
    },
    async update(id, data) {
      const row = await helpers.get(id);
      if (!row) return null;
      assertSameTenant(data, field, tenantId);
      const { [field]: _ignored, ...rest } = data as Record<string, unknown>;
      orm.assign(row, rest);
      await em.flush();
      return row;
    },
    async delete(id) {
      const row = await helpers.get(id);
      if (!row) return false;
      await em.remove(row).flush();
      return true;
    },
  };
  return helpers;
}

/**
 * The entity's metadata, if the database was opened with it. MikroORM hands back an entity
 * schema's own, undiscovered metadata for an unknown schema, which fails later as a TypeError
 * deep inside a query; this names the entity and the fix instead.
 */
export function registeredMeta<T extends object>(em: LiveryEntityManager, entity: EntityName<T>) {
  const metadata = em.getMetadata();
  const meta = metadata.find(entity);
  if (meta === undefined || !metadata.has(meta.class)) {
    const name = meta?.className ?? (entity as { name?: string }).name ?? String(entity);
    throw new DataError('LV_ENTITY_NOT_REGISTERED', `${name} is not registered with the database: add its schema to \`database.entities\` (createDatabase({ entities })) and create its migration with \`npm run migrate -- --create <name>\``);
  }
  return meta;
}

/** The tenant field in `data` may be absent or name the current tenant; anything else is refused. */
function assertSameTenant(data: object, field: string, tenantId: string): string {
  if (!(field in data)) return tenantId;
  const named = tenantIdOfValue((data as Record<string, unknown>)[field]);
  if (named !== tenantId) {
    throw new DataError('LV_TENANT_MISMATCH', `data names tenant ${JSON.stringify(named)} in ${field}, the context is ${JSON.stringify(tenantId)}`);
  }
  return tenantId;
}

/** A tenant given as a slug, an entity or a reference. */
function tenantIdOfValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const unwrapped = Reference.unwrapReference(value as object);
  return wrap(unwrapped, true).getPrimaryKey();
}

function forceTenantFilter(given: FilterOptions | undefined, tenantId: string): FilterOptions {
  const base: Record<string, boolean | Record<string, unknown>> =
    Array.isArray(given) ? Object.fromEntries(given.map(name => [name, true])) : typeof given === 'object' ? { ...given } : {};
  return { ...base, [TENANT_FILTER]: { tenantId } };
}

interface LooseEntityManager {
  find<T>(entity: EntityName<T>, where: unknown, options: object): Promise<T[]>;
  findOne<T>(entity: EntityName<T>, where: unknown, options: object): Promise<T | null>;
  count<T>(entity: EntityName<T>, where: unknown, options: object): Promise<number>;
  assign<T>(entity: T, data: object): T;
}

function singleIdKey(primaryKeys: string[], tenantField: string, className: string): string {
  const rest = primaryKeys.filter(key => key !== tenantField);
  if (rest.length !== 1) {
    throw new DataError('LV_NOT_TENANT_OWNED', `${className} needs a primary key of (tenant, one id) for scoped get()`);
  }
  return rest[0];
}
