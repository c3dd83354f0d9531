import t from 'tap';
import {
  createCustomResolver, createHeaderResolver, createPathResolver, createSessionResolver, createSubdomainResolver,
  tenantlessPath, tenantRoutePattern, type TenantResolver,
} from '../../server/tenancy/index.ts';
import { request, type FakeRequest } from './fixtures/request.ts';

async function tenantOf(resolve: TenantResolver, init: FakeRequest): Promise<string | null> {
  return (await resolve(request(init)))?.tenantId ?? null;
}

t.test('subdomain: one label in front of the main domain', async (t) => {
  const resolve = createSubdomainResolver({ mainDomain: 'myapp.com' });
  t.same(await resolve(request({ host: 'acme.myapp.com' })), { tenantId: 'acme', source: 'subdomain', needsMembership: true });
  t.equal(await tenantOf(resolve, { host: 'acme.myapp.com:8443' }), 'acme', 'port ignored');
  t.equal(await tenantOf(resolve, { host: 'ACME.MyApp.com' }), 'acme', 'hosts are case-insensitive');
  t.equal(await tenantOf(resolve, { host: 'acme.myapp.com.' }), 'acme', 'trailing dot');
  t.equal(await tenantOf(resolve, { host: 'myapp.com' }), null, 'the apex itself');
  t.equal(await tenantOf(resolve, { host: 'myapp.com:80' }), null);
  for (const label of ['www', 'api', 'admin', 'WWW']) t.equal(await tenantOf(resolve, { host: `${label}.myapp.com` }), null, `${label} excluded`);
  t.equal(await tenantOf(resolve, { host: 'a.b.myapp.com' }), null, 'nested names are not tenants');
  t.equal(await tenantOf(resolve, { host: 'acme.evilmyapp.com' }), null, 'the suffix must be a whole label');
  t.equal(await tenantOf(resolve, { host: 'acme.myapp.com.evil.net' }), null);
  t.equal(await tenantOf(resolve, { host: '-acme.myapp.com' }), null, 'not a slug');
  t.equal(await tenantOf(resolve, { host: '[::1]:3000' }), null);
  t.equal(await tenantOf(resolve, { host: '' }), null);
});

t.test('subdomain: localhost in development, custom exclusions', async (t) => {
  const resolve = createSubdomainResolver({ mainDomain: 'localhost', subdomainExclude: ['Static'] });
  t.equal(await tenantOf(resolve, { host: 'acme.localhost:3000' }), 'acme');
  t.equal(await tenantOf(resolve, { host: 'localhost:3000' }), null);
  t.equal(await tenantOf(resolve, { host: 'static.localhost:3000' }), null);
  t.equal(await tenantOf(resolve, { host: 'www.localhost:3000' }), 'www', 'the list replaces the default');
  t.equal(await tenantOf(createSubdomainResolver({ mainDomain: '.MyApp.com' }), { host: 'acme.myapp.com' }), 'acme', 'main domain normalized');
});

t.test('path: the segment after the prefix', async (t) => {
  const resolve = createPathResolver({ pathPrefix: '/t' });
  t.same(await resolve(request({ path: '/t/acme/projects' })), { tenantId: 'acme', source: 'path', needsMembership: true });
  t.equal(await tenantOf(resolve, { path: '/t/acme' }), 'acme');
  t.equal(await tenantOf(resolve, { path: '/t/acme/' }), 'acme');
  t.equal(await tenantOf(resolve, { path: '/t' }), null);
  t.equal(await tenantOf(resolve, { path: '/t/' }), null);
  t.equal(await tenantOf(resolve, { path: '/tx/acme' }), null, 'the prefix is whole segments');
  t.equal(await tenantOf(resolve, { path: '/acme/projects' }), null, 'no prefix');
  t.equal(await tenantOf(resolve, { path: '/live' }), null, 'the socket path');
  t.equal(await tenantOf(resolve, { path: '/t/ACME/projects' }), null, 'paths are case-sensitive: not lower-cased');
  t.equal(await tenantOf(resolve, { path: '/t/../etc' }), null);
  t.equal(await tenantOf(resolve, { path: '/t/%61cme' }), null, 'encoded segments are not decoded into a tenant');
  t.equal(await tenantOf(resolve, { path: '/t//acme' }), null);
  t.equal(await tenantOf(resolve, { path: '/t/static' }), 'static', 'no default exclusions under a prefix');
  t.equal(await tenantOf(createPathResolver({ pathPrefix: '/t', pathExclude: ['static'] }), { path: '/t/static/x' }), null);
});

t.test('path: first segment, with exclusions', async (t) => {
  const resolve = createPathResolver();
  t.equal(await tenantOf(resolve, { path: '/acme/projects' }), 'acme');
  t.equal(await tenantOf(resolve, { path: '/' }), null);
  for (const segment of ['static', 'api', 'admin', '_livery', 'live', 'healthz']) {
    t.equal(await tenantOf(resolve, { path: `/${segment}/x` }), null, `${segment} excluded`);
  }
  const own = createPathResolver({ pathPrefix: '', pathExclude: ['docs'] });
  t.equal(await tenantOf(own, { path: '/docs/intro' }), null);
  t.equal(await tenantOf(own, { path: '/api/x' }), 'api', 'the list replaces the default');
  t.equal(await tenantOf(own, { path: '/live' }), null, "Livery's own segments stay excluded");
  t.equal(await tenantOf(own, { path: '/_livery/client.js' }), null);
});

