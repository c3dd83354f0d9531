import t from 'tap';
import { exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { createJwtResolver, type JwtRejectReason, type JwtResolverOptions } from '../../server/tenancy/index.ts';
import { request } from './fixtures/request.ts';

const SECRET = 'an-hs256-secret-of-at-least-32-bytes!';
const now = () => Math.floor(Date.now() / 1000);

function hs256(payload: JWTPayload, secret = SECRET, exp: number | null = now() + 600): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' });
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** The resolver, and every reason it rejected a token. */
function resolverWith(options: JwtResolverOptions) {
  const reasons: JwtRejectReason[] = [];
  const resolve = createJwtResolver({ ...options, onReject: (reason) => reasons.push(reason) });
  const bearer = async (token: string) => resolve(request({ headers: { authorization: `Bearer ${token}` } }));
  return { resolve, bearer, reasons };
}

t.test('HS256: a valid token from the Authorization header', async (t) => {
  const { bearer, reasons } = resolverWith({ jwtSecret: SECRET });
  t.same(await bearer(await hs256({ tenant_id: 'acme', sub: 'user-1' })), { tenantId: 'acme', source: 'jwt', needsMembership: true, userId: 'user-1' });
  t.same(await bearer(await hs256({ tenant_id: 'acme' })), { tenantId: 'acme', source: 'jwt', needsMembership: true }, 'no sub: no user');
  t.same(reasons, []);
});

t.test('from a cookie; the header wins over the cookie', async (t) => {
  const { resolve } = resolverWith({ jwtSecret: SECRET, jwtCookie: 'auth' });
  const acme = await hs256({ tenant_id: 'acme' });
  const globex = await hs256({ tenant_id: 'globex' });
  t.equal((await resolve(request({ cookies: { auth: acme } })))?.tenantId, 'acme');
  t.equal(await resolve(request({ cookies: { lv_jwt: acme } })), null, 'only the configured cookie');
  t.equal((await resolve(request({ cookies: { auth: acme }, headers: { authorization: `Bearer ${globex}` } })))?.tenantId, 'globex');
  t.equal((await resolve(request({ cookies: { auth: acme }, headers: { authorization: 'Basic dXNlcjpwdw==' } })))?.tenantId, 'acme', 'not a bearer header');
  t.equal((await resolverWith({ jwtSecret: SECRET }).resolve(request({ cookies: { lv_jwt: acme } })))?.tenantId, 'acme', 'lv_jwt by default');
});

t.test('no token: null, nothing rejected', async (t) => {
  const { resolve, reasons } = resolverWith({ jwtSecret: SECRET });
  t.equal(await resolve(request()), null);
  t.equal(await resolve(request({ headers: { authorization: 'Bearer ' } })), null);
  t.same(reasons, []);
});

t.test('ES256 with a generated key pair; the wrong key and alg confusion are refused', async (t) => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256');
  const pem = await exportSPKI(pair.publicKey);
  const es256 = (key: CryptoKey, payload: JWTPayload) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('10m').sign(key);
  const { bearer, reasons } = resolverWith({ jwtPublicKey: pem });
  t.same(await bearer(await es256(pair.privateKey, { tenant_id: 'acme', sub: 'u2' })), { tenantId: 'acme', source: 'jwt', needsMembership: true, userId: 'u2' });
  t.equal(await bearer(await es256(other.privateKey, { tenant_id: 'acme' })), null, 'signed by another key');
  t.equal(await bearer(await hs256({ tenant_id: 'acme' }, pem)), null, 'HS256 signed with the public key as secret');
  t.same(reasons, ['signature', 'algorithm']);
  const escaped = resolverWith({ jwtPublicKey: pem.replace(/\n/g, '\\n') });
  t.equal((await escaped.bearer(await es256(pair.privateKey, { tenant_id: 'acme' })))?.tenantId, 'acme', 'a PEM with escaped newlines, as env vars carry it');
});

t.test('RS256 public key', async (t) => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const { bearer } = resolverWith({ jwtPublicKey: await exportSPKI(pair.publicKey) });
  const token = await new SignJWT({ tenant_id: 'globex' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('10m').sign(pair.privateKey);
  t.equal((await bearer(token))?.tenantId, 'globex');
});

t.test('refused tokens resolve to null and say why', async (t) => {
  const cases: Array<[string, () => Promise<string>, JwtRejectReason]> = [
    ['wrong secret', () => hs256({ tenant_id: 'acme' }, 'another-secret-that-is-32-bytes-long!'), 'signature'],
    ['expired', () => hs256({ tenant_id: 'acme' }, SECRET, now() - 60), 'expired'],
    ['no exp', () => hs256({ tenant_id: 'acme' }, SECRET, null), 'claims'],
    ['alg none', async () => new UnsecuredJWT({ tenant_id: 'acme' }).setExpirationTime('10m').encode(), 'algorithm'],
    ['garbage', async () => 'not.a.jwt', 'malformed'],
    ['too long', async () => 'x'.repeat(9000), 'malformed'],
    ['missing claim', () => hs256({ org: 'acme' }), 'tenant'],
    ['claim not a slug', () => hs256({ tenant_id: '../etc' }), 'tenant'],
    ['claim with case and space', () => hs256({ tenant_id: 'ACME ' }), 'tenant'],
    ['claim not a string', () => hs256({ tenant_id: ['acme'] }), 'tenant'],
  ];
  for (const [name, token, reason] of cases) {
    const { bearer, reasons } = resolverWith({ jwtSecret: SECRET });
    t.equal(await bearer(await token()), null, name);
    t.same(reasons, [reason], `${name}: ${reason}`);
  }
});

t.test('configured claim, issuer and audience', async (t) => {
  const { bearer, reasons } = resolverWith({ jwtSecret: SECRET, jwtClaim: 'org', jwtIssuer: 'https://id.example', jwtAudience: 'livery' });
  const signed = (payload: JWTPayload) => hs256(payload);
  t.equal((await bearer(await signed({ org: 'acme', iss: 'https://id.example', aud: 'livery' })))?.tenantId, 'acme');
  t.equal(await bearer(await signed({ org: 'acme', iss: 'https://evil.example', aud: 'livery' })), null);
  t.equal(await bearer(await signed({ org: 'acme', iss: 'https://id.example' })), null);
  t.equal(await bearer(await signed({ tenant_id: 'acme', iss: 'https://id.example', aud: 'livery' })), null, 'only the configured claim');
  t.same(reasons, ['claims', 'claims', 'tenant']);
});

t.test('an invalid key throws at creation', async (t) => {
  t.throws(() => createJwtResolver({}), /no key/);
  t.throws(() => createJwtResolver({ jwtSecret: 'short' }), /bytes/);
});
