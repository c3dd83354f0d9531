/**
 * Block fingerprints: 62 bits of SHA-1 over the statics and the slot structure, in base 36
 * (at most 12 characters). Only the shape goes in, never values or source positions, so equal
 * blocks in two templates share a fingerprint (their statics are interchangeable on the client)
 * and the same template gives the same fingerprints in every process.
 */
import { createHash } from 'node:crypto';

export function fingerprint(statics: readonly string[], structure: readonly string[]): string {
  const digest = createHash('sha1').update(JSON.stringify([statics, structure])).digest();
  return (digest.readBigUInt64BE(0) >> 2n).toString(36);
}
