/**
 * The compact JWS behind join and upload tokens: a token verifies only with its own key and its
 * own header, in its one canonical spelling, before it expires.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CompactJws } from '../../server/signing/index.ts';
import { TokenSigner } from '../../server/token/index.ts';
import { UploadTokens } from '../../server/uploads/token.ts';

const key = randomBytes(32);
const jws = new CompactJws(key, '{"alg":"HS256"}', 4096);

t.test('a signed payload verifies, with iat and exp added', async (t) => {
  const result = jws.verify(jws.sign({ a: 1 }, 60));
  t.ok('payload' in result);
  if ('payload' in result) {
    t.equal(result.payload.a, 1);
    t.equal((result.payload.exp as number) - (result.payload.iat as number), 60);
  }
});

t.test('another key, another header, a changed byte, another spelling or an old token is refused, saying why', async (t) => {
  const token = jws.sign({ a: 1 }, 60);
  const [header, body, signature] = token.split('.');
  t.same(new CompactJws(randomBytes(32), '{"alg":"HS256"}', 4096).verify(token), { problem: 'signature' });
  t.same(new CompactJws(key, '{"alg":"HS256","typ":"x"}', 4096).verify(token), { problem: 'format' });
  t.same(jws.verify(`${header}.${body}x.${signature}`), { problem: 'signature' });
  t.same(jws.verify(`${token}=`), { problem: 'signature' }, 'padding');
  t.same(jws.verify(`${header}.${body}.${signature.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(signature) ? '' : ' '}`), { problem: 'signature' }, 'standard base64 or a space');
  t.same(jws.verify(`${token}.x`), { problem: 'format' });
  t.same(jws.verify('x'.repeat(5000)), { problem: 'not a token' });
  t.same(jws.verify(42), { problem: 'not a token' });
  t.same(jws.verify(jws.sign({ a: 1 }, -1)), { problem: 'expired' });
});

t.test('a join token is not an upload token, nor the other way round, under the same app secret', async (t) => {
  const secret = randomBytes(32);
  const join = new TokenSigner(secret, 60).sign({ view: 'V', instance: 'i', params: {}, session: 's', tenant: 't' });
  const uploads = new UploadTokens(secret, 60);
  t.throws(() => uploads.verify(join), { code: 'LV_UPLOAD_TOKEN_INVALID' });
  const upload = uploads.sign({ id: 'x', tenant: 't', session: 's', view: 'V', field: 'f', size: 1, name: 'a.txt' });
  t.throws(() => new TokenSigner(secret, 60).verify(upload), { code: 'LV_TOKEN_INVALID' });
  t.equal(uploads.verify(upload).name, 'a.txt');
});
