import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantSchema, tenantOwned } from '../server/data/index.ts';

/**
 * The example app's tenant-owned entity: a project on a tenant's board. Primary key
 * `(tenant_id, id)`; `tenantId` is a foreign key to Livery's `tenants` mapped to the plain slug,
 * and `tenantOwned` gives it the tenant filter that scopes every query and becomes its
 * row-level security policy (see migrations/).
 */
export const ProjectSchema = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
    id: p.string().primary().onCreate(() => randomUUID()),
    name: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['tenantId', 'id'],
  filters: tenantOwned('Project'),
});

export type Project = InferEntity<typeof ProjectSchema>;
