import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { MembershipSchema } from './membership.ts';

/** A person. Global: one account may belong to several tenants. */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().primary().onCreate(() => randomUUID()),
    email: p.string().unique(),
    name: p.string(),
    /** Loading this collection goes through the tenant filter: only the current tenant's membership. */
    memberships: () => p.oneToMany(MembershipSchema).mappedBy('user'),
  },
});

export type User = InferEntity<typeof UserSchema>;
