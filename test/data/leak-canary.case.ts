/**
 * The data-layer leak canary: one contract suite, run against PGlite and
 * PostgreSQL (`leak-canary.pglite.test.ts`, `leak-canary.postgres.test.ts`).
 * Every attack goes through the API a view uses (tenantData → forEvent →
 * scoped / the EntityManager) and never filters by tenant itself, so each
 * one fails if scoping breaks. Attacks that try to write check afterwards,
 * through the victim's own context, that its rows are unchanged.
 * Run directly (tap does), this file checks the list against docs/data.md.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { checkDatabase, MembershipSchema, scoped, systemData, tenantData, TenantSchema, UserSchema, type Database, type TenantData } from '../../server/data/index.ts';
import { NoteSchema } from './fixtures/note.ts';
import { TEST_TENANTS, seedTestData } from './fixtures/seed.ts';
import type { DatabaseFactory } from './fixtures.ts';

export interface CanaryContext {
  db: Database;
  acme: TenantData;
  globex: TenantData;
}

export interface Attack {
  name: string;
  /** Only for one database kind (the PGlite role limit differs by design). */
  only?: Database['kind'];
  run(t: Test, ctx: CanaryContext): Promise<void>;
}

const ACME_IDS = TEST_TENANTS.find(x => x.id === 'acme')!.notes.map(p => p.id).sort();
const GLOBEX_IDS = TEST_TENANTS.find(x => x.id === 'globex')!.notes.map(p => p.id).sort();
const VICTIM_ID = GLOBEX_IDS[0];

/** The victim's rows as its own context sees them: id → name. */
async function globexRows(ctx: CanaryContext): Promise<Record<string, string>> {
  const rows = await scoped(ctx.globex.forEvent(), NoteSchema).find();
  return Object.fromEntries(rows.map(row => [row.id, row.name]));
}

async function expectGlobexUntouched(t: Test, ctx: CanaryContext, attack: () => Promise<unknown>): Promise<void> {
  const before = await globexRows(ctx);
  t.same(Object.keys(before).sort(), GLOBEX_IDS, 'victim rows present before the attack');
  await attack().catch(() => undefined);
  t.same(await globexRows(ctx), before, 'victim rows unchanged after the attack');
}

/** Raw reads without a tenant session must error or return nothing; never rows. */
async function expectNoRows(t: Test, read: () => Promise<unknown[]>, label: string): Promise<void> {
  try {
    t.same(await read(), [], `${label}: no rows`);
  } catch (error) {
    t.ok(error instanceof Error, `${label}: refused (${(error as Error).message.slice(0, 60)})`);
  }
}

// the untyped Kysely surface (the tables are not declared to Kysely)
interface RawKysely {
  selectFrom(table: string): { selectAll(): { execute(): Promise<unknown[]> } };
}

const ids = (rows: { id: string }[]) => rows.map(row => row.id).sort();

