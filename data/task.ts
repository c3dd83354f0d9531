import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantSchema, tenantOwned } from '../server/data/index.ts';

/**
 * A task on a project's page. Tenant-owned like a project (primary key `(tenant_id, id)`, the
 * tenant filter, row-level security); `project_id` points at the tenant's own project — the
 * migration's foreign key is `(tenant_id, project_id)`, so a task can never hang off another
 * tenant's project, and deleting the project deletes its tasks.
 */
export const TaskSchema = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  properties: {
    tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
    id: p.string().primary().onCreate(() => randomUUID()),
    projectId: p.string().fieldName('project_id'),
    title: p.string(),
    done: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['tenantId', 'id'],
  filters: tenantOwned('Task'),
});

export type Task = InferEntity<typeof TaskSchema>;
