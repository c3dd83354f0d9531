import { createHmac } from 'node:crypto';
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

t.test('only canonical unpadded base64url is accepted: one token has exactly one spelling', async (t) => {
  const token = signer.sign(claims);
  const [header, body, signature] = token.split('.') as [string, string, string];
  t.equal(codeOf(() => signer.verify(`${header}.${body}.${signature}`)), 'accepted', 'the canonical token');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Same bytes, another spelling: flip trailing bits the decoder ignores (a 32-byte MAC in 43
  // characters leaves 2 spare bits in the last one).
  const sameBytes = (segment: string) => {
    const last = alphabet.indexOf(segment.at(-1)!);
    const spare = (segment.length * 6) % 8;
    for (let bits = 1; bits < 1 << spare; bits++) {
      const candidate = segment.slice(0, -1) + alphabet[last ^ bits];
      if (Buffer.from(candidate, 'base64url').equals(Buffer.from(segment, 'base64url'))) return candidate;
    }
    throw new Error('segment has no spare bits');
  };
  const standard = (segment: string) => segment.replaceAll('-', '+').replaceAll('_', '/');
  // Find a token whose signature needs '-' or '_' so the standard-alphabet spelling differs.
  let alt = token;
  for (let n = 0; !/[-_]/.test(alt.split('.')[2]!) && n < 200; n++) alt = signer.sign({ ...claims, instance: `i${n}` });
  const [, altBody, altSig] = alt.split('.') as [string, string, string];
  t.not(standard(altSig), altSig, 'found a signature with a url-safe character');
  const variants: Record<string, string> = {
    'padded signature (sig=)': `${header}.${body}.${signature}=`,
    'signature with embedded space': `${header}.${body}.${signature.slice(0, 10)} ${signature.slice(10)}`,
    'signature in standard base64 (+/)': `${header}.${altBody}.${standard(altSig)}`,
    'signature with non-zero trailing bits': `${header}.${body}.${sameBytes(signature)}`,
    'padded payload': `${header}.${body}${'='.repeat((4 - (body.length % 4)) % 4 || 1)}.${signature}`,
    'payload with embedded space': `${header}.${body.slice(0, 5)} ${body.slice(5)}.${signature}`,
    'padded header': `${header}=.${body}.${signature}`,
  };
  if ((body.length * 6) % 8 !== 0) variants['payload with non-zero trailing bits'] = `${header}.${sameBytes(body)}.${signature}`;
  for (const [name, variant] of Object.entries(variants)) {
    t.equal(codeOf(() => signer.verify(variant)), 'LV_TOKEN_INVALID', name);
  }
  // The signature covers the payload's text, so a respelled payload also fails the MAC; to prove the
  // payload's own canonical check, sign the respelled text with the right key (as a lenient
  // issuer might).
  const mac = (input: string) => createHmac('sha256', secret).update(input).digest('base64url');
  const signed = (payload: string) => `${header}.${payload}.${mac(`${header}.${payload}`)}`;
  const urlSafeBody = signer.sign({ ...claims, instance: '???>>>~~~' }).split('.')[1]!; // '?' and '>' encode to '_' and '-'
  t.not(standard(urlSafeBody), urlSafeBody, 'found a payload with a url-safe character');
  const respelled: Record<string, string> = {
    'payload padded': `${body}${'='.repeat((4 - (body.length % 4)) % 4 || 1)}`,
    'payload with embedded space': `${body.slice(0, 5)} ${body.slice(5)}`,
    'payload in standard base64 (+/)': standard(urlSafeBody),
  };
  if ((body.length * 6) % 8 !== 0) respelled['payload with non-zero trailing bits'] = sameBytes(body);
  for (const [name, payload] of Object.entries(respelled)) {
    t.equal(codeOf(() => signer.verify(signed(payload))), 'LV_TOKEN_INVALID', `${name}, validly signed`);
  }
  t.equal(codeOf(() => signer.verify(signed(body))), 'accepted', 'the canonical payload signed the same way');
});
