/**
 * The example app's data: the tenants `acme` ("Acme Corp") and `globex` ("Globex") with their
 * projects, two users (one in both tenants), and `public`, the tenant plain `localhost:3000`
 * serves. Idempotent: rows are looked up by their ids first and only the missing ones are
 * created, so running it on every start in development is harmless. Tenant-owned rows go through
 * the same tenant contexts a view uses.
 */
import type { EntityName } from '@mikro-orm/core';
import { MembershipSchema, scoped, TenantSchema, tenantData, UserSchema, type Database, type LiveryEntityManager, type MembershipRole, type TenantSettings } from '../server/data/index.ts';
import { ProjectSchema } from './project.ts';

interface SeedTenant {
  id: string;
  name: string;
  settings: TenantSettings;
  domains: string[];
  projects: { id: string; name: string }[];
}

export const EXAMPLE_TENANTS: SeedTenant[] = [
  {
    id: 'acme',
    name: 'Acme Corp',
    settings: { primaryColor: '#d9480f', plan: 'pro' },
    domains: ['acme.example.com'],
    projects: [
      { id: 'rocket-skates', name: 'Rocket Skates' },
      { id: 'giant-magnet', name: 'Giant Magnet' },
      { id: 'tornado-seeds', name: 'Tornado Seeds' },
    ],
  },
  {
    id: 'globex',
    name: 'Globex',
    settings: { primaryColor: '#1864ab', plan: 'free' },
    domains: [],
    projects: [
      { id: 'doomsday-device', name: 'Doomsday Device' },
      { id: 'hammock-district', name: 'Hammock District' },
    ],
  },
];

/** The tenant plain `localhost:3000` serves (the example's default tenant). */
export const PUBLIC_TENANT = { id: 'public', name: 'Livery', settings: { primaryColor: '#3451b2', plan: 'demo' }, domains: [] };

export const EXAMPLE_USERS: { id: string; email: string; name: string; memberships: [string, MembershipRole][] }[] = [
  { id: 'wile', email: 'wile@example.com', name: 'Wile E. Coyote', memberships: [['acme', 'owner']] },
  { id: 'hank', email: 'hank@example.com', name: 'Hank Scorpio', memberships: [['globex', 'owner'], ['acme', 'member']] },
];

/** Seeds the example tenants, users, memberships and projects; returns how many rows it created. */
export async function seedExample(db: Database): Promise<{ created: number }> {
  let created = 0;
  const global = db.orm.em.fork({ clear: true });
  for (const { projects: _projects, ...tenant } of [...EXAMPLE_TENANTS, { ...PUBLIC_TENANT, projects: [] }]) {
    created += await ensure(global, TenantSchema, tenant.id, () => global.create(TenantSchema, tenant));
  }
  for (const { memberships: _memberships, ...user } of EXAMPLE_USERS) {
    created += await ensure(global, UserSchema, user.id, () => global.create(UserSchema, user));
  }
  await global.flush();

  for (const tenant of EXAMPLE_TENANTS) {
    const em = tenantData(db, tenant.id).forEvent();
    const projects = scoped(em, ProjectSchema);
    for (const project of tenant.projects) {
      if (!(await projects.get(project.id))) {
        await projects.create(project);
        created++;
      }
    }
    const memberships = scoped(em, MembershipSchema);
    for (const user of EXAMPLE_USERS) {
      const role = user.memberships.find(([tenantId]) => tenantId === tenant.id)?.[1];
      if (role && !(await memberships.get(user.id))) {
        await memberships.create({ user: user.id, role });
        created++;
      }
    }
  }
  return { created };
}

async function ensure<T extends object>(em: LiveryEntityManager, entity: EntityName<T>, id: string, make: () => unknown): Promise<number> {
  if (await em.findOne(entity, { id } as never)) return 0;
  make();
  return 1;
}
