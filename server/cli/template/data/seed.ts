import { TenantSchema, type Database } from 'livery/data';

const TENANTS = [
  { id: 'public', name: '__APP_NAME__', settings: {}, domains: [] },
  { id: 'acme', name: 'Acme', settings: {}, domains: [] },
];

/** Development data, created on first start and left alone after. */
export async function seed(db: Database): Promise<void> {
  const em = db.orm.em.fork({ clear: true });
  for (const tenant of TENANTS) {
    if ((await em.findOne(TenantSchema, { id: tenant.id })) === null) em.create(TenantSchema, tenant);
  }
  await em.flush();
}
