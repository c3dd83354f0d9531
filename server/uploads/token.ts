/**
 * Upload tokens: what a live view hands its page for each file it agreed to take, and what every
 * tus request must carry (`Authorization: Bearer …`). A token names the upload id, the tenant, the
 * session (by tag), the view and field, and the file's declared size and name; the HTTP side
 * accepts it only on a request whose own tenant and session are the same.
 *
 * The format is the join token's (compact JWS, HS256, `exp`), with a key derived from the app
 * secret for this one purpose, so a join token is never accepted as an upload token or back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LiveryError } from '../errors.ts';

export interface UploadClaims {
  readonly id: string;
  readonly tenant: string;
  /** The session's tag (sessionTag). */
  readonly session: string;
  readonly view: string;
  readonly field: string;
  readonly size: number;
  readonly name: string;
}

const HEADER = Buffer.from('{"alg":"HS256","typ":"lv-upload"}').toString('base64url');
const MAX_TOKEN_LENGTH = 2048;

export class UploadTokens {
  readonly #key: Buffer;
  readonly #ttlSeconds: number;

  constructor(secret: Uint8Array, ttlSeconds: number) {
    this.#key = createHmac('sha256', secret).update('livery upload tokens').digest();
    this.#ttlSeconds = ttlSeconds;
  }

  sign(claims: UploadClaims): string {
    const exp = Math.floor(Date.now() / 1000) + this.#ttlSeconds;
    const body = Buffer.from(JSON.stringify({ ...claims, exp })).toString('base64url');
    const input = `${HEADER}.${body}`;
    return `${input}.${this.#mac(input).toString('base64url')}`;
  }

  /** The claims, or LV_UPLOAD_TOKEN_INVALID (bad, foreign or expired token). */
  verify(token: unknown): UploadClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'no token');
    const [header, body, signature, extra] = token.split('.');
    if (header !== HEADER || body === undefined || signature === undefined || extra !== undefined) throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'format');
    const given = Buffer.from(signature, 'base64url');
    const expected = this.#mac(`${header}.${body}`);
    if (given.toString('base64url') !== signature || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'signature');
    }
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<UploadClaims> & { exp?: unknown };
    if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'expired');
    const { id, tenant, session, view, field, size, name } = claims;
    if (typeof id !== 'string' || typeof tenant !== 'string' || typeof session !== 'string' || typeof view !== 'string'
      || typeof field !== 'string' || typeof size !== 'number' || typeof name !== 'string') throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'claims');
    return { id, tenant, session, view, field, size, name };
  }

  #mac(input: string): Buffer {
    return createHmac('sha256', this.#key).update(input).digest();
  }
}
