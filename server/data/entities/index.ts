export { TenantSchema, type Tenant, type TenantSettings, type TenantStatus } from './tenant.ts';
export { UserSchema, type User } from './user.ts';
export { MembershipSchema, type Membership, type MembershipRole } from './membership.ts';

import { TenantSchema } from './tenant.ts';
import { UserSchema } from './user.ts';
import { MembershipSchema } from './membership.ts';

/** Livery's own entities; an app's entities (`database.entities`) are registered beside them. */
export const LIVERY_ENTITIES = [TenantSchema, UserSchema, MembershipSchema];
