import t from 'tap';
import { createDatabase, databaseName } from '../../server/data/index.ts';
import { openOwnerOrm } from '../../server/data/postgres-database.ts';
import { QueryCounter } from '../../server/data/query-counter.ts';
import { loadRegistry } from '../../server/data/registry.ts';
import { NOTE_DATA } from './fixtures/note.ts';
import { databaseContract } from './database.case.ts';
import { dropDatabase, postgresFactory, testDatabaseName, urlFor } from './fixtures.ts';

databaseContract(postgresFactory);

t.test('PostgreSQL: migrate() creates a missing database', async t => {
  const name = testDatabaseName();
  t.teardown(() => dropDatabase(name));
  const db = await createDatabase({ url: urlFor(name), ...NOTE_DATA, migrate: true });
  t.teardown(() => db.close());
  t.equal(databaseName(urlFor(name)), name);
  const [row] = await db.orm.em.fork().execute<{ db: string }[]>('select current_database() as db');
  t.equal(row.db, name);
});

t.test('PostgreSQL: the live schema matches the entities (policies included)', async t => {
  const fixture = await postgresFactory();
  t.teardown(fixture.cleanup);
  const owner = await openOwnerOrm(fixture.ownerUrl!, { counter: new QueryCounter(), registry: await loadRegistry(NOTE_DATA) });
  t.teardown(() => owner.close(true));
  t.equal(await owner.schema.getUpdateSchemaSQL(), '');
  const policies = await owner.em.fork().execute<{ tablename: string; policyname: string }[]>(
    "select tablename, policyname from pg_policies where schemaname = 'public' order by tablename",
  );
  t.same(policies, [
    { tablename: 'memberships', policyname: 'memberships_tenant_policy' },
    { tablename: 'notes', policyname: 'notes_tenant_policy' },
  ]);
});
