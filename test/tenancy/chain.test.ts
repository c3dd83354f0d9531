import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SignJWT } from 'jose';
import { createResolverChain, loadTenancy, resolveTenancy, type JwtRejectReason, type TenancyConfig, type TenancyOptions } from '../../server/tenancy/index.ts';
import { request } from './fixtures/request.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function configOf(options: TenancyOptions): TenancyConfig {
  const { config, problems } = resolveTenancy(options, {});
  if (!config || problems.length > 0) throw new Error(`bad test config: ${JSON.stringify(problems)}`);
  return config;
}

t.test('first match wins, in the configured order', async (t) => {
  const both = { host: 'acme.localhost:3000', headers: { 'x-tenant-id': 'globex' } };
  const headerFirst = createResolverChain(configOf({ resolver: ['header', 'subdomain'], mainDomain: 'localhost' }));
  const subdomainFirst = createResolverChain(configOf({ resolver: ['subdomain', 'header'], mainDomain: 'localhost' }));
  t.same(await headerFirst(request(both)), { tenantId: 'globex', source: 'header', needsMembership: true });
  t.same(await subdomainFirst(request(both)), { tenantId: 'acme', source: 'subdomain', needsMembership: true });
  t.equal((await subdomainFirst(request({ host: 'localhost:3000', headers: { 'x-tenant-id': 'globex' } })))?.source, 'header', 'falls through to the next');
  t.equal(await subdomainFirst(request({ host: 'localhost:3000' })), null, 'nothing matched, no default');
});

t.test('the example app chain: subdomain, then path', async (t) => {
  const chain = createResolverChain(configOf({ resolver: ['subdomain', 'path'], mainDomain: 'localhost', pathPrefix: '/t' }));
  t.equal((await chain(request({ host: 'acme.localhost:3000', path: '/projects' })))?.tenantId, 'acme');
  t.equal((await chain(request({ host: 'globex.localhost:3000', path: '/projects' })))?.tenantId, 'globex');
  t.equal((await chain(request({ host: 'localhost:3000', path: '/t/acme/projects' })))?.tenantId, 'acme');
  t.equal(await chain(request({ host: 'localhost:3000', path: '/live' })), null, 'the socket carries a path tenant in its join token');
});

t.test('the default tenant when nothing resolves', async (t) => {
  const chain = createResolverChain(configOf({ resolver: 'header', default: 'public' }));
  t.same(await chain(request()), { tenantId: 'public', source: 'default', needsMembership: false });
  t.same(await chain(request({ headers: { 'x-tenant-id': 'Not Valid' } })), { tenantId: 'public', source: 'default', needsMembership: false }, 'an invalid claim is no claim');
  t.equal((await chain(request({ headers: { 'x-tenant-id': 'acme' } })))?.tenantId, 'acme');
});

t.test('checkMembership: false clears needsMembership', async (t) => {
  const chain = createResolverChain(configOf({ resolver: ['path', 'header'], checkMembership: false, trustedHeader: true }));
  t.same(await chain(request({ path: '/acme/x' })), { tenantId: 'acme', source: 'path', needsMembership: false });
  t.same(await chain(request({ headers: { 'x-tenant-id': 'acme' } })), { tenantId: 'acme', source: 'header', needsMembership: false });
});

t.test('dependencies reach the session and jwt resolvers', async (t) => {
  const secret = 'a-secret-for-the-chain-of-32-bytes!!';
  const rejected: JwtRejectReason[] = [];
  const chain = createResolverChain(configOf({ resolver: ['jwt', 'session'], jwtSecret: secret }), {
    memberTenants: async (userId) => (userId === 'solo' ? ['acme'] : []),
    onJwtReject: (reason) => rejected.push(reason),
  });
  const forged = await new SignJWT({ tenant_id: 'globex' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(40)));
  const claim = await chain(request({ headers: { authorization: `Bearer ${forged}` }, session: { userId: 'solo' } }));
  t.same(claim, { tenantId: 'acme', source: 'session', needsMembership: false, userId: 'solo' }, 'a forged JWT falls through, never wins');
  t.same(rejected, ['signature']);
});

t.test('custom function in the chain', async (t) => {
  const chain = createResolverChain(configOf({ resolver: ['custom', 'path'], custom: (r) => (r.host.startsWith('admin.') ? 'acme' : null) }));
  t.same(await chain(request({ host: 'admin.example.com', path: '/globex' })), { tenantId: 'acme', source: 'custom', needsMembership: true });
  t.equal((await chain(request({ host: 'example.com', path: '/globex' })))?.tenantId, 'globex');
});

t.test('custom module: loaded once at startup by loadTenancy', async (t) => {
  const { config, problems } = await loadTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'custom', LIVERY_TENANT_CUSTOM_RESOLVER: 'custom-resolver.ts' }, fixtures);
  t.same(problems, []);
  t.type(config?.custom, 'function');
  const chain = createResolverChain(config!);
  t.same(await chain(request({ cookies: { org: 'globex' } })), { tenantId: 'globex', source: 'custom', needsMembership: true });
  t.equal(await chain(request({ cookies: { org: '../etc' } })), null);
  const absolute = await loadTenancy({ resolver: 'custom', customModule: `${fixtures}custom-resolver.ts` }, {});
  t.same(absolute.problems, [], 'an absolute path');
  const given = () => 'acme';
  t.equal((await loadTenancy({ resolver: 'custom', custom: given, customModule: 'missing.ts' }, {}, fixtures)).config?.custom, given, 'a function wins over a module');
});

t.test('livery.C014: a custom module that fails to load or has no default function', async (t) => {
  for (const file of ['missing.ts', 'no-default.ts', 'throws-on-load.ts']) {
    const { problems } = await loadTenancy({ resolver: 'custom', customModule: file }, {}, fixtures);
    t.same(problems.map((p) => p.id), ['livery.C014'], file);
    t.match(problems[0]?.detail, file);
  }
  t.throws(() => createResolverChain(configOf({ resolver: 'custom', customModule: 'custom-resolver.ts' })), /loadTenancy/, 'not loaded yet');
});
