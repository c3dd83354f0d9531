import t from 'tap';
import { databaseName, databaseOptionsFromEnv, deriveAppUrl, redactUrl, resolveTarget } from '../../server/data/index.ts';

t.test('without DATABASE_URL the data lives in PGlite under .livery/pglite', async t => {
  t.same(resolveTarget({}), { kind: 'pglite', dataDir: '.livery/pglite', appRole: 'livery_app' });
  t.same(resolveTarget({ pglite: 'memory://', appRole: 'other_app' }), { kind: 'pglite', dataDir: 'memory://', appRole: 'other_app' });
});

t.test('the app URL is derived from DATABASE_URL: same server and database, app role, no password', async t => {
  const target = resolveTarget({ url: 'postgres://owner:secret@db.internal:6543/livery' });
  t.same(target, {
    kind: 'postgresql',
    ownerUrl: 'postgres://owner:secret@db.internal:6543/livery',
    appUrl: 'postgres://livery_app@db.internal:6543/livery',
    appRole: 'livery_app',
    appUrlDerived: true,
  });
  t.equal(deriveAppUrl('postgresql://a:b@h/d?sslmode=require', 'x_app'), 'postgresql://x_app@h/d?sslmode=require');
});

t.test('an explicit DATABASE_APP_URL wins and names the role', async t => {
  const target = resolveTarget({ url: 'postgres://owner@h/d', appUrl: 'postgres://tenant_rw:pw@h/d' });
  t.match(target, { kind: 'postgresql', appUrl: 'postgres://tenant_rw:pw@h/d', appRole: 'tenant_rw', appUrlDerived: false });
});

t.test('bad URLs and role names are refused with LV_DB_BAD_URL', async t => {
  t.throws(() => resolveTarget({ url: 'not a url' }), { code: 'LV_DB_BAD_URL' });
  t.throws(() => resolveTarget({ url: 'mysql://u@h/d' }), { code: 'LV_DB_BAD_URL' });
  t.throws(() => resolveTarget({ url: 'postgres://u@h/' }), { code: 'LV_DB_BAD_URL' }, 'no database');
  t.throws(() => resolveTarget({ url: 'postgres://u@h/d', appRole: 'x"; drop' }), { code: 'LV_DB_BAD_URL' });
  t.throws(() => resolveTarget({ url: 'postgres://u@h/d', appUrl: 'postgres://Mixed@h/d' }), { code: 'LV_DB_BAD_URL' });
});

t.test('env, database names and redaction', async t => {
  t.same(databaseOptionsFromEnv({ DATABASE_URL: 'postgres://u@h/d', DATABASE_APP_URL: '', LIVERY_PGLITE_DIR: '/tmp/x' }), {
    url: 'postgres://u@h/d',
    appUrl: undefined,
    pglite: '/tmp/x',
  });
  t.equal(databaseName('postgres://u@h:1/live%20ry'), 'live ry');
  t.equal(redactUrl('postgres://u:hunter2@h/d'), 'postgres://u:***@h/d');
  t.notMatch(redactUrl('postgres://u:hunter2@h/d'), /hunter2/);
});
