/**
 * A tenant's lifecycle, for an app's admin views, scripts and operators: suspend, reactivate,
 * change settings. Each is one UPDATE of the tenant's row; the `tenants_changed` trigger
 * announces it, and every server process closes the suspended tenant's live sockets and refuses
 * its next page at once (docs/tenancy.md, "Suspending a tenant"). A direct
 * `update tenants set status = 'suspended' where id = 'acme'` has exactly the same effect.
 *
 * @example
 * await suspendTenant(db, 'acme');
 * await updateTenantSettings(db, 'acme', { quotas: { sockets: 50 } });
 */
import { TenantSchema, type TenantSettings, type TenantStatus } from './entities/index.ts';
import type { Database } from './types.ts';

/** Suspends a tenant: its sockets are closed (4403 LV_TENANT_SUSPENDED), its pages refused. False if no such tenant. */
export function suspendTenant(db: Database, id: string): Promise<boolean> {
  return setStatus(db, id, 'suspended');
}

/** Lets a suspended tenant be served again. False if no such tenant. */
export function reactivateTenant(db: Database, id: string): Promise<boolean> {
  return setStatus(db, id, 'active');
}

/**
 * Merges `settings` over the tenant's (a key set to null is removed); its quotas
 * (`settings.quotas`) take effect on every process at once. False if no such tenant.
 */
export async function updateTenantSettings(db: Database, id: string, settings: TenantSettings): Promise<boolean> {
  const em = db.orm.em.fork({ clear: true });
  const tenant = await em.findOne(TenantSchema, { id });
  if (tenant === null) return false;
  const merged: TenantSettings = { ...tenant.settings, ...settings };
  for (const [key, value] of Object.entries(settings)) if (value === null) delete merged[key];
  tenant.settings = merged;
  await em.flush();
  return true;
}

async function setStatus(db: Database, id: string, status: TenantStatus): Promise<boolean> {
  const em = db.orm.em.fork({ clear: true });
  return (await em.nativeUpdate(TenantSchema, { id }, { status })) > 0;
}
