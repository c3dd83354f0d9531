import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { resolveTenancy, TENANCY_CHECKS, TENANCY_ENVIRONMENT, type TenancyOptions } from '../../server/tenancy/index.ts';
import type { TenantQuotaOptions } from '../../server/tenancy/options.ts';

const SECRET = 'x'.repeat(32);
const idsOf = (options: TenancyOptions | undefined, env: NodeJS.ProcessEnv = {}) => resolveTenancy(options, env).problems.map((p) => p.id);

t.test('no resolver named: tenancy off', async (t) => {
  t.same(resolveTenancy(undefined, {}), { config: undefined, problems: [] });
  t.same(resolveTenancy({ resolver: [] }, {}), { config: undefined, problems: [] });
});

t.test('defaults', async (t) => {
  const { config, problems } = resolveTenancy({ resolver: 'path' }, {});
  t.same(problems, []);
  t.same(config?.resolvers, ['path']);
  t.equal(config?.pathPrefix, '');
  t.equal(config?.pathExclude, undefined, 'the path resolver picks its default list for the prefix');
  t.same(config?.subdomainExclude, ['www', 'api', 'admin']);
  t.equal(config?.header, 'X-Tenant-ID');
  t.equal(config?.sessionKey, 'tenant_id');
  t.equal(config?.jwtClaim, 'tenant_id');
  t.equal(config?.jwtCookie, 'lv_jwt');
  t.equal(config?.checkMembership, true);
  t.equal(config?.trustedHeader, false);
  t.equal(config?.default, undefined);
});

t.test('environment variables are read and typed', async (t) => {
  const env = {
    LIVERY_TENANT_RESOLVER: 'header, subdomain,session',
    LIVERY_TENANT_MAIN_DOMAIN: 'MyApp.com',
    LIVERY_TENANT_SUBDOMAIN_EXCLUDE: 'www,static',
    LIVERY_TENANT_DEFAULT: 'public',
    LIVERY_TENANT_PATH_PREFIX: '/t',
    LIVERY_TENANT_PATH_EXCLUDE: 'docs, help',
    LIVERY_TENANT_HEADER: 'X-Org',
    LIVERY_TENANT_SESSION_KEY: 'org',
    LIVERY_TENANT_JWT_CLAIM: 'org_id',
    LIVERY_TENANT_JWT_SECRET: SECRET,
    LIVERY_TENANT_JWT_COOKIE: 'auth',
    LIVERY_TENANT_JWT_ISSUER: 'https://id.example',
    LIVERY_TENANT_JWT_AUDIENCE: 'livery',
    LIVERY_TENANT_CUSTOM_RESOLVER: './resolver.ts',
    LIVERY_TENANT_CHECK_MEMBERSHIP: '1',
    LIVERY_TENANT_TRUSTED_HEADER: 'true',
    LIVERY_TENANT_RECHECK: '5',
    LIVERY_TENANT_MAX_SOCKETS: '200',
    LIVERY_TENANT_EVENTS_PER_SECOND: '50',
    LIVERY_TENANT_STATE_BYTES: '1048576',
  };
  const { config, problems } = resolveTenancy(undefined, env);
  t.same(problems, []);
  t.same(config, {
    resolvers: ['header', 'subdomain', 'session'],
    mainDomain: 'myapp.com',
    subdomainExclude: ['www', 'static'],
    default: 'public',
    pathPrefix: '/t',
    pathExclude: ['docs', 'help'],
    header: 'X-Org',
    sessionKey: 'org',
    jwtClaim: 'org_id',
    jwtSecret: SECRET,
    jwtPublicKey: undefined,
    jwtCookie: 'auth',
    jwtIssuer: 'https://id.example',
    jwtAudience: 'livery',
    custom: undefined,
    customModule: './resolver.ts',
    checkMembership: true,
    trustedHeader: true,
    recheckSeconds: 5,
    quotas: { sockets: 200, eventsPerSecond: 50, stateBytes: 1048576 },
  });
  t.equal(resolveTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'header', LIVERY_TENANT_TRUSTED_HEADER: '0' }).config?.trustedHeader, false);
  t.equal(resolveTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'path', LIVERY_TENANT_DEFAULT: '' }).config?.default, undefined, 'empty = unset');
});

