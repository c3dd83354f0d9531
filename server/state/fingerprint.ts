import { hash } from 'node:crypto';

/** States this short are kept as they are: no hashing, and no larger than a digest. */
const KEPT_AS_IS = 64;

/**
 * What a live view remembers of the state its last write-through save stored, so that a save of
 * the very same state — a handler that wrote back the value already there, read an object without
 * changing it, or changed something and changed it back — sends nothing to Redis (D64).
 *
 * Exact: a short state is its own fingerprint; a longer one is its SHA-256 (a collision would
 * skip a save that changed something, which no accident produces). A view keeps one fingerprint,
 * about 60 bytes, however large its state; JSON states start with `{`, which base64 never holds,
 * so the two kinds cannot be confused.
 */
export function stateFingerprint(value: string): string {
  return value.length <= KEPT_AS_IS ? value : hash('sha256', value, 'base64');
}
