/**
 * The fail-closed tenant filter. Every tenant-owned entity declares the same
 * filter, named `tenant`, with `rls: true`, so one declaration drives both
 * walls: MikroORM adds `WHERE <tenant column> = ?` to every query, and
 * MikroORM 7.2 compiles the same condition into a PostgreSQL policy
 * (`<table>_tenant_policy`, `using ("tenant_id" = current_setting('mikro.tenant.tenantId'))`)
 * and stages the parameter as that transaction-local setting.
 */
import { DataError } from './errors.ts';

export const TENANT_FILTER = 'tenant';
/** The session variable MikroORM 7.2 derives from the filter name and its argument. */
export const TENANT_SETTING = 'mikro.tenant.tenantId';

export interface TenantFilterParams {
  tenantId: string;
}

const tenantFields = new Map<string, string>();

/**
 * Marks an entity as tenant-owned and returns its `filters` block.
 * `field` is the property holding the tenant (the guide's `tenant_field`).
 *
 * @example
 * defineEntity({ name: 'Todo', ..., filters: tenantOwned('Todo') })
 */
export function tenantOwned(entityName: string, field = 'tenantId') {
  tenantFields.set(entityName, field);
  return {
    [TENANT_FILTER]: {
      name: TENANT_FILTER,
      default: true,
      rls: true,
      // Declaring `args` makes MikroORM throw when no params are set at all;
      // the explicit check also refuses `{}`, `{ tenantId: '' }` and friends,
      // which would otherwise render as "no condition" and match every row.
      cond: (args: Record<string, unknown>) => ({ [field]: requireTenantId(args?.tenantId) }),
    },
  };
}

/** The tenant property of an entity, or `undefined` for global entities. */
export function tenantFieldOf(entityName: string): string | undefined {
  return tenantFields.get(entityName);
}

export function isTenantOwned(entityName: string): boolean {
  return tenantFields.has(entityName);
}

/** Validates a tenant id at every entry point: a non-empty string or an error. */
export function requireTenantId(tenantId: unknown): string {
  if (typeof tenantId !== 'string' || tenantId.trim() === '') {
    throw new DataError('LV_TENANT_REQUIRED', `a tenant id is required, got ${JSON.stringify(tenantId) ?? 'undefined'}`);
  }
  return tenantId;
}
