/**
 * The example app's data: its entities (projects, their tasks and attachments), its migrations
 * folder and its seed — what it hands Livery as `database` (createDatabase, `npm run migrate`).
 * Livery adds its own tenants, users and memberships.
 */
import { AttachmentSchema } from './attachment.ts';
import { ProjectSchema } from './project.ts';
import { seedExample } from './seed.ts';
import { TaskSchema } from './task.ts';

export { AttachmentSchema, type Attachment } from './attachment.ts';
export { ProjectSchema, type Project } from './project.ts';
export { TaskSchema, type Task } from './task.ts';
export { EXAMPLE_TENANTS, EXAMPLE_USERS, PUBLIC_TENANT, seedExample } from './seed.ts';

export const exampleDatabase = {
  entities: [ProjectSchema, TaskSchema, AttachmentSchema],
  migrations: new URL('./migrations/', import.meta.url),
  seed: seedExample,
};