t.test('explicit options win over the environment', async (t) => {
  const env = { LIVERY_TENANT_RESOLVER: 'header', LIVERY_TENANT_MAIN_DOMAIN: 'env.test', LIVERY_TENANT_CHECK_MEMBERSHIP: 'false', LIVERY_TENANT_TRUSTED_HEADER: 'true' };
  const { config } = resolveTenancy({ resolver: ['subdomain'], mainDomain: 'option.test', checkMembership: true }, env);
  t.same(config?.resolvers, ['subdomain']);
  t.equal(config?.mainDomain, 'option.test');
  t.equal(config?.checkMembership, true);
  t.equal(config?.trustedHeader, true, 'unset options still come from the environment');
});

t.test('livery.C003: a malformed boolean', async (t) => {
  t.same(idsOf({ resolver: 'path' }, { LIVERY_TENANT_CHECK_MEMBERSHIP: 'yes' }), ['livery.C003']);
});

t.test('livery.C010: subdomain without a (valid) main domain', async (t) => {
  t.same(idsOf({ resolver: 'subdomain' }), ['livery.C010']);
  t.same(idsOf({ resolver: 'subdomain', mainDomain: 'https://myapp.com' }), ['livery.C010']);
  t.same(idsOf({ resolver: 'subdomain', mainDomain: 'myapp.com:443' }), ['livery.C010']);
  t.same(idsOf({ resolver: 'subdomain', mainDomain: 'localhost' }), []);
  t.same(idsOf({ resolver: 'path' }), [], 'only the subdomain resolver needs it');
});

t.test('livery.C011: an unchecked, untrusted header', async (t) => {
  t.same(idsOf({ resolver: 'header', checkMembership: false }), ['livery.C011']);
  t.same(idsOf({ resolver: ['path', 'header'] }, { LIVERY_TENANT_CHECK_MEMBERSHIP: 'false' }), ['livery.C011']);
  t.same(idsOf({ resolver: 'header', checkMembership: false, trustedHeader: true }), []);
  t.same(idsOf({ resolver: 'header' }), [], 'membership checked');
});

t.test('livery.C012: unknown resolvers; settings without a resolver', async (t) => {
  t.same(idsOf({ resolver: 'cookie' as never }), ['livery.C012']);
  t.same(idsOf(undefined, { LIVERY_TENANT_RESOLVER: 'path,Header' }), ['livery.C012']);
  t.same(resolveTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'path,Header' }).config?.resolvers, ['path']);
  t.same(idsOf(undefined, { LIVERY_TENANT_MAIN_DOMAIN: 'myapp.com' }), ['livery.C012']);
  t.same(idsOf({ default: 'public' }), ['livery.C012']);
});

