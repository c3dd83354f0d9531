/**
 * Seeding the rows Livery owns — tenants, users and their memberships — for an app's development
 * seed or a test's fixture. Idempotent: rows are looked up by id and only the missing ones are
 * created, so it may run on every start. Memberships are written through each tenant's own
 * context, as a view's writes are; an app seeds its own tenant-owned rows the same way.
 *
 * @example
 * await seedTenants(db, {
 *   tenants: [{ id: 'acme', name: 'Acme Corp' }],
 *   users: [{ id: 'wile', email: 'wile@example.com', name: 'Wile E. Coyote', memberships: [['acme', 'owner']] }],
 * });
 */
import { MembershipSchema, TenantSchema, UserSchema, type MembershipRole, type TenantSettings } from './entities/index.ts';
import { scoped } from './scoped.ts';
import { tenantData } from './tenant-data.ts';
import type { Database } from './types.ts';

export interface SeedTenant {
  readonly id: string;
  readonly name: string;
  readonly settings?: TenantSettings;
  readonly domains?: readonly string[];
}

export interface SeedUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** The tenants the user belongs to, with their role in each. */
  readonly memberships?: ReadonlyArray<readonly [tenantId: string, role: MembershipRole]>;
}

/** Creates the missing tenants, users and memberships; returns how many rows it created. */
export async function seedTenants(db: Database, data: { tenants?: readonly SeedTenant[]; users?: readonly SeedUser[] }): Promise<number> {
  let created = 0;
  const global = db.orm.em.fork({ clear: true });
  for (const { id, name, settings = {}, domains = [] } of data.tenants ?? []) {
    if (await global.findOne(TenantSchema, { id })) continue;
    global.create(TenantSchema, { id, name, settings, domains: [...domains] });
    created++;
  }
  for (const { id, email, name } of data.users ?? []) {
    if (await global.findOne(UserSchema, { id })) continue;
    global.create(UserSchema, { id, email, name });
    created++;
  }
  await global.flush();
  for (const user of data.users ?? []) {
    for (const [tenantId, role] of user.memberships ?? []) {
      const memberships = scoped(tenantData(db, tenantId).forEvent(), MembershipSchema);
      if (await memberships.get(user.id)) continue;
      await memberships.create({ user: user.id, role });
      created++;
    }
  }
  return created;
}
