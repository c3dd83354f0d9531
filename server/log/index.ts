/**
 * What Livery's logs may carry: never a credential.
 *
 * Session ids, join tokens, cookies and Authorization headers are bearer secrets — whoever reads
 * one can act as its owner — and logs are read by more people and kept longer than the session
 * lives. So log lines name a session only by a short one-way tag, headers that carry
 * credentials are redacted wherever a serializer (the app's, or a future one) puts them, and
 * the places a secret hides in errors are scrubbed: ioredis's `command.args` (keys such as
 * `lv:session:<id>`, and values) and cookie or bearer text inside a message or stack.
 */
import { createHash } from 'node:crypto';

/** The replacement for every redacted value. */
export const REDACTED = '[redacted]';

/** Headers that carry credentials, lower-case as Node and uWS deliver them. */
const CREDENTIAL_HEADERS = ['cookie', 'set-cookie', 'authorization', 'proxy-authorization'];

/**
 * pino `redact` paths: the credential headers under `req`, `res` and a bare `headers`, at the top
 * level and one object down (`*.`) — where Fastify's and an app's own serializers put them.
 */
export const REDACT_PATHS: readonly string[] = ['req.headers', 'res.headers', 'request.headers', 'headers', '*.headers'].flatMap(
  (base) => CREDENTIAL_HEADERS.map((header) => `${base}["${header}"]`),
);

/** Cookie pairs and bearer credentials inside free text (an error message that quotes a header). */
const SECRET_TEXT = /\b(?:(lv_[a-z]+)=[^;\s"',\\]+|(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+)/gi;

/** Replaces Livery cookie values and bearer/basic credentials in text with {@link REDACTED}. */
export function scrubText(text: string): string {
  return text.replace(SECRET_TEXT, (_, cookie: string | undefined, scheme: string | undefined) =>
    cookie !== undefined ? `${cookie}=${REDACTED}` : `${scheme} ${REDACTED}`);
}

export interface LoggerOptions {
  level: string;
  redact: { paths: string[]; censor: string };
  hooks: { streamWrite: (line: string) => string };
}

/**
 * The pino options Livery's own server uses; an app that builds its own Fastify with
 * `serverFactory` should spread them into its `logger` option to get the same guarantees.
 * Redaction runs on serialized values, so `err.command.args` catches ioredis's ReplyError after
 * pino's error serializer; the stream hook scrubs each finished line, whatever put the text there.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: [...REDACT_PATHS, 'err.command.args', '*.command.args'], censor: REDACTED },
    hooks: { streamWrite: scrubText },
  };
}
