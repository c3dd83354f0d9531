export { TenantSchema, type Tenant, type TenantSettings, type TenantStatus } from './tenant.ts';
export { UserSchema, type User } from './user.ts';
export { MembershipSchema, type Membership, type MembershipRole } from './membership.ts';
export { ProjectSchema, type Project } from './project.ts';

import { TenantSchema } from './tenant.ts';
import { UserSchema } from './user.ts';
import { MembershipSchema } from './membership.ts';
import { ProjectSchema } from './project.ts';

/** Every entity the ORM discovers, in one list. */
export const ENTITIES = [TenantSchema, UserSchema, MembershipSchema, ProjectSchema];
