import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Secrets shorter than this are refused (startup check livery.C002). */
export const MIN_SECRET_LENGTH = 32;

/**
 * The app secret: from configuration when given; in development generated once and kept in
 * `file` (git-ignored) so tokens survive restarts; never generated in production, where every
 * process must share the configured one (startup check livery.C001).
 */
export function loadSecret(options: { secret: string | undefined; file: string }): Uint8Array {
  if (options.secret) return new TextEncoder().encode(options.secret);
  try {
    return new TextEncoder().encode(readFileSync(options.file, 'utf8').trim());
  } catch {
    const secret = randomBytes(48).toString('base64url');
    mkdirSync(dirname(options.file), { recursive: true });
    writeFileSync(options.file, secret + '\n', { mode: 0o600 });
    chmodSync(options.file, 0o600);
    return new TextEncoder().encode(secret);
  }
}
