/**
 * The example app's data: the tenants `acme` ("Acme Corp") and `globex` ("Globex") with their
 * projects and their tasks, two users (one in both tenants), and `public`, the tenant plain `localhost:3000`
 * serves. Idempotent: rows are looked up by their ids first and only the missing ones are
 * created, so running it on every start in development is harmless. Tenant-owned rows go through
 * the same tenant contexts a view uses.
 */
import { scoped, seedTenants, tenantData, type Database, type SeedTenant, type SeedUser } from '../server/data/index.ts';
import { ProjectSchema } from './project.ts';
import { TaskSchema } from './task.ts';

/** A tenant with its projects, and their tasks. */
interface TenantWithProjects extends SeedTenant {
  readonly projects: { id: string; name: string; tasks?: string[] }[];
}

export const EXAMPLE_TENANTS: TenantWithProjects[] = [
  {
    id: 'acme',
    name: 'Acme Corp',
    settings: { primaryColor: '#d9480f', plan: 'pro' },
    domains: ['acme.example.com'],
    projects: [
      { id: 'rocket-skates', name: 'Rocket Skates', tasks: ['Order the wheels', 'Test on the canyon road', 'Write the safety leaflet'] },
      { id: 'giant-magnet', name: 'Giant Magnet', tasks: ['Find a bigger crane'] },
      { id: 'tornado-seeds', name: 'Tornado Seeds' },
    ],
  },
  {
    id: 'globex',
    name: 'Globex',
    settings: { primaryColor: '#1864ab', plan: 'free' },
    domains: [],
    projects: [
      { id: 'doomsday-device', name: 'Doomsday Device', tasks: ['Pick a volcano', 'Hire henchmen'] },
      { id: 'hammock-district', name: 'Hammock District' },
    ],
  },
];

/** The tenant plain `localhost:3000` serves (the example's default tenant). */
export const PUBLIC_TENANT = { id: 'public', name: 'Livery', settings: { primaryColor: '#3451b2', plan: 'demo' }, domains: [] };

export const EXAMPLE_USERS: Array<Required<SeedUser>> = [
  { id: 'wile', email: 'wile@example.com', name: 'Wile E. Coyote', memberships: [['acme', 'owner']] },
  { id: 'hank', email: 'hank@example.com', name: 'Hank Scorpio', memberships: [['globex', 'owner'], ['acme', 'member']] },
];

/** Seeds the example tenants, users, memberships, projects and tasks; returns how many rows it created. */
export async function seedExample(db: Database): Promise<{ created: number }> {
  let created = await seedTenants(db, { tenants: [...EXAMPLE_TENANTS, PUBLIC_TENANT], users: EXAMPLE_USERS });
  for (const tenant of EXAMPLE_TENANTS) {
    const em = tenantData(db, tenant.id).forEvent();
    const [projects, tasks] = [scoped(em, ProjectSchema), scoped(em, TaskSchema)];
    for (const { tasks: titles = [], ...row } of tenant.projects) {
      if (!(await projects.get(row.id))) {
        await projects.create(row);
        created++;
      }
      for (const [i, title] of titles.entries()) {
        const id = `${row.id}-${i + 1}`;
        if (await tasks.get(id)) continue;
        await tasks.create({ id, projectId: row.id, title });
        created++;
      }
    }
  }
  return { created };
}
