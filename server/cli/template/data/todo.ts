import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantSchema, tenantOwned } from 'livery/data';

/**
 * A tenant-owned entity: primary key `(tenant_id, id)`, `tenantId` a foreign key to Livery's
 * `tenants`. `tenantOwned` scopes every query to the current tenant; the migration adds the
 * row-level security policy that enforces the same in the database.
 */
export const TodoSchema = defineEntity({
  name: 'Todo',
  tableName: 'todos',
  properties: {
    tenantId: () => p.manyToOne(TenantSchema).mapToPk().primary().fieldName('tenant_id').deleteRule('cascade').updateRule('cascade'),
    id: p.string().primary().onCreate(() => randomUUID()),
    title: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['tenantId', 'id'],
  filters: tenantOwned('Todo'),
});

export type Todo = InferEntity<typeof TodoSchema>;
