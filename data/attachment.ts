import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantSchema, tenantOwned } from '../server/data/index.ts';

/**
 * A file attached to a project: what the upload's `handleUpload` learned about it (the name the
 * browser gave, the size, the type detected from the content, the SHA-256 of the bytes). The id
 * is the upload's own. Tenant-owned, and tied to the tenant's own project like a task.
 */
export const AttachmentSchema = defineEntity({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
    id: p.string().primary(),
    projectId: p.string().fieldName('project_id'),
    name: p.string(),
    size: p.integer(),
    type: p.string(),
    sha256: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['tenantId', 'id'],
  filters: tenantOwned('Attachment'),
});

export type Attachment = InferEntity<typeof AttachmentSchema>;