export const ATTACKS: Attack[] = [
  {
    name: "get() with another tenant's id returns null",
    async run(t, ctx) {
      const notes = scoped(ctx.acme.forEvent(), NoteSchema);
      for (const id of GLOBEX_IDS) t.equal(await notes.get(id), null, id);
      t.ok(await scoped(ctx.globex.forEvent(), NoteSchema).get(VICTIM_ID), 'the id exists in its own tenant');
      t.equal(await scoped(ctx.globex.forEvent(), MembershipSchema).get('wile'), null, "wile's acme membership is not globex's");
    },
  },
  {
    name: 'find() and findOne() return only the current tenant, even when the where names another',
    async run(t, ctx) {
      const notes = scoped(ctx.acme.forEvent(), NoteSchema);
      t.same(ids(await notes.find()), ACME_IDS);
      t.same(await notes.find({ tenantId: 'globex' }), []);
      t.same(await notes.find({ id: { $in: GLOBEX_IDS } }), []);
      t.equal(await notes.findOne({ id: VICTIM_ID }), null);
    },
  },
  {
    name: "update() with another tenant's id changes nothing",
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        t.equal(await scoped(ctx.acme.forEvent(), NoteSchema).update(VICTIM_ID, { name: 'pwned' }), null);
      });
    },
  },
  {
    name: "delete() with another tenant's id deletes nothing",
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        t.equal(await scoped(ctx.acme.forEvent(), NoteSchema).delete(VICTIM_ID), false);
      });
    },
  },
  {
    name: 'create() or update() naming another tenant is refused with LV_TENANT_MISMATCH',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      await expectGlobexUntouched(t, ctx, async () => {
        await t.rejects(scoped(em, NoteSchema).create({ tenantId: 'globex', id: 'canary-create', name: 'x' }), { code: 'LV_TENANT_MISMATCH' });
        await t.rejects(scoped(em, NoteSchema).update(ACME_IDS[0], { tenantId: 'globex' }), { code: 'LV_TENANT_MISMATCH' });
        const globexTenant = em.getReference(TenantSchema, 'globex');
        await t.rejects(scoped(em, MembershipSchema).create({ tenant: globexTenant, user: 'wile', role: 'owner' }), { code: 'LV_TENANT_MISMATCH' });
      });
      t.equal(await systemData(ctx.db).isMember('wile', 'globex'), false);
      t.same(ids(await scoped(ctx.acme.forEvent(), NoteSchema).find()), ACME_IDS);
    },
  },
  {
    name: 'em.create() + flush naming another tenant is stopped by the database (RLS with check)',
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        const em = ctx.acme.forEvent();
        em.create(NoteSchema, { tenantId: 'globex', id: 'canary-insert', name: 'x' });
        await t.rejects(em.flush());
      });
    },
  },
  {
    name: 'upsert of a foreign row is stopped by the database',
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        const em = ctx.acme.forEvent();
        await t.rejects(em.upsert(NoteSchema, { tenantId: 'globex', id: VICTIM_ID, name: 'pwned' }));
        await t.rejects(ctx.acme.forEvent().upsertMany(NoteSchema, [{ tenantId: 'globex', id: 'canary-upsert', name: 'x' }]));
      });
    },
  },
  {
    name: 'raw SELECT through em.execute sees only the current tenant (RLS)',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      const rows = await em.execute<{ tenant_id: string; id: string }[]>('select tenant_id, id from notes');
      t.same(rows.map(row => row.id).sort(), ACME_IDS);
      t.same(await em.execute("select * from notes where tenant_id = 'globex'"), []);
      const members = await em.execute<{ tenant_id: string }[]>('select tenant_id from memberships');
      t.ok(members.length > 0 && members.every(row => row.tenant_id === 'acme'), 'memberships: acme only');
    },
  },
  {
    name: 'raw UPDATE / DELETE / INSERT through em.execute cannot touch another tenant',
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        const em = ctx.acme.forEvent();
        await em.execute("update notes set name = 'pwned' where tenant_id = 'globex'");
        await em.execute("delete from notes where tenant_id = 'globex'");
        await t.rejects(em.execute("insert into notes (tenant_id, id, name, created_at) values ('globex', 'canary-raw', 'x', now())"));
      });
    },
  },
  {
    name: 'QueryBuilder without applyFilters() is stopped by RLS',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      const rows = await em.createQueryBuilder(NoteSchema).select('*').execute();
      t.same(ids(rows), ACME_IDS);
      t.equal(await ctx.acme.forEvent().createQueryBuilder(NoteSchema).getCount(), ACME_IDS.length);
      await expectGlobexUntouched(t, ctx, () =>
        ctx.acme.forEvent().createQueryBuilder(NoteSchema).update({ name: 'pwned' }).where({ tenantId: 'globex' }).execute(),
      );
    },
  },
  {
    name: 'switching the filter off or re-parameterising it in find options is stopped by RLS',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      t.same(ids(await em.find(NoteSchema, {}, { filters: false })), ACME_IDS);
      t.same(await em.find(NoteSchema, {}, { filters: { tenant: { tenantId: 'globex' } } }), []);
      t.same(ids(await scoped(em, NoteSchema).find({}, { filters: false })), ACME_IDS, 'scoped() forces the filter back on');
    },
  },
  {
    name: 'nativeUpdate / nativeDelete / insert aimed at another tenant do nothing',
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        const em = ctx.acme.forEvent();
        t.equal(await em.nativeUpdate(NoteSchema, { tenantId: 'globex' }, { name: 'pwned' }), 0);
        t.equal(await em.nativeDelete(NoteSchema, { id: VICTIM_ID }, { filters: false }), 0);
        await t.rejects(em.insert(NoteSchema, { tenantId: 'globex', id: 'canary-native', name: 'x', createdAt: new Date() }));
      });
    },
  },
  {
    name: 'getReference() to a foreign row, then flush, changes nothing',
    async run(t, ctx) {
      await expectGlobexUntouched(t, ctx, async () => {
        const em = ctx.acme.forEvent();
        const ref = em.getReference(NoteSchema, ['globex', VICTIM_ID]);
        ref.name = 'pwned';
        await em.flush().catch(() => undefined);
        const em2 = ctx.acme.forEvent();
        em2.remove(em2.getReference(NoteSchema, ['globex', VICTIM_ID]));
        await em2.flush();
      });
    },
  },
  {
    name: 'a per-event fork never returns an entity loaded in a previous event',
    async run(t, ctx) {
      const first = ctx.acme.forEvent();
      const loaded = await scoped(first, NoteSchema).get(ACME_IDS[0]);
      t.ok(loaded);
      const original = loaded!.name;
      loaded!.name = 'dirty, never flushed';
      const next = ctx.acme.forEvent();
      t.not(next, first, 'a new EntityManager per event');
      t.equal([...next.getUnitOfWork().getIdentityMap()].length, 0, 'an empty identity map');
      const again = await scoped(next, NoteSchema).get(ACME_IDS[0]);
      t.not(again, loaded, 'a different instance');
      t.equal(again!.name, original, 'the database value, not the dirty one');
    },
  },
  {
    name: 'missing, empty or blank tenant ids throw instead of returning rows',
    async run(t, ctx) {
      for (const bad of [undefined, null, '', '   ', 42]) {
        t.throws(() => tenantData(ctx.db, bad as never), { code: 'LV_TENANT_REQUIRED' }, `tenantData(${JSON.stringify(bad)})`);
      }
      t.throws(() => ctx.db.orm.em.setFilterParams('tenant', { tenantId: 'acme' }), 'the global EntityManager refuses params');
      const unscoped = ctx.db.orm.em.fork();
      await t.rejects(unscoped.find(NoteSchema, {}), 'a fork without a tenant cannot query');
      await t.rejects(unscoped.count(MembershipSchema, {}), 'nor count');
      t.throws(() => scoped(unscoped, NoteSchema), { code: 'LV_EM_NOT_SCOPED' });
      for (const params of [{}, { tenantId: '' }, { tenantId: undefined }]) {
        const fork = ctx.db.orm.em.fork();
        fork.setFilterParams('tenant', params);
        await t.rejects(fork.find(NoteSchema, {}), `params ${JSON.stringify(params)}`);
      }
      await expectNoRows(t, () => ctx.db.orm.em.fork().execute('select * from notes'), 'raw SQL without a tenant');
      await expectNoRows(t, () => ctx.db.orm.em.fork().execute('select * from memberships'), 'raw memberships without a tenant');
    },
  },
  {
    name: 'acme and globex forks on the same ORM never cross, even interleaved',
    async run(t, ctx) {
      const events = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ctx.acme : ctx.globex));
      const results = await Promise.all(events.map(data => scoped(data.forEvent(), NoteSchema).find()));
      results.forEach((rows, i) => {
        const want = events[i].tenantId === 'acme' ? ACME_IDS : GLOBEX_IDS;
        t.same(ids(rows), want, `event ${i} (${events[i].tenantId})`);
      });
      const inTransaction = await ctx.globex.transactional(em => scoped(em, NoteSchema).find());
      t.same(ids(inTransaction), GLOBEX_IDS, 'inside an explicit transaction too');
    },
  },
  {
    name: 'count and aggregate queries see only the current tenant',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      t.equal(await scoped(em, NoteSchema).count(), ACME_IDS.length);
      t.equal(await em.count(NoteSchema, {}, { filters: false }), ACME_IDS.length);
      t.equal(await em.count(NoteSchema, { tenantId: 'globex' }), 0);
      const grouped = await em.execute<{ tenant_id: string; n: string | number }[]>('select tenant_id, count(*) as n from notes group by tenant_id');
      t.same(grouped.map(row => [row.tenant_id, Number(row.n)]), [['acme', ACME_IDS.length]]);
    },
  },
  {
    name: 'relation traversal (populate, joins through a tenant table) does not leak',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      const hank = await em.findOneOrFail(UserSchema, 'hank', { populate: ['memberships'] });
      t.same(hank.memberships.getItems().map(m => m.tenant.id), ['acme'], "hank's memberships, acme only");
      const globex = await em.findOneOrFail(TenantSchema, 'globex', { populate: ['memberships'] });
      t.equal(globex.memberships.getItems().length, 0, "globex's memberships are invisible to acme");
      const memberships = await em.find(MembershipSchema, {}, { populate: ['tenant', 'user'] });
      t.ok(memberships.length > 0 && memberships.every(m => m.tenant.id === 'acme'), 'populated tenant is acme');
      t.same(await ctx.acme.forEvent().find(UserSchema, { memberships: { tenant: 'globex' } }), [], 'join through memberships');
      const inGlobex = await ctx.globex.forEvent().findOneOrFail(UserSchema, 'hank', { populate: ['memberships'] });
      t.same(inGlobex.memberships.getItems().map(m => m.tenant.id), ['globex'], 'and the other way round');
    },
  },
  {
    name: "the same id in two tenants resolves to each tenant's own row (composite keys)",
    async run(t, ctx) {
      await scoped(ctx.acme.forEvent(), NoteSchema).create({ id: 'canary-shared', name: 'Acme shared' });
      await scoped(ctx.globex.forEvent(), NoteSchema).create({ id: 'canary-shared', name: 'Globex shared' });
      try {
        t.equal((await scoped(ctx.acme.forEvent(), NoteSchema).get('canary-shared'))?.name, 'Acme shared');
        t.equal((await scoped(ctx.globex.forEvent(), NoteSchema).get('canary-shared'))?.name, 'Globex shared');
        t.equal(await scoped(ctx.acme.forEvent(), NoteSchema).update('canary-shared', { name: 'Acme renamed' }).then(p => p?.name), 'Acme renamed');
        t.equal((await scoped(ctx.globex.forEvent(), NoteSchema).get('canary-shared'))?.name, 'Globex shared');
      } finally {
        t.equal(await scoped(ctx.acme.forEvent(), NoteSchema).delete('canary-shared'), true);
        t.equal(await scoped(ctx.globex.forEvent(), NoteSchema).delete('canary-shared'), true);
      }
    },
  },
  {
    name: 'the Kysely and connection escape hatches see nothing without the tenant session',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      await expectNoRows(t, () => (em.getKysely() as unknown as RawKysely).selectFrom('notes').selectAll().execute(), 'em.getKysely()');
      await expectNoRows(t, () => em.getConnection().execute('select * from notes'), 'em.getConnection().execute()');
    },
  },
  {
    name: 'the app role is neither superuser nor owner and cannot switch RLS off',
    async run(t, ctx) {
      const em = ctx.acme.forEvent();
      const [me] = await em.execute<{ role: string; superuser: boolean; bypass: boolean }[]>(
        'select current_user as role, rolsuper as superuser, rolbypassrls as bypass from pg_roles where rolname = current_user',
      );
      t.same(me, { role: ctx.db.appRole, superuser: false, bypass: false });
      const owners = await em.execute<{ tableowner: string }[]>("select tableowner from pg_tables where tablename in ('notes', 'memberships')");
      t.equal(owners.length, 2);
      t.ok(owners.every(row => row.tableowner !== ctx.db.appRole), 'the tables belong to the migration user');
      for (const sql of [
        'alter table notes disable row level security',
        'alter table notes no force row level security',
        'drop policy notes_tenant_policy on notes',
        `alter table notes owner to ${ctx.db.appRole}`,
        'create policy canary_open on notes using (true)',
      ]) {
        await t.rejects(ctx.acme.forEvent().execute(sql), sql);
      }
      await t.rejects(
        ctx.globex.transactional(async tx => {
          await tx.execute('set local row_security = off');
          return tx.execute('select * from notes');
        }),
        'row_security = off makes queries fail, not bypass',
      );
      t.same(ids(await scoped(ctx.globex.forEvent(), NoteSchema).find()), GLOBEX_IDS, 'still intact');
    },
  },
  {
    name: 'PostgreSQL: the app role cannot assume the owner role',
    only: 'postgresql',
    async run(t, ctx) {
      await t.rejects(ctx.acme.forEvent().execute('set role postgres'));
      await t.rejects(ctx.acme.forEvent().transactional(tx => tx.execute('set local role postgres')));
      const [who] = await ctx.acme.forEvent().execute<{ s: string; c: string }[]>('select session_user as s, current_user as c');
      t.same(who, { s: ctx.db.appRole, c: ctx.db.appRole });
    },
  },
  {
    name: 'PGlite: RLS applies under the app role; the session user stays a superuser (documented limit)',
    only: 'pglite',
    async run(t, ctx) {
      const [who] = await ctx.acme.forEvent().execute<{ s: string; c: string }[]>('select session_user as s, current_user as c');
      t.equal(who.c, ctx.db.appRole, 'queries run as the app role');
      t.not(who.s, ctx.db.appRole, 'the session itself is the superuser: RESET ROLE would escape (see docs/data.md)');
    },
  },
  {
    name: 'the system path answers membership questions before a tenant is chosen, and nothing more',
    async run(t, ctx) {
      const system = systemData(ctx.db);
      t.same(await system.memberTenants('hank'), [{ tenantId: 'acme', role: 'member' }, { tenantId: 'globex', role: 'owner' }]);
      t.same(await system.memberTenants('wile'), [{ tenantId: 'acme', role: 'owner' }]);
      t.same(await system.memberTenants('nobody'), []);
      t.equal(await system.memberRole('hank', 'globex'), 'owner');
      t.equal(await system.isMember('wile', 'globex'), false);
      t.equal((await system.tenant('acme'))?.name, 'Acme Corp');
      t.equal((await system.tenantByDomain('ACME.example.com'))?.id, 'acme');
      t.equal(await system.tenant('nope'), null);
      await expectNoRows(t, () => ctx.db.orm.em.fork().execute('select * from memberships'), 'memberships stay closed to the unscoped app role');
    },
  },
  {
    name: 'checkDatabase() finds the wall standing',
    async run(t, ctx) {
      t.same(await checkDatabase(ctx.db), []);
    },
  },
];

/** Runs every attack against one seeded database from `factory`. */
export function leakCanary(factory: DatabaseFactory): void {
  t.test('data-layer leak canary', async t => {
    const fixture = await factory();
    t.teardown(fixture.cleanup);
    await seedTestData(fixture.db);
    const ctx: CanaryContext = { db: fixture.db, acme: tenantData(fixture.db, 'acme'), globex: tenantData(fixture.db, 'globex') };
    for (const attack of ATTACKS.filter(a => !a.only || a.only === fixture.db.kind)) {
      await t.test(attack.name, t => attack.run(t, ctx));
    }
  });
}

if (import.meta.main) {
  t.test('the canary list is long, unique, and documented in docs/data.md', async t => {
    const names = ATTACKS.map(a => a.name);
    t.ok(names.length >= 15, `${names.length} attacks`);
    t.equal(new Set(names).size, names.length, 'unique names');
    const doc = readFileSync(new URL('../../docs/data.md', import.meta.url), 'utf8');
    for (const name of names) t.ok(doc.includes(name), `documented: ${name}`);
  });
}
