/**
 * A transaction-pooling proxy never carries a tenant from one transaction to another. Through
 * pgbouncer in transaction mode one server connection serves many clients' transactions in turn,
 * so anything set for the session outlives the client that set it — the control below shows a
 * session-level setting reaching a stranger. Livery stages the tenant with `set_config(…, true)`
 * inside each transaction (MikroORM's `sessionContext: 'transaction'`, pinned in orm-config.ts),
 * so acme and globex, interleaved on shared server connections, each see only their own rows,
 * and a query without a tenant never runs as one.
 */
import t from 'tap';
import { scoped, tenantData, type Database } from '../../server/data/index.ts';
import { NoteSchema } from './fixtures/note.ts';
import { seedTestData } from './fixtures/seed.ts';
import { pgbouncerFactory } from './fixtures.ts';

const SETTING = 'mikro.tenant.tenantId';
type Probe = { tenant: string | null; pid: number };
const PROBE = `select current_setting('${SETTING}', true) as tenant, pg_backend_pid() as pid`;

/** A query on a fresh fork of the global EntityManager: no tenant staged. */
const probe = async (db: Database): Promise<Probe> => (await db.orm.em.fork().execute<Probe[]>(PROBE))[0]!;

t.test('control: through the pooler, a session-level setting reaches another client', async (t) => {
  const fixture = await pgbouncerFactory();
  t.teardown(fixture.cleanup);
  const { db } = fixture;
  const em = db.orm.em.fork();
  const [{ pid }] = await em.execute<Array<{ pid: number }>>(`select set_config('${SETTING}', 'acme', false), pg_backend_pid() as pid`);
  const strangers: Probe[] = [];
  for (let i = 0; i < 20 && !strangers.some((p) => p.pid === pid); i++) strangers.push(await probe(db));
  const served = strangers.find((p) => p.pid === pid);
  t.ok(served, 'a later client was served by the same server connection');
  t.equal(served?.tenant, 'acme', 'and saw the tenant another client set for the session: the leak a session-level tenant would be');
});

t.test('acme and globex interleaved on pooled connections: each sees only its rows, a tenant-less query never runs as one', async (t) => {
  const fixture = await pgbouncerFactory();
  t.teardown(fixture.cleanup);
  const { db } = fixture;
  await seedTestData(db);
  const tenants = ['acme', 'globex'] as const;
  const own = { acme: new Set(['rocket-skates', 'giant-magnet', 'tornado-seeds']), globex: new Set(['doomsday-device', 'hammock-district']) };
  const pidsOf = { acme: new Set<number>(), globex: new Set<number>() };
  const wrong: string[] = [];
  const loose: Probe[] = [];

  const worker = async (tenant: (typeof tenants)[number], round: number) => {
    const data = tenantData(db, tenant);
    try {
      // A read outside any explicit transaction (MikroORM wraps it to stage the tenant)…
      const rows = await scoped(data.forEvent(), NoteSchema).find({});
      for (const row of rows) if (!own[tenant].has(row.id) && !row.id.startsWith(`${tenant}-`)) wrong.push(`${tenant} read ${row.id}`);
      // …a write and a raw query in an explicit one…
      await data.transactional(async (em) => {
        const [inside] = await em.execute<Probe[]>(PROBE);
        pidsOf[tenant].add(inside!.pid);
        if (inside!.tenant !== tenant) wrong.push(`${tenant}'s transaction ran as ${inside!.tenant}`);
        scoped(em, NoteSchema).create({ id: `${tenant}-${round}`, name: `${tenant} note ${round}` });
      });
      // …and, between them, a query with no tenant at all.
      loose.push(await probe(db));
    } finally {
      data.release();
    }
  };
  for (let round = 0; round < 25; round++) {
    await Promise.all([...tenants, ...tenants].map((tenant, i) => worker(tenant, round * 2 + (i >> 1))));
  }

  const shared = [...pidsOf.acme].filter((pid) => pidsOf.globex.has(pid));
  t.ok(shared.length > 0, `server connections ${shared.join(', ')} served both tenants' transactions: the interleaving is real`);
  t.same(wrong, [], 'no tenant ever read or ran as another');
  t.same(loose.filter((p) => p.tenant !== null && p.tenant !== ''), [], 'no tenant-less query ever saw a tenant');
  for (const tenant of tenants) {
    const data = tenantData(db, tenant);
    t.teardown(() => data.release());
    const names = (await scoped(data.forEvent(), NoteSchema).find({})).map((n) => n.name);
    t.equal(names.filter((n) => n.startsWith(`${tenant} note`)).length, 50, `${tenant} has its 50 notes`);
    t.notOk(names.some((n) => n.startsWith(`${tenant === 'acme' ? 'globex' : 'acme'} note`)), `and none of the other's`);
  }
});
