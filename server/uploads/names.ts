/**
 * File names as the browser reports them. A name is shown to users and handed to the app; it is
 * never part of a path (bytes are stored under a random id), but a name that tries to be one —
 * `../../etc/passwd`, `C:\x`, a NUL — is refused outright (LV_UPLOAD_NAME_INVALID), so no app
 * code that later joins it to a directory can be tricked either.
 */

/** Longest name in UTF-8 bytes (most file systems allow 255). */
export const MAX_NAME_BYTES = 255;

export function validFileName(name: unknown): name is string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..') return false;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return false;
  // Separators of any platform, NUL and other control characters.
  return !/[/\\\u0000-\u001f\u007f]/.test(name) && name.trim() === name;
}
