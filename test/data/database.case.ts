/**
 * The `Database` contract beyond scoping, run against PGlite and PostgreSQL:
 * migrations on a fresh database (and idempotent), the migrations in step
 * with the entities, seed idempotency, the startup check on an unmigrated
 * database, and query accounting.
 */
import t from 'tap';
import { checkDatabase, MembershipSchema, scoped, systemData, tenantData } from '../../server/data/index.ts';
import { NoteSchema } from './fixtures/note.ts';
import { TEST_TENANTS, TEST_USERS, seedTestData } from './fixtures/seed.ts';
import type { DatabaseFactory } from './fixtures.ts';

/** Livery's own migrations run first, then the app's (here the tests' Note). */
const MIGRATIONS = ['Livery0001_initial', 'Livery0002_tenant_changes', 'Migration20261124000001_notes'];
const EXAMPLE_ROWS =
  TEST_TENANTS.length +
  TEST_USERS.length +
  TEST_TENANTS.reduce((n, x) => n + x.notes.length, 0) +
  TEST_USERS.reduce((n, u) => n + u.memberships.length, 0);

export function databaseContract(factory: DatabaseFactory): void {
  t.test('database contract', async t => {
    const fixture = await factory({ migrate: false });
    t.teardown(fixture.cleanup);
    const { db } = fixture;

    await t.test('an unmigrated database fails the startup check', async t => {
      const problems = await checkDatabase(db);
      t.same(problems.filter(p => p.id === 'LV_DB_SCHEMA_MISSING').map(p => p.table).sort(), ['memberships', 'notes']);
      t.ok(problems.every(p => p.hint.length > 0), 'every problem has a hint');
    });

    await t.test('migrate() applies Livery\'s migrations, then the app\'s, to a fresh database, then nothing', async t => {
      t.same(await db.migrate(), MIGRATIONS);
      t.same(await db.migrate(), [], 'both kinds are tracked: a second run applies nothing');
      t.same(await checkDatabase(db), []);
    });

    await t.test('seedTestData() is idempotent', async t => {
      t.same(await seedTestData(db), { created: EXAMPLE_ROWS });
      t.same(await seedTestData(db), { created: 0 });
      for (const tenant of TEST_TENANTS) {
        const em = tenantData(db, tenant.id).forEvent();
        t.equal(await scoped(em, NoteSchema).count(), tenant.notes.length, `${tenant.id} notes`);
        const members = TEST_USERS.filter(u => u.memberships.some(([id]) => id === tenant.id)).length;
        t.equal(await scoped(em, MembershipSchema).count(), members, `${tenant.id} memberships`);
      }
      t.same((await systemData(db).tenant('acme'))?.settings, TEST_TENANTS[0].settings);
    });

    await t.test('opening a tenant context and 1,000 event forks send no SQL', async t => {
      const before = db.queryCount();
      const data = tenantData(db, 'acme');
      for (let i = 0; i < 1000; i++) data.forEvent();
      t.equal(db.queryCount(), before);
      t.equal(data.queryCount(), 0);
    });

    await t.test('statements are counted per tenant context and in total', async t => {
      const acme = tenantData(db, 'acme');
      const globex = tenantData(db, 'globex');
      const before = db.queryCount();
      await scoped(acme.forEvent(), NoteSchema).find();
      const delta = db.queryCount() - before;
      t.ok(delta >= 1, `a scoped find sent ${delta} statement(s), transaction framing included`);
      t.equal(acme.queryCount(), delta, 'all of them are counted against acme');
      t.equal(globex.queryCount(), 0, 'none against globex');
      const afterFind = db.queryCount();
      await systemData(db).tenant('globex');
      t.equal(db.queryCount() - afterFind, 1, 'a system tenant lookup is one statement');
      acme.release();
      t.equal(acme.queryCount(), 0, 'release() drops the context count');
    });
  });
}

if (import.meta.main) {
  t.test('the example data is consistent: known tenants, slug ids, one user in both tenants', async t => {
    const tenantIds = TEST_TENANTS.map(x => x.id);
    for (const id of tenantIds) t.match(id, /^[a-z0-9][a-z0-9-]{0,62}$/, id);
    for (const user of TEST_USERS) {
      for (const [tenantId] of user.memberships) t.ok(tenantIds.includes(tenantId), `${user.id} → ${tenantId}`);
    }
    t.ok(TEST_USERS.some(u => tenantIds.every(id => u.memberships.some(([m]) => m === id))), 'a user belongs to every tenant');
    t.ok(TEST_TENANTS.every(x => x.notes.length >= 2), 'each tenant has two or more notes');
    t.equal(EXAMPLE_ROWS, 12);
  });
}
