/**
 * Roles are cluster-global, so creating the app role must be idempotent and
 * survive concurrent creators (parallel test files, replicas starting together).
 */
import t from 'tap';
import { MikroORM as PostgresMikroORM } from '@mikro-orm/postgresql';
import { createRoleSql } from '../../server/data/app-role.ts';
import { ADMIN_URL, adminExecute, testDatabaseName } from './fixtures.ts';

t.test('concurrent createRoleSql() calls create the role exactly once', async t => {
  const role = testDatabaseName().replace('livery_t_', 'livery_race_');
  t.teardown(() => adminExecute(`drop role if exists "${role}"`));
  // separate connections, so the CREATE ROLEs really race
  await Promise.all(Array.from({ length: 6 }, () => adminExecute(createRoleSql(role))));
  await adminExecute(createRoleSql(role));

  const orm = await PostgresMikroORM.init({ clientUrl: ADMIN_URL, entities: [], discovery: { warnWhenNoEntities: false }, ensureDatabase: false, allowGlobalContext: true });
  t.teardown(() => orm.close(true));
  const rows = await orm.em.execute<Record<string, boolean>[]>(
    'select rolsuper, rolbypassrls, rolcanlogin, rolinherit, rolcreaterole, rolcreatedb from pg_roles where rolname = ?',
    [role],
  );
  t.same(rows, [{ rolsuper: false, rolbypassrls: false, rolcanlogin: true, rolinherit: false, rolcreaterole: false, rolcreatedb: false }]);
});
