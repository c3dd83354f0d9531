/**
 * Compact JWS (RFC 7515) with HMAC-SHA256 and one pinned header: the format of Livery's join
 * tokens and upload tokens. Pinning the header pins the algorithm (no `none`, no RS/HS
 * confusion), and each kind of token pins its own, so one is never accepted as another.
 *
 * Segments are accepted only in their one canonical spelling: unpadded base64url with zero
 * trailing bits. Node's decoder is lenient (it skips spaces and `=`, takes `+/` too, ignores
 * trailing bits), so many strings decode to the same bytes; accepting them all would let one
 * token be spelled many ways (a replay that dodges any cache or log keyed by the token text).
 *
 * Signed with node:crypto's synchronous HMAC (OpenSSL), not WebCrypto: WebCrypto's HMAC hops
 * through the thread pool and cost ~70–100 µs per sign or verify here, against a few µs (D12).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a token was refused; each kind of token maps these to its own error code. */
export type JwsProblem = 'not a token' | 'format' | 'signature' | 'claims encoding' | 'claims' | 'no expiry' | 'expired';

export type JwsResult = { readonly payload: Record<string, unknown> } | { readonly problem: JwsProblem };

export class CompactJws {
  readonly #key: Uint8Array;
  readonly #header: string;
  readonly #maxLength: number;

  /** `header` is the JSON header this kind of token carries, e.g. `{"alg":"HS256"}`. */
  constructor(key: Uint8Array, header: string, maxLength: number) {
    this.#key = key;
    this.#header = Buffer.from(header).toString('base64url');
    this.#maxLength = maxLength;
  }

  /** Signs `payload` with `iat` and `exp` (now + `ttlSeconds`) added. */
  sign(payload: Record<string, unknown>, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const input = `${this.#header}.${Buffer.from(JSON.stringify({ ...payload, iat: now, exp: now + ttlSeconds })).toString('base64url')}`;
    return `${input}.${this.#mac(input).toString('base64url')}`;
  }

  /** The payload of a well-formed, correctly signed, unexpired token; else why not. */
  verify(token: unknown): JwsResult {
    if (typeof token !== 'string' || token.length > this.#maxLength) return { problem: 'not a token' };
    const [header, body, signature, extra] = token.split('.');
    if (header !== this.#header || body === undefined || signature === undefined || extra !== undefined) return { problem: 'format' };
    const given = decodeCanonical(signature);
    const expected = this.#mac(`${header}.${body}`);
    if (given === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'signature' };
    const bytes = decodeCanonical(body);
    if (bytes === undefined) return { problem: 'claims encoding' };
    let payload: unknown;
    try {
      payload = JSON.parse(bytes.toString('utf8'));
    } catch {
      return { problem: 'claims' };
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { problem: 'claims' };
    const { exp } = payload as { exp?: unknown };
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { problem: 'no expiry' };
    if (exp <= Date.now() / 1000) return { problem: 'expired' };
    return { payload: payload as Record<string, unknown> };
  }

  #mac(input: string): Buffer {
    return createHmac('sha256', this.#key).update(input).digest();
  }
}

function decodeCanonical(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
