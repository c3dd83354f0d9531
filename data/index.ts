/**
 * The example app's data: its one entity, its migrations folder and its seed — what it hands
 * Livery as `database` (createDatabase, `npm run migrate`). Livery adds its own tenants, users
 * and memberships.
 */
import { ProjectSchema } from './project.ts';
import { seedExample } from './seed.ts';

export { ProjectSchema, type Project } from './project.ts';
export { EXAMPLE_TENANTS, EXAMPLE_USERS, PUBLIC_TENANT, seedExample } from './seed.ts';

export const exampleDatabase = {
  entities: [ProjectSchema],
  migrations: new URL('./migrations/', import.meta.url),
  seed: seedExample,
};
