import { TenantSchema, seedExample, type Database } from '../server/data/index.ts';

/** The tenant plain `localhost:3000` serves (the example's default tenant). */
export const PUBLIC_TENANT = { id: 'public', name: 'Livery', settings: { primaryColor: '#3451b2', plan: 'demo' }, domains: [] };

/**
 * The example app's data, created on first start and left alone after: the seed's tenants
 * (`acme` "Acme Corp", `globex` "Globex") with their projects and users, plus `public`.
 */
export async function seedExampleApp(db: Database): Promise<void> {
  await seedExample(db);
  const em = db.orm.em.fork({ clear: true });
  if ((await em.findOne(TenantSchema, { id: PUBLIC_TENANT.id })) === null) {
    em.create(TenantSchema, PUBLIC_TENANT);
    await em.flush();
  }
}