t.test('livery.C013: the jwt resolver without one good key', async (t) => {
  const { publicKey: ecPem, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  t.same(idsOf({ resolver: 'jwt' }), ['livery.C013'], 'no key');
  t.same(idsOf({ resolver: 'jwt', jwtSecret: 'short' }), ['livery.C013'], 'a short secret');
  t.same(idsOf({ resolver: 'jwt', jwtSecret: SECRET, jwtPublicKey: ecPem }), ['livery.C013'], 'two keys');
  t.same(idsOf({ resolver: 'jwt', jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----' }), ['livery.C013'], 'unparseable');
  t.same(idsOf({ resolver: 'jwt', jwtPublicKey: privateKey }), ['livery.C013'], 'a private key is not accepted');
  const { publicKey: x25519 } = generateKeyPairSync('x25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  t.same(idsOf({ resolver: 'jwt', jwtPublicKey: x25519 }), ['livery.C013'], 'not a signing key');
  t.same(idsOf({ resolver: 'jwt', jwtPublicKey: ecPem }), []);
  t.same(idsOf(undefined, { LIVERY_TENANT_RESOLVER: 'jwt', LIVERY_TENANT_JWT_SECRET: SECRET }), []);
});

t.test('livery.C014: custom without a function or module', async (t) => {
  t.same(idsOf({ resolver: 'custom' }), ['livery.C014']);
  t.same(idsOf({ resolver: 'custom', custom: 'acme' as never }), ['livery.C014']);
  t.same(idsOf({ resolver: 'custom', custom: () => 'acme' }), []);
  t.same(idsOf({ resolver: 'custom', customModule: './x.ts' }), [], 'the module is checked when loadTenancy imports it');
});

t.test('livery.C016: a malformed default tenant or path prefix', async (t) => {
  for (const tenant of ['Public', 'public ', '../etc', '-x', 'a'.repeat(64)]) {
    t.same(idsOf({ resolver: 'path', default: tenant }), ['livery.C016'], `default ${JSON.stringify(tenant)}`);
  }
  for (const prefix of ['t', '/t/', '/', '/t x', '/../t', '//t']) {
    t.same(idsOf({ resolver: 'path', pathPrefix: prefix }), ['livery.C016'], `prefix ${JSON.stringify(prefix)}`);
  }
  t.same(idsOf({ resolver: 'path', default: 'public', pathPrefix: '/org/t' }), []);
});

t.test('livery.C050 and C052: default quotas and the recheck interval in range', async (t) => {
  t.same(idsOf({ resolver: 'path', quotas: { sockets: 0 } }), ['livery.C050']);
  t.same(idsOf({ resolver: 'path', quotas: { eventsPerSecond: 2.5 } }), ['livery.C050']);
  t.same(idsOf({ resolver: 'path', quotas: { stateBytes: -1 } }), ['livery.C050']);
  t.same(idsOf({ resolver: 'path', quotas: { stateBytes: 0 } }), [], 'stateBytes 0: no quota of its own');
  t.same(idsOf({ resolver: 'path', recheckSeconds: 0 }), ['livery.C052']);
  const { config } = resolveTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'path', LIVERY_TENANT_MAX_SOCKETS: '50', LIVERY_TENANT_RECHECK: '3' });
  t.same([config?.quotas, config?.recheckSeconds], [{ sockets: 50, eventsPerSecond: 1000, stateBytes: 0 }, 3], 'read from the environment, else the defaults');
  t.same(resolveTenancy(undefined, { LIVERY_TENANT_RESOLVER: 'path', LIVERY_TENANT_EVENTS_PER_SECOND: 'lots' }).problems.map((p) => p.id), ['livery.C003']);
});

t.test('every problem is reported at once', async (t) => {
  t.same(idsOf({ resolver: ['subdomain', 'jwt', 'custom', 'header'], checkMembership: false, default: 'X' }), [
    'livery.C010', 'livery.C011', 'livery.C013', 'livery.C014', 'livery.C016',
  ]);
});

t.test('checks and environment tables are complete', async (t) => {
  t.same(Object.keys(TENANCY_CHECKS), ['livery.C010', 'livery.C011', 'livery.C012', 'livery.C013', 'livery.C014', 'livery.C016', 'livery.C050', 'livery.C052']);
  const options = TENANCY_ENVIRONMENT.map((spec) => spec.option.replace('tenancy.', ''));
  const settable: Array<Exclude<keyof TenancyOptions, 'quotas'> | `quotas.${keyof TenantQuotaOptions}`> = [
    'resolver', 'mainDomain', 'subdomainExclude', 'default', 'pathPrefix', 'pathExclude', 'header', 'sessionKey', 'jwtClaim',
    'jwtSecret', 'jwtPublicKey', 'jwtCookie', 'jwtIssuer', 'jwtAudience', 'customModule', 'checkMembership', 'trustedHeader',
    'recheckSeconds', 'quotas.sockets', 'quotas.eventsPerSecond', 'quotas.stateBytes',
  ];
  t.same(options.sort(), [...settable].sort(), 'every option but the `custom` function has an environment variable');
});

t.test('the docs list every environment variable and check', async (t) => {
  const doc = readFileSync(new URL('../../docs/tenancy-resolvers.md', import.meta.url), 'utf8');
  for (const spec of TENANCY_ENVIRONMENT) t.match(doc, `\`${spec.env}\``, spec.env);
  for (const id of Object.keys(TENANCY_CHECKS)) t.match(doc, `| \`${id}\` |`, id);
});
