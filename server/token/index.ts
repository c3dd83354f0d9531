/**
 * Signed join tokens: what a page hands its socket so the socket can adopt the state the HTTP
 * render produced, and what a reconnecting client presents to resume.
 *
 * A token is a compact JWS (HS256, via `jose`) with an expiry. It names the view, its instance
 * (the state key), the route params (to mount afresh once the state expired), the browser
 * session it was issued to and the tenant. Nothing in it is secret; everything in it is trusted
 * only because the signature verifies.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LiveryError } from '../errors.ts';
import type { Params } from '../view/live-view.ts';

export interface JoinClaims {
  /** View id (the routed class's name). */
  readonly view: string;
  /** Instance id: names the saved state. */
  readonly instance: string;
  readonly params: Params;
  /** Session id the token was issued to; the socket's session must match. */
  readonly session: string;
  readonly tenant: string;
}

interface Payload {
  v: string;
  i: string;
  p: Params;
  s: string;
  t: string;
}

export class TokenSigner {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;

  constructor(secret: Uint8Array, ttlSeconds: number) {
    this.#key = secret;
    this.#ttlSeconds = ttlSeconds;
  }

  sign(claims: JoinClaims): Promise<string> {
    const payload: Payload = { v: claims.view, i: claims.instance, p: claims.params, s: claims.session, t: claims.tenant };
    return new SignJWT({ ...payload })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.#ttlSeconds)
      .sign(this.#key);
  }

  /** The claims, or a LiveryError LV_TOKEN_EXPIRED / LV_TOKEN_INVALID. */
  async verify(token: unknown): Promise<JoinClaims> {
    if (typeof token !== 'string' || token.length > 4096) throw new LiveryError('LV_TOKEN_INVALID', 'not a token');
    let payload: Partial<Payload>;
    try {
      ({ payload } = await jwtVerify<Payload>(token, this.#key, { algorithms: ['HS256'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new LiveryError('LV_TOKEN_EXPIRED');
      throw new LiveryError('LV_TOKEN_INVALID', 'signature or format');
    }
    const { v, i, p, s, t } = payload;
    if (typeof v !== 'string' || typeof i !== 'string' || typeof s !== 'string' || typeof t !== 'string' || !isParams(p)) {
      throw new LiveryError('LV_TOKEN_INVALID', 'claims');
    }
    return { view: v, instance: i, params: p, session: s, tenant: t };
  }
}

function isParams(value: unknown): value is Params {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

export { loadSecret } from './secret.ts';
