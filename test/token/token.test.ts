import { jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import t from 'tap';
import { LiveryError } from '../../server/errors.ts';
import { TokenSigner } from '../../server/token/index.ts';

const secret = new TextEncoder().encode('token-test-secret-token-test-secret-0123');
const signer = new TokenSigner(secret, 60);
const claims = { view: 'CounterView', instance: 'abc123', params: { id: '7' }, session: 'sess', tenant: 'acme' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return (error as LiveryError).code;
  }
};

t.test('round trip', async (t) => {
  t.same(signer.verify(signer.sign(claims)), claims);
});

t.test('a standard JWS: jose verifies ours, and we verify jose\'s', async (t) => {
  const { payload, protectedHeader } = await jwtVerify(signer.sign(claims), secret, { algorithms: ['HS256'] });
  t.same(protectedHeader, { alg: 'HS256' });
  t.match(payload, { v: 'CounterView', i: 'abc123', p: { id: '7' }, s: 'sess', t: 'acme' });
  t.ok((payload.exp as number) - (payload.iat as number) === 60, 'expiry is the configured TTL');
  const fromJose = await new SignJWT({ v: 'CounterView', i: 'abc123', p: { id: '7' }, s: 'sess', t: 'acme' })
    .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(secret);
  t.same(signer.verify(fromJose), claims);
});

t.test('forgeries and junk are LV_TOKEN_INVALID', async (t) => {
  const token = signer.sign(claims);
  const [header, body, signature] = token.split('.');
  const otherBody = Buffer.from(JSON.stringify({ v: 'CounterView', i: 'x', p: {}, s: 'sess', t: 'globex', exp: 9e9 })).toString('base64url');
  t.equal(codeOf(() => signer.verify(`${header}.${otherBody}.${signature}`)), 'LV_TOKEN_INVALID', 'claims swapped under the old signature');
  t.equal(codeOf(() => signer.verify(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))), 'LV_TOKEN_INVALID', 'signature altered');
  t.equal(codeOf(() => new TokenSigner(new TextEncoder().encode('another-secret-another-secret-another'), 60).verify(token)), 'LV_TOKEN_INVALID', 'another secret');
  t.equal(codeOf(() => signer.verify(new UnsecuredJWT({ v: 'CounterView', i: 'x', p: {}, s: 'sess', t: 'acme' }).setExpirationTime('1h').encode())), 'LV_TOKEN_INVALID', 'alg: none');
  const hs512 = await new SignJWT({ ...{ v: 'CounterView', i: 'x', p: {}, s: 'sess', t: 'acme' } }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(secret);
  t.equal(codeOf(() => signer.verify(hs512)), 'LV_TOKEN_INVALID', 'another algorithm');
  for (const junk of [42, '', 'a.b', 'a.b.c.d', `${header}.${body}`, 'x'.repeat(5000), `${header}.!!!.${signature}`]) {
    t.equal(codeOf(() => signer.verify(junk)), 'LV_TOKEN_INVALID', `junk ${JSON.stringify(junk).slice(0, 30)}`);
  }
  const noExp = await new SignJWT({ v: 'CounterView', i: 'x', p: {}, s: 'sess', t: 'acme' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
  t.equal(codeOf(() => signer.verify(noExp)), 'LV_TOKEN_INVALID', 'a token without expiry');
  const badParams = await new SignJWT({ v: 'CounterView', i: 'x', p: { n: 1 }, s: 'sess', t: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret);
  t.equal(codeOf(() => signer.verify(badParams)), 'LV_TOKEN_INVALID', 'params must be strings');
});

t.test('expired tokens are LV_TOKEN_EXPIRED', async (t) => {
  const expired = await new SignJWT({ v: 'CounterView', i: 'x', p: {}, s: 'sess', t: 'acme' })
    .setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 1).sign(secret);
  t.equal(codeOf(() => signer.verify(expired)), 'LV_TOKEN_EXPIRED');
});
