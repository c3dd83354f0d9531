/**
 * The startup checks the runtime owns for tenancy and data: tenancy without a database
 * (livery.C015), a default tenant that does not exist (livery.C017), and a database whose app
 * role would bypass row-level security (livery.C018). Each stops startup with its id.
 */
import t from 'tap';
import { seedTestData } from '../data/fixtures/seed.ts';
import { createServer, route, StartupError } from '../../server/index.ts';
import { openAgain, postgresFactory } from '../data/fixtures.ts';
import { CounterView } from '../live/fixtures/views.ts';
import { FIXTURE_TEMPLATES } from '../live/harness.ts';

async function problems(options: Parameters<typeof createServer>[0]): Promise<string[]> {
  try {
    const server = await createServer({ routes: [route('/c', CounterView)], templatesDir: FIXTURE_TEMPLATES, handleSignals: false, logLevel: 'silent', ...options });
    await server.close();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((p) => `${p.id} ${p.detail}`);
  }
}

const fixture = await postgresFactory();
t.teardown(() => fixture.cleanup());
await seedTestData(fixture.db);

t.test('livery.C015: tenancy without a database', async (t) => {
  t.match((await problems({ tenancy: { resolver: 'header' } })).join('\n'), /^livery\.C015 /);
});

t.test('livery.C017: a default tenant that does not exist', async (t) => {
  const found = await problems({ database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost', default: 'nobody' } });
  t.match(found.join('\n'), /livery\.C017 default tenant "nobody" does not exist/);
  t.same(await problems({ database: fixture.db, tenancy: { resolver: 'subdomain', mainDomain: 'localhost', default: 'acme' } }), [], 'an existing default passes');
});

t.test('livery.C018: the app connecting as the table owner (row-level security would not apply)', async (t) => {
  const unsafe = await openAgain(fixture.ownerUrl!, { appUrl: fixture.ownerUrl! });
  t.teardown(() => unsafe.close());
  const found = await problems({ database: unsafe, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' } });
  t.match(found.join('\n'), /livery\.C018 LV_DB_APP_ROLE_IS_(SUPERUSER|OWNER)/);
});
