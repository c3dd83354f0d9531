/**
 * The system path: the few reads the tenant resolver needs before any tenant
 * is chosen. Tenants and users are global tables and are read directly;
 * memberships are tenant-owned (RLS-protected), so "which tenants does this
 * user belong to" goes through two SECURITY DEFINER functions created by the
 * initial migration, which return tenant ids and roles and nothing else.
 * Every call uses a fresh fork without a tenant: a stray query against a
 * tenant-owned entity fails (the tenant filter has no parameter).
 */
import type { MembershipRole, Tenant, User } from './entities/index.ts';
import { TenantSchema, UserSchema } from './entities/index.ts';
import type { Database, LiveryEntityManager } from './types.ts';

export interface TenantMembership {
  tenantId: string;
  role: MembershipRole;
}

export interface SystemData {
  tenant(id: string): Promise<Tenant | null>;
  /** The tenant whose `domains` contains this host name (lower-cased). */
  tenantByDomain(domain: string): Promise<Tenant | null>;
  user(id: string): Promise<User | null>;
  userByEmail(email: string): Promise<User | null>;
  /** All tenants the user belongs to, ordered by tenant id. */
  memberTenants(userId: string): Promise<TenantMembership[]>;
  /** The user's role in the tenant, or `null` when not a member. */
  memberRole(userId: string, tenantId: string): Promise<MembershipRole | null>;
  isMember(userId: string, tenantId: string): Promise<boolean>;
}

/**
 * @example
 * const system = systemData(db);
 * const tenant = await system.tenant('acme');
 * if (!tenant || !(await system.isMember(userId, tenant.id))) deny();
 */
export function systemData(db: Database): SystemData {
  const em = (): LiveryEntityManager => db.orm.em.fork({ clear: true });
  const memberRole = async (userId: string, tenantId: string) => {
    const rows = await em().execute<{ role: MembershipRole | null }[]>('select livery_member_role(?, ?) as role', [userId, tenantId]);
    return rows[0]?.role ?? null;
  };
  return {
    tenant: id => em().findOne(TenantSchema, { id }),
    tenantByDomain: domain => em().findOne(TenantSchema, { domains: { $contains: [domain.toLowerCase()] } }),
    user: id => em().findOne(UserSchema, { id }),
    userByEmail: email => em().findOne(UserSchema, { email }),
    async memberTenants(userId) {
      const rows = await em().execute<{ tenant_id: string; role: MembershipRole }[]>('select tenant_id, role from livery_member_tenants(?)', [userId]);
      return rows.map(row => ({ tenantId: row.tenant_id, role: row.role }));
    },
    memberRole,
    isMember: async (userId, tenantId) => (await memberRole(userId, tenantId)) !== null,
  };
}
