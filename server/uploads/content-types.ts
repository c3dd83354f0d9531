/**
 * File types by name and by content. A file is accepted only when the type its name implies is
 * in the field's `accept` list and its first bytes (magic bytes) agree with that name: a
 * `report.pdf` that starts with an ELF header, or a PNG renamed `notes.txt`, is refused.
 *
 * Types without a signature (text) are recognised by their content being UTF-8 text without NUL
 * or other binary control bytes. Anything else is `application/octet-stream`, accepted only by a
 * field that accepts `*\/*` or that type.
 */

interface Known {
  readonly mime: string;
  readonly ext: readonly string[];
  /** Bytes at `at` (default 0); undefined for text types, recognised by content. */
  readonly magic?: ReadonlyArray<{ readonly at?: number; readonly bytes: readonly number[] }>;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const KNOWN: readonly Known[] = [
  { mime: 'image/png', ext: ['.png'], magic: [{ bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }] },
  { mime: 'image/jpeg', ext: ['.jpg', '.jpeg'], magic: [{ bytes: [0xff, 0xd8, 0xff] }] },
  { mime: 'image/gif', ext: ['.gif'], magic: [{ bytes: ascii('GIF87a') }, { bytes: ascii('GIF89a') }] },
  { mime: 'image/webp', ext: ['.webp'], magic: [{ bytes: ascii('RIFF') }, { at: 8, bytes: ascii('WEBP') }] },
  { mime: 'application/pdf', ext: ['.pdf'], magic: [{ bytes: ascii('%PDF-') }] },
  { mime: 'application/zip', ext: ['.zip'], magic: [{ bytes: [0x50, 0x4b, 0x03, 0x04] }] },
  { mime: 'application/gzip', ext: ['.gz', '.tgz'], magic: [{ bytes: [0x1f, 0x8b] }] },
  { mime: 'video/mp4', ext: ['.mp4', '.m4v'], magic: [{ at: 4, bytes: ascii('ftyp') }] },
  { mime: 'audio/mpeg', ext: ['.mp3'], magic: [{ bytes: ascii('ID3') }] },
  { mime: 'text/plain', ext: ['.txt', '.log'] },
  { mime: 'text/markdown', ext: ['.md'] },
  { mime: 'text/csv', ext: ['.csv'] },
  { mime: 'application/json', ext: ['.json'] },
];

export const ANY_TYPE = '*/*';
export const OCTET_STREAM = 'application/octet-stream';
/** Bytes the content check reads (and the first write must bring, unless the file is shorter). */
export const SNIFF_BYTES = 4096;

const byExt = new Map<string, Known>(KNOWN.flatMap((k) => k.ext.map((e) => [e, k] as const)));
const byMime = new Map<string, Known>(KNOWN.map((k) => [k.mime, k]));

/** The type a file name implies (by its extension), or application/octet-stream. */
export function typeOfName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? OCTET_STREAM : (byExt.get(name.slice(dot).toLowerCase())?.mime ?? OCTET_STREAM);
}

/** True when `mime` is allowed by an `accept` list (types, `family/*`, `.ext`, `*\/*`). */
export function accepts(accept: readonly string[], mime: string): boolean {
  for (const entry of accept) {
    const a = entry.toLowerCase();
    if (a === ANY_TYPE || a === mime) return true;
    if (a.endsWith('/*') && mime.startsWith(a.slice(0, -1))) return true;
    if (a.startsWith('.') && byExt.get(a)?.mime === mime) return true;
  }
  return false;
}

/** True when an `accept` entry is well-formed: `type/subtype`, `type/*`, `*\/*` or a known `.ext`. */
export function validAcceptEntry(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  if (entry.startsWith('.')) return byExt.has(entry.toLowerCase());
  return /^([a-z0-9][a-z0-9!#$&^_.+-]*|\*)\/([a-z0-9][a-z0-9!#$&^_.+-]*|\*)$/i.test(entry) && !(entry.startsWith('*/') && entry !== ANY_TYPE);
}

/** The `accept` attribute for a file input: the extensions and types of the list. */
export function acceptAttribute(accept: readonly string[]): string {
  return accept.includes(ANY_TYPE) ? '' : accept.join(',');
}

/** The content's type from its first bytes (at most SNIFF_BYTES of them). */
export function detectType(head: Uint8Array): string {
  for (const known of KNOWN) {
    if (known.magic !== undefined && known.magic.every(({ at = 0, bytes }) => bytes.every((b, i) => head[at + i] === b))) return known.mime;
  }
  return looksLikeText(head) ? 'text/plain' : OCTET_STREAM;
}

/**
 * Does the content agree with the type its name implies? A signature type must be detected as
 * itself; a text type (no signature) accepts any text content; application/octet-stream (an
 * unknown name) takes whatever was detected — the accept list still has to allow that.
 */
export function contentMatches(nameType: string, detected: string): boolean {
  if (nameType === detected || nameType === OCTET_STREAM) return true;
  const known = byMime.get(nameType);
  return known !== undefined && known.magic === undefined && detected === 'text/plain';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 without NUL or C0 controls other than tab, newline, carriage return and form feed. */
function looksLikeText(head: Uint8Array): boolean {
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) || b === 0x7f) return false;
  // A multi-byte character cut at the end of the window is still text.
  for (let cut = 0; cut < 4 && cut < head.length + 1; cut++) {
    try {
      utf8.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try a shorter window
    }
  }
  return false;
}
