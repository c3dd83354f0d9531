/** How the test client reaches a tenant: the first resolver of the app's chain a request can satisfy. */
import t from 'tap';
import { resolveConfig } from '../../server/options/index.ts';
import type { TenancyOptions } from '../../server/tenancy/options.ts';
import { routeToTenant } from '../../server/testing/tenant-route.ts';

const tenancy = (options: TenancyOptions) => resolveConfig({ tenancy: options }).tenancy;

t.test('each resolver the way a browser request would carry the tenant', async (t) => {
  t.same(routeToTenant(tenancy({ resolver: ['subdomain', 'path'], mainDomain: 'localhost', pathPrefix: '/t' }), 'acme', '/projects', 4000),
    { path: '/projects', headers: { host: 'acme.localhost:4000' }, session: {} });
  t.same(routeToTenant(tenancy({ resolver: 'path', pathPrefix: '/t' }), 'acme', '/projects', 4000),
    { path: '/t/acme/projects', headers: {}, session: {} });
  t.same(routeToTenant(tenancy({ resolver: 'header', header: 'X-Org' }), 'acme', '/p', 1).headers, { 'x-org': 'acme' });
  t.same(routeToTenant(tenancy({ resolver: 'session' }), 'acme', '/p', 1).session, { tenant_id: 'acme' });
  t.same(routeToTenant(undefined, undefined, '/p', 1), { path: '/p', headers: {}, session: {} }, 'no tenant asked: the request as it is');
});

t.test('a chain the test client cannot reach says what to do', async (t) => {
  t.throws(() => routeToTenant(tenancy({ resolver: 'jwt', jwtSecret: 'x'.repeat(32) }), 'acme', '/p', 1), { code: 'LV_TEST_SETUP_INVALID', message: /pass `headers`/ });
  t.throws(() => routeToTenant(undefined, 'acme', '/p', 1), { code: 'LV_TEST_SETUP_INVALID', message: /no tenancy/ });
});
