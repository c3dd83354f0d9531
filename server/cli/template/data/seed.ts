import { seedTenants, type Database } from 'livery/data';

/** Development data, created on first start and left alone after. */
export async function seed(db: Database): Promise<void> {
  await seedTenants(db, {
    tenants: [
      { id: 'public', name: '__APP_NAME__' },
      { id: 'acme', name: 'Acme' },
    ],
  });
}
