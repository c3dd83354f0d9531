/**
 * The startup check's failure modes on PostgreSQL: each way the RLS wall can
 * be missing is set up for real on a fixture database and must be reported
 * under its stable id.
 */
import t from 'tap';
import { checkDatabase, createDatabase, type DatabaseProblem } from '../../server/data/index.ts';
import { ADMIN_URL, adminExecute, openAgain, postgresFactory, testDatabaseName, urlFor } from './fixtures.ts';

const idsOf = (problems: DatabaseProblem[]) => problems.map(p => (p.table ? `${p.id}:${p.table}` : p.id)).sort();

t.test('startup check failure modes', async t => {
  const fixture = await postgresFactory();
  const dbName = new URL(fixture.ownerUrl!).pathname.slice(1);
  const extraRoles: string[] = [];
  t.teardown(async () => {
    await fixture.cleanup();
    // roles are cluster-global: drop ours only after the database holding their grants is gone
    for (const role of extraRoles) await adminExecute(`drop role if exists "${role}"`);
  });
  const newRole = async (attributes: string) => {
    const role = testDatabaseName().replace('livery_t_', 'livery_tr_');
    extraRoles.push(role);
    await adminExecute(`create role "${role}" login nosuperuser ${attributes}`);
    return role;
  };
  const runOnFixture = async (...statements: string[]) => {
    const owner = await openAgain(fixture.ownerUrl!, { appUrl: fixture.ownerUrl! });
    try {
      for (const sql of statements) await owner.orm.em.fork().execute(sql);
    } finally {
      await owner.close();
    }
  };

  await t.test('the app connecting as the migration superuser: SUPERUSER and OWNER', async t => {
    const db = await openAgain(fixture.ownerUrl!, { appUrl: fixture.ownerUrl! });
    t.teardown(() => db.close());
    t.same(idsOf(await checkDatabase(db)), [
      'LV_DB_APP_ROLE_IS_OWNER:memberships',
      'LV_DB_APP_ROLE_IS_OWNER:notes',
      'LV_DB_APP_ROLE_IS_SUPERUSER',
    ]);
  });

  await t.test('a role with BYPASSRLS', async t => {
    const role = await newRole('bypassrls');
    await runOnFixture(`grant usage on schema public to "${role}"`, `grant select on notes, memberships to "${role}"`);
    const db = await openAgain(fixture.ownerUrl!, { appUrl: urlFor(dbName, role) });
    t.teardown(() => db.close());
    t.same(idsOf(await checkDatabase(db)), ['LV_DB_APP_ROLE_BYPASSES_RLS']);
  });

  await t.test('a role that is a member of the owner role (it could SET ROLE to it)', async t => {
    const role = await newRole('nobypassrls noinherit');
    await adminExecute(`grant "${new URL(ADMIN_URL).username}" to "${role}"`); // the owner of the fixture's tables
    const db = await openAgain(fixture.ownerUrl!, { appUrl: urlFor(dbName, role) });
    t.teardown(() => db.close());
    t.same(idsOf(await checkDatabase(db)), ['LV_DB_APP_ROLE_IS_OWNER:memberships', 'LV_DB_APP_ROLE_IS_OWNER:notes']);
  });

  await t.test('RLS disabled on one table, the tenant policy dropped on another', async t => {
    await runOnFixture('alter table notes disable row level security', 'drop policy memberships_tenant_policy on memberships');
    t.same(idsOf(await checkDatabase(fixture.db)), ['LV_DB_RLS_DISABLED:notes', 'LV_DB_TENANT_POLICY_MISSING:memberships']);
  });

  await t.test('a non-superuser app role that owns the tables', async t => {
    const role = await newRole('nobypassrls');
    await runOnFixture(`grant usage on schema public to "${role}"`, `alter table notes owner to "${role}"`, `alter table memberships owner to "${role}"`);
    const db = await openAgain(fixture.ownerUrl!, { appUrl: urlFor(dbName, role) });
    t.teardown(() => db.close());
    const ids = idsOf(await checkDatabase(db));
    t.ok(ids.includes('LV_DB_APP_ROLE_IS_OWNER:notes') && ids.includes('LV_DB_APP_ROLE_IS_OWNER:memberships'), ids.join(', '));
    t.notOk(ids.includes('LV_DB_APP_ROLE_IS_SUPERUSER'));
  });
});

t.test('an explicit DATABASE_APP_URL naming a missing role fails migrate() with LV_DB_APP_ROLE_MISSING', async t => {
  const fixture = await postgresFactory({ migrate: false });
  t.teardown(fixture.cleanup);
  const dbName = new URL(fixture.ownerUrl!).pathname.slice(1);
  const missing = testDatabaseName().replace('livery_t_', 'livery_missing_');
  await t.rejects(createDatabase({ url: fixture.ownerUrl!, appUrl: urlFor(dbName, missing), migrate: true }), { code: 'LV_DB_APP_ROLE_MISSING' });
});
