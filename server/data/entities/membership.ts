import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantOwned } from '../tenant-filter.ts';
import { TenantSchema } from './tenant.ts';
import { UserSchema } from './user.ts';

export type MembershipRole = 'owner' | 'admin' | 'member';

/**
 * User U belongs to tenant T with a role. Tenant-owned; its natural key
 * `(tenant_id, user_id)` is the primary key. Its tenant field is the `tenant`
 * relation (the per-entity `tenantField` override), so a membership can
 * populate its tenant. Resolvers that run before a tenant is chosen use the
 * system path (`systemData`), never this entity directly.
 */
export const MembershipSchema = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  properties: {
    tenant: () => p.manyToOne(TenantSchema).primary().ref(),
    user: () => p.manyToOne(UserSchema).primary().ref(),
    role: p.enum(['owner', 'admin', 'member'] as const).default('member'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['tenant', 'user'],
  // the system path looks memberships up by user, across tenants
  indexes: [{ properties: ['user'] }],
  filters: tenantOwned('Membership', 'tenant'),
});

export type Membership = InferEntity<typeof MembershipSchema>;
