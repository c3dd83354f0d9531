/**
 * The key a tenant JWT is verified with, and the algorithms it allows. The algorithm list is
 * derived from the key, never from the token: an HS256 secret accepts only HS256, an EC P-256
 * key only ES256, and `alg: none` nothing — so a token cannot pick its own verification.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

export interface JwtKey {
  readonly key: Uint8Array | KeyObject;
  readonly algorithms: readonly string[];
}

/** Shortest HS256 secret accepted (bytes of UTF-8), as for the app secret. */
export const MIN_JWT_SECRET_LENGTH = 32;

const EC_ALGORITHMS: Readonly<Record<string, string>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** The key, or a sentence saying what is wrong with the configuration. */
export function jwtKeyOf(secret: string | undefined, publicKeyPem: string | undefined): JwtKey | string {
  if (secret !== undefined && publicKeyPem !== undefined) return 'both a JWT secret and a JWT public key are set; set one';
  if (secret !== undefined) {
    const bytes = new TextEncoder().encode(secret);
    if (bytes.length < MIN_JWT_SECRET_LENGTH) return `the JWT secret has ${bytes.length} bytes (at least ${MIN_JWT_SECRET_LENGTH} needed)`;
    return { key: bytes, algorithms: ['HS256'] };
  }
  if (publicKeyPem !== undefined) return publicKeyOf(publicKeyPem);
  return 'the jwt resolver has no key: set LIVERY_TENANT_JWT_SECRET or LIVERY_TENANT_JWT_PUBLIC_KEY';
}

function publicKeyOf(text: string): JwtKey | string {
  // Environment variables often carry a PEM with its newlines escaped.
  const pem = text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
  if (!pem.includes('-----BEGIN PUBLIC KEY-----')) return 'the JWT public key is not a PEM SPKI public key (-----BEGIN PUBLIC KEY-----)';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    return `the JWT public key cannot be parsed: ${(error as Error).message}`;
  }
  const algorithms = algorithmsOf(key);
  return algorithms ? { key, algorithms } : `the JWT public key type (${key.asymmetricKeyType}) is not supported: use RSA, EC (P-256/384/521) or Ed25519`;
}

function algorithmsOf(key: KeyObject): readonly string[] | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : undefined;
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return undefined;
  }
}
