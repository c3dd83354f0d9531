/**
 * Upload tokens: what a live view hands its page for each file it agreed to take, and what every
 * tus request must carry (`Authorization: Bearer …`). A token names the upload id, the tenant, the
 * session (by tag), the view and field, and the file's declared size and name; the HTTP side
 * accepts it only on a request whose own tenant and session are the same.
 *
 * The format is the join token's (compact JWS, HS256, `exp`: server/signing), with its own header
 * and a key derived from the app secret for this one purpose, so a join token is never accepted
 * as an upload token or back.
 */
import { createHmac } from 'node:crypto';
import { LiveryError } from '../errors.ts';
import { CompactJws } from '../signing/index.ts';

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

const HEADER = '{"alg":"HS256","typ":"lv-upload"}';
const MAX_TOKEN_LENGTH = 2048;

export class UploadTokens {
  readonly #jws: CompactJws;
  readonly #ttlSeconds: number;

  constructor(secret: Uint8Array, ttlSeconds: number) {
    this.#jws = new CompactJws(createHmac('sha256', secret).update('livery upload tokens').digest(), HEADER, MAX_TOKEN_LENGTH);
    this.#ttlSeconds = ttlSeconds;
  }

  sign(claims: UploadClaims): string {
    return this.#jws.sign({ ...claims }, this.#ttlSeconds);
  }

  /** The claims, or LV_UPLOAD_TOKEN_INVALID (bad, foreign or expired token). */
  verify(token: unknown): UploadClaims {
    const result = this.#jws.verify(token);
    if ('problem' in result) throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', result.problem);
    const { id, tenant, session, view, field, size, name } = result.payload as Partial<UploadClaims>;
    if (typeof id !== 'string' || typeof tenant !== 'string' || typeof session !== 'string' || typeof view !== 'string'
      || typeof field !== 'string' || typeof size !== 'number' || typeof name !== 'string') throw new LiveryError('LV_UPLOAD_TOKEN_INVALID', 'claims');
    return { id, tenant, session, view, field, size, name };
  }
}
