import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantOwned } from '../tenant-filter.ts';
import { TenantSchema } from './tenant.ts';

/**
 * The example app's tenant-owned entity. Primary key `(tenant_id, id)`;
 * `tenantId` is a foreign key to `tenants` mapped to the plain slug.
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
