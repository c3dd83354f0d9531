import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { MembershipSchema } from './membership.ts';
import { TENANT_CHANGES_DDL, TENANT_CHANGES_TRIGGER } from '../tenant-watch.ts';

/** Per-tenant settings, free-form beyond the keys the UI knows about. */
export interface TenantSettings {
  primaryColor?: string;
  plan?: string;
  [key: string]: unknown;
}

export type TenantStatus = 'active' | 'suspended';

/**
 * A tenant (django-tenant-schemas' `Client`). Global: readable by every
 * tenant context, because resolvers look tenants up before one is chosen.
 */
export const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    /** URL-safe slug, e.g. `acme`; also the subdomain. */
    id: p.string().primary(),
    name: p.string(),
    /** Custom domains (`app.acme.com`); the subdomain needs no entry. */
    domains: p.array().default([]),
    settings: p.json<TenantSettings>().default('{}'),
    onTrial: p.boolean().default(true),
    paidUntil: p.date().nullable(),
    createdOn: p.datetime().onCreate(() => new Date()),
    status: p.enum(['active', 'suspended'] as const).default('active'),
    memberships: () => p.oneToMany(MembershipSchema).mappedBy('tenant'),
  },
  indexes: [{ properties: ['domains'], type: 'gin' }],
  // Every change is announced to the server processes (migration Livery0002, docs/design.md D40).
  triggers: [{ name: TENANT_CHANGES_TRIGGER, timing: 'after', events: ['insert', 'update', 'delete'], forEach: 'row', expression: TENANT_CHANGES_DDL.join(';\n') }],
  // A slug, never empty: the RLS policies compare tenant_id with a setting
  // that reads as '' outside a scoped transaction, and '' must match no row.
  checks: [{ name: 'tenants_id_slug', expression: "id ~ '^[a-z0-9][a-z0-9-]{0,62}$'" }],
});

export type Tenant = InferEntity<typeof TenantSchema>;
