import { errors as joseErrors, jwtVerify } from 'jose';
import { jwtKeyOf } from './jwt-key.ts';
import { claimOf } from './slug.ts';
import type { TenantResolver } from './types.ts';

export interface JwtResolverOptions {
  /** HS256 secret (at least 32 bytes); or */
  readonly jwtSecret?: string;
  /** RSA, EC or Ed25519 public key, PEM SPKI. */
  readonly jwtPublicKey?: string;
  /** Claim holding the tenant id (default `tenant_id`). */
  readonly jwtClaim?: string;
  /** Cookie read when there is no `Authorization: Bearer` header (default `lv_jwt`). */
  readonly jwtCookie?: string;
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  /** Told why a token that was present was refused, for logging (never the token itself). */
  readonly onReject?: (reason: JwtRejectReason) => void;
}

/**
 * Why a token was refused: `malformed` (not a JWS/JWT), `algorithm` (an alg the key does not
 * allow, `none` included), `signature`, `expired`, `claims` (no `exp`, or iss/aud/nbf not
 * satisfied), `tenant` (the tenant claim is missing or not a slug).
 */
export type JwtRejectReason = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'claims' | 'tenant';

export const DEFAULT_JWT_CLAIM = 'tenant_id';
export const DEFAULT_JWT_COOKIE = 'lv_jwt';

/** Longest token read; anything longer is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * A JWT from `Authorization: Bearer …` (or the cookie) → its tenant claim, with `sub` as the
 * user. The signature, the algorithm (fixed by the key) and the expiry (`exp` is required) are
 * verified; a token that fails any of it resolves to null — never an exception — and
 * `onReject` says why. The tenant is still a claim: it needs the user's membership.
 *
 * @throws at creation when the key is missing or invalid (startup checks report it first).
 */
export function createJwtResolver(options: JwtResolverOptions): TenantResolver {
  const jwtKey = jwtKeyOf(options.jwtSecret, options.jwtPublicKey);
  if (typeof jwtKey === 'string') throw new Error(jwtKey);
  const claim = options.jwtClaim ?? DEFAULT_JWT_CLAIM;
  const cookie = options.jwtCookie ?? DEFAULT_JWT_COOKIE;
  const verifyOptions = {
    algorithms: [...jwtKey.algorithms],
    requiredClaims: ['exp'],
    ...(options.jwtIssuer !== undefined && { issuer: options.jwtIssuer }),
    ...(options.jwtAudience !== undefined && { audience: options.jwtAudience }),
  };
  const reject = (reason: JwtRejectReason) => {
    options.onReject?.(reason);
    return null;
  };
  return async (request) => {
    const token = bearerToken(request.header('authorization')) ?? request.cookie(cookie);
    if (token === undefined || token === '') return null;
    if (token.length > MAX_TOKEN_LENGTH) return reject('malformed');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwtKey.key, verifyOptions));
    } catch (error) {
      return reject(reasonOf(error));
    }
    const userId = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    return claimOf(payload[claim], 'jwt', true, userId) ?? reject('tenant');
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
  return match?.[1];
}

function reasonOf(error: unknown): JwtRejectReason {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return 'claims';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature';
  return 'malformed';
}
