/**
 * What the protocol promises for one client frame, written from docs/protocol.md alone (not from
 * the server's decoder, so that the fuzzer checks the server against the document):
 *
 * - every text frame that is a JSON array `[2, type, ref, …]` with a positive integer ref is
 *   answered by exactly one `r` or `x` frame with that ref;
 * - anything else is answered by one `x` frame with ref 0 (malformed, wrong version, binary, too
 *   large) — except what uWebSockets.js drops before Livery sees it (invalid UTF-8, over four
 *   times the frame limit), which closes the connection without a close frame (1006);
 * - a frame over `socket.maxFrameBytes` is followed by close 1009, a wrong version by 4000.
 */
import { errors } from '../../server/errors.ts';

/** A frame as the fuzzer sends it: text (always valid UTF-8) or raw bytes. */
export type Outgoing = { readonly text: string } | { readonly bytes: Buffer; readonly binary: boolean };

export interface Expectation {
  /** The ref of the one answer this frame gets, or undefined when it gets none. */
  readonly ref: number | undefined;
  /** When the answer must be an error frame: its code. */
  readonly code?: string;
  /** The close that follows (the socket is done), if any. */
  readonly close?: number;
}

export interface Limits {
  readonly maxFrameBytes: number;
}

const TYPES = new Set(['j', 'e', 'p', 'n', 'l', 'h']);

export function byteLength(frame: Outgoing): number {
  return 'text' in frame ? Buffer.byteLength(frame.text) : frame.bytes.length;
}

export function expect(frame: Outgoing, limits: Limits): Expectation {
  const bytes = byteLength(frame);
  // uWS's own cap (4× the limit) drops the connection before Livery sees the frame.
  if (bytes > limits.maxFrameBytes * 4) return { ref: undefined, close: 1006 };
  if (bytes > limits.maxFrameBytes) return { ref: 0, code: 'LV_FRAME_TOO_LARGE', close: 1009 };
  let text: string;
  if ('text' in frame) {
    text = frame.text;
  } else {
    if (frame.binary) return { ref: 0, code: 'LV_BINARY_FRAME' };
    const decoded = decodeUtf8(frame.bytes);
    if (decoded === undefined) return { ref: undefined, close: 1006 };
    text = decoded;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ref: 0, code: 'LV_FRAME_MALFORMED' };
  }
  if (!Array.isArray(value) || value.length < 2) return { ref: 0, code: 'LV_FRAME_MALFORMED' };
  if (value[0] !== 2) return { ref: 0, code: 'LV_PROTOCOL_VERSION', close: 4000 };
  const ref = value[2];
  if (typeof ref !== 'number' || !Number.isSafeInteger(ref) || ref <= 0) return { ref: 0, code: 'LV_FRAME_MALFORMED' };
  if (typeof value[1] !== 'string' || !TYPES.has(value[1])) return { ref, code: 'LV_FRAME_UNKNOWN_TYPE' };
  return { ref };
}

const strict = new TextDecoder('utf-8', { fatal: true });
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Codes a client's bad input may be answered with. Any other registry code in answer to a
 * fuzzed frame is a server fault the fuzzer reports (a handler that threw, a render that failed,
 * an internal error): bad input must never reach one.
 */
export const CLIENT_FAULTS: ReadonlySet<string> = new Set([
  'LV_FRAME_MALFORMED', 'LV_FRAME_UNKNOWN_TYPE', 'LV_BINARY_FRAME', 'LV_FRAME_TOO_LARGE', 'LV_PROTOCOL_VERSION',
  'LV_RATE_LIMITED', 'LV_TOKEN_INVALID', 'LV_TOKEN_EXPIRED', 'LV_TOKEN_VIEW_MISMATCH', 'LV_VIEW_UNKNOWN',
  'LV_VIEW_NOT_JOINED', 'LV_VIEW_ALREADY_JOINED', 'LV_EVENT_UNKNOWN', 'LV_EVENT_PAYLOAD_INVALID', 'LV_TOO_MANY_VIEWS',
  'LV_STATE_OVER_LIMIT', 'LV_TENANT_FORBIDDEN', 'LV_TENANT_UNKNOWN', 'LV_TENANT_QUOTA_EXCEEDED', 'LV_VIEW_TAKEN_OVER',
  'LV_NAV_URL_INVALID', 'LV_NAV_URL_TOO_LONG', 'LV_NAV_BUSY',
  // Live components (D80, D84): a cid the view does not show, or one still loading.
  'LV_COMPONENT_UNKNOWN', 'LV_COMPONENT_LOADING',
  'LV_UPLOAD_FIELD_UNKNOWN', 'LV_UPLOAD_TOO_LARGE', 'LV_UPLOAD_TOO_MANY_FILES', 'LV_UPLOAD_TYPE_REFUSED', 'LV_UPLOAD_NAME_INVALID',
  'LV_UPLOAD_QUOTA_EXCEEDED', 'LV_UPLOAD_NOT_FOUND', 'LV_UPLOAD_FORBIDDEN',
]);

for (const code of CLIENT_FAULTS) if (!(code in errors)) throw new Error(`${code} is not in the registry`);

/**
 * Error frames the server pushes with ref 0, answering no frame: a view taken over by a join on
 * another socket (the runs share tokens, so they take views from each other), a push whose change
 * was refused. Any other unsolicited error frame is a finding.
 */
export const PUSHED_ERRORS: ReadonlySet<string> = new Set(['LV_VIEW_TAKEN_OVER', 'LV_STATE_OVER_LIMIT']);

/** Is `frame` a well-formed server frame? Returns what is wrong, or undefined. */
export function checkServerFrame(frame: unknown): string | undefined {
  if (!Array.isArray(frame) || frame[0] !== 2) return 'not [2, …]';
  const [, type, a, b, c, d] = frame as unknown[];
  const id = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  const diff = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  switch (type) {
    case 'r':
      if (!id(a) || !id(b) || (frame.length > 4 && !diff(c)) || frame.length > 5) return 'bad reply';
      return undefined;
    case 'd':
      if (!id(a) || !diff(b) || frame.length !== 4) return 'bad diff push';
      return undefined;
    case 'x':
      if (!id(a) || !id(b) || typeof c !== 'string' || typeof d !== 'string' || frame.length !== 6) return 'bad error frame';
      if (!(c in errors)) return `error code ${c} is not in the registry`;
      return undefined;
    default:
      return `unknown frame type ${JSON.stringify(type)}`;
  }
}
