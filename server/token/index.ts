/**
 * Signed join tokens: what a page hands its socket so the socket can adopt the state the HTTP
 * render produced, and what a reconnecting client presents to resume.
 *
 * A token is a standard compact JWS — `{"alg":"HS256"}` header, JSON claims with `exp` — so any
 * JWT library can read it (a test checks jose verifies ours and we verify jose's). It names the
 * view, its instance (the state key), the route params (to mount afresh once the state
 * expired), the browser session it was issued to and the tenant. Nothing in it is secret;
 * everything in it is trusted only because the signature verifies.
 *
 * The format and its checks (one pinned header, canonical base64url, `exp`) are
 * server/signing's, shared with upload tokens.
 */
import { LiveryError } from '../errors.ts';
import { CompactJws } from '../signing/index.ts';
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
  /**
   * The URL the page (or navigate) rendered the view at, path and query. Only tokens a render
   * issues carry it: a first join at that same URL adopts a state that already reflects it.
   */
  readonly url?: string;
}

interface Payload {
  v: string;
  i: string;
  p: Params;
  s: string;
  t: string;
  u?: string;
}

/** The one header Livery issues and accepts for join tokens. */
const HEADER = '{"alg":"HS256"}';
const MAX_TOKEN_LENGTH = 4096;

export class TokenSigner {
  readonly #jws: CompactJws;
  readonly #ttlSeconds: number;

  constructor(secret: Uint8Array, ttlSeconds: number) {
    this.#jws = new CompactJws(secret, HEADER, MAX_TOKEN_LENGTH);
    this.#ttlSeconds = ttlSeconds;
  }

  sign(claims: JoinClaims): string {
    const payload: Payload = { v: claims.view, i: claims.instance, p: claims.params, s: claims.session, t: claims.tenant };
    if (claims.url !== undefined) payload.u = claims.url;
    return this.#jws.sign({ ...payload }, this.#ttlSeconds);
  }

  /** The claims, or a LiveryError LV_TOKEN_EXPIRED / LV_TOKEN_INVALID. */
  verify(token: unknown): JoinClaims {
    const result = this.#jws.verify(token);
    if ('problem' in result) throw result.problem === 'expired' ? new LiveryError('LV_TOKEN_EXPIRED') : new LiveryError('LV_TOKEN_INVALID', result.problem);
    const { v, i, p, s, t, u } = result.payload as Partial<Payload>;
    if (typeof v !== 'string' || typeof i !== 'string' || typeof s !== 'string' || typeof t !== 'string' || !isParams(p) || (u !== undefined && typeof u !== 'string')) {
      throw new LiveryError('LV_TOKEN_INVALID', 'claims');
    }
    return u === undefined ? { view: v, instance: i, params: p, session: s, tenant: t } : { view: v, instance: i, params: p, session: s, tenant: t, url: u };
  }
}

function isParams(value: unknown): value is Params {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

export { loadSecret } from './secret.ts';