t.test('path helpers: strip the tenant, build the route pattern', async (t) => {
  const withPrefix = { pathPrefix: '/t' };
  t.equal(tenantlessPath('/t/acme/projects', withPrefix), '/projects');
  t.equal(tenantlessPath('/t/acme/projects/7', withPrefix), '/projects/7');
  t.equal(tenantlessPath('/t/acme', withPrefix), '/');
  t.equal(tenantlessPath('/projects', withPrefix), '/projects', 'no tenant: unchanged');
  t.equal(tenantlessPath('/acme/projects'), '/projects');
  t.equal(tenantlessPath('/static/app.css'), '/static/app.css');
  t.equal(tenantRoutePattern('/projects', withPrefix), '/t/:tenant/projects');
  t.equal(tenantRoutePattern('/', withPrefix), '/t/:tenant');
  t.equal(tenantRoutePattern('/projects/:id', withPrefix), '/t/:tenant/projects/:id');
  t.equal(tenantRoutePattern('/projects'), '/:tenant/projects');
  t.equal(tenantRoutePattern('/'), '/:tenant');
});

t.test('header: X-Tenant-ID by default, a claim unless trusted', async (t) => {
  const resolve = createHeaderResolver();
  t.same(await resolve(request({ headers: { 'X-Tenant-ID': 'acme' } })), { tenantId: 'acme', source: 'header', needsMembership: true });
  t.equal(await tenantOf(resolve, {}), null, 'missing header');
  t.equal(await tenantOf(resolve, { headers: { 'x-tenant-id': '' } }), null);
  for (const bad of ['ACME', 'acme ', '../etc', 'a'.repeat(64), 'acme,globex']) {
    t.equal(await tenantOf(resolve, { headers: { 'x-tenant-id': bad } }), null, JSON.stringify(bad));
  }
  const custom = createHeaderResolver({ header: 'X-Org', trustedHeader: true });
  t.same(await custom(request({ headers: { 'x-org': 'globex', 'x-tenant-id': 'acme' } })), { tenantId: 'globex', source: 'header', needsMembership: false });
  t.equal(await tenantOf(custom, { headers: { 'x-tenant-id': 'acme' } }), null);
});

t.test('session: the session key, then the only membership', async (t) => {
  const memberships: Record<string, string[]> = { solo: ['acme'], many: ['acme', 'globex'], none: [] };
  const asked: string[] = [];
  const memberTenants = async (userId: string) => {
    asked.push(userId);
    return memberships[userId] ?? [];
  };
  const resolve = createSessionResolver({ memberTenants });
  t.same(await resolve(request({ session: { tenant_id: 'globex', userId: 'solo' } })), { tenantId: 'globex', source: 'session', needsMembership: false });
  t.same(asked, [], 'the session key wins without a lookup');
  t.same(await resolve(request({ session: { userId: 'solo' } })), { tenantId: 'acme', source: 'session', needsMembership: false, userId: 'solo' });
  t.equal(await tenantOf(resolve, { session: { userId: 'many' } }), null, 'several memberships: nothing to choose');
  t.equal(await tenantOf(resolve, { session: { userId: 'none' } }), null);
  t.equal(await tenantOf(resolve, { session: {} }), null, 'anonymous');
  t.equal(await tenantOf(resolve, {}), null, 'no session');
  t.equal(await tenantOf(resolve, { session: { tenant_id: 'Acme', userId: 'solo' } }), null, 'an invalid session tenant is not replaced by a guess');
  t.equal(await tenantOf(resolve, { session: { tenant_id: 42 } }), null);
  t.equal(await tenantOf(createSessionResolver(), { session: { userId: 'solo' } }), null, 'no fallback without memberTenants');
  t.equal(await tenantOf(createSessionResolver({ sessionKey: 'org' }), { session: { org: 'globex', tenant_id: 'acme' } }), 'globex');
  const rich = createSessionResolver({ memberTenants: async () => [{ tenantId: 'acme' }] });
  t.equal(await tenantOf(rich, { session: { userId: 'u1' } }), 'acme', 'membership rows as returned by systemData');
  const bad = createSessionResolver({ memberTenants: async () => ['Not A Slug'] });
  t.equal(await tenantOf(bad, { session: { userId: 'u1' } }), null);
});

t.test('custom: a tenant id or a claim, validated', async (t) => {
  const id = createCustomResolver((r) => r.header('x-org') ?? null);
  t.same(await id(request({ headers: { 'x-org': 'acme' } })), { tenantId: 'acme', source: 'custom', needsMembership: true });
  t.equal(await tenantOf(id, {}), null);
  t.equal(await tenantOf(id, { headers: { 'x-org': '../etc' } }), null);
  const claim = createCustomResolver(async () => ({ tenantId: 'globex', source: 'header', needsMembership: false, userId: 'u9' }));
  t.same(await claim(request()), { tenantId: 'globex', source: 'custom', needsMembership: false, userId: 'u9' }, 'the source is always custom');
  const badClaim = createCustomResolver(() => ({ tenantId: 'ACME ', source: 'custom', needsMembership: false }));
  t.equal(await badClaim(request()), null);
  const failing = createCustomResolver(() => {
    throw new Error('boom');
  });
  await t.rejects(async () => failing(request()), /boom/, 'an exception propagates: no silent fallthrough');
});
