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
 * Signed with node:crypto's synchronous HMAC (OpenSSL), not WebCrypto: WebCrypto's HMAC hops
 * through the thread pool and cost ~70–100 µs per sign or verify here — most of a socket join —
 * against a few µs (docs/design.md, D12).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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

/** The one header Livery issues and accepts: pinning it pins the algorithm (no `none`, no RS/HS confusion). */
const HEADER = Buffer.from('{"alg":"HS256"}').toString('base64url');
const MAX_TOKEN_LENGTH = 4096;

export class TokenSigner {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;

  constructor(secret: Uint8Array, ttlSeconds: number) {
    this.#key = secret;
    this.#ttlSeconds = ttlSeconds;
  }

  sign(claims: JoinClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const payload: Payload & { iat: number; exp: number } = {
      v: claims.view, i: claims.instance, p: claims.params, s: claims.session, t: claims.tenant, iat: now, exp: now + this.#ttlSeconds,
    };
    if (claims.url !== undefined) payload.u = claims.url;
    const input = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${this.#mac(input).toString('base64url')}`;
  }

  /** The claims, or a LiveryError LV_TOKEN_EXPIRED / LV_TOKEN_INVALID. */
  verify(token: unknown): JoinClaims {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new LiveryError('LV_TOKEN_INVALID', 'not a token');
    const [header, body, signature, extra] = token.split('.');
    if (header !== HEADER || body === undefined || signature === undefined || extra !== undefined) throw new LiveryError('LV_TOKEN_INVALID', 'format');
    const given = decodeCanonical(signature);
    const expected = this.#mac(`${header}.${body}`);
    if (given === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LiveryError('LV_TOKEN_INVALID', 'signature');
    const bodyBytes = decodeCanonical(body);
    if (bodyBytes === undefined) throw new LiveryError('LV_TOKEN_INVALID', 'claims encoding');
    let payload: Partial<Payload> & { exp?: unknown };
    try {
      payload = JSON.parse(bodyBytes.toString('utf8'));
    } catch {
      throw new LiveryError('LV_TOKEN_INVALID', 'claims');
    }
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new LiveryError('LV_TOKEN_INVALID', 'no expiry');
    if (payload.exp <= Date.now() / 1000) throw new LiveryError('LV_TOKEN_EXPIRED');
    const { v, i, p, s, t, u } = payload;
    if (typeof v !== 'string' || typeof i !== 'string' || typeof s !== 'string' || typeof t !== 'string' || !isParams(p) || (u !== undefined && typeof u !== 'string')) {
      throw new LiveryError('LV_TOKEN_INVALID', 'claims');
    }
    return u === undefined ? { view: v, instance: i, params: p, session: s, tenant: t } : { view: v, instance: i, params: p, session: s, tenant: t, url: u };
  }

  #mac(input: string): Buffer {
    return createHmac('sha256', this.#key).update(input).digest();
  }
}

/**
 * Decodes a token segment only in its one canonical form: unpadded base64url with zero trailing
 * bits. Node's decoder is lenient (it skips spaces and `=`, takes `+/` too, ignores trailing
 * bits), so many strings decode to the same bytes; accepting them all would let one token be
 * spelled many ways (a replay that dodges any cache or log keyed by the token text). Re-encoding
 * and comparing rejects every other spelling.
 */
function decodeCanonical(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

function isParams(value: unknown): value is Params {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

export { loadSecret } from './secret.ts';
