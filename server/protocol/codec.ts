/**
 * The one place frames are encoded and decoded — by the server, the browser client and the test
 * client alike (no Node imports: `client/` bundles this file). Nothing else builds a frame or
 * reads one by array index, so the wire format (`docs/protocol.md`) changes here or nowhere.
 *
 * Encoders return the frame's text. The hot-path frames (a reply without a diff, a heartbeat's
 * answer) are template strings: no array, no JSON.stringify.
 */
import {
  F_DEV,
  F_DIFF,
  F_ERROR,
  F_EVENT,
  F_HEARTBEAT,
  F_JOIN,
  F_LEAVE,
  F_REPLY,
  PROTOCOL_VERSION,
  type DevErrorReport,
} from './index.ts';

/** A rendered node or diff as it travels (`docs/protocol.md`); the client's tree reads it. */
export type WireDiff = { [key: string]: unknown };

// ---- server → client ---------------------------------------------------------------------

/** `[1,"r",ref,vid]` or `[1,"r",ref,vid,diff]`: the answer to a join, event, leave or heartbeat (vid 0). */
export function encodeReply(ref: number, vid: number, diff?: WireDiff): string {
  return diff === undefined ? `[${PROTOCOL_VERSION},"${F_REPLY}",${ref},${vid}]` : JSON.stringify([PROTOCOL_VERSION, F_REPLY, ref, vid, diff]);
}

/** `[1,"d",vid,diff]`: a diff pushed by a tick, an info message or a save. */
export function encodeDiff(vid: number, diff: WireDiff): string {
  return JSON.stringify([PROTOCOL_VERSION, F_DIFF, vid, diff]);
}

/** `[1,"x",ref,vid,code,message]`, with a 7th element `dev` under the dev loop only. */
export function encodeError(ref: number, vid: number, code: string, message: string, dev?: DevErrorReport): string {
  const frame: unknown[] = [PROTOCOL_VERSION, F_ERROR, ref, vid, code, message];
  if (dev !== undefined) frame.push(dev);
  return JSON.stringify(frame);
}

/** How {@link encodeError}'s frames start; set on first use, so the client bundle (which never asks) drops it. */
let errorPrefix: string | undefined;
const ERROR_CODE = /^[^,]*,[^,]*,"([A-Z0-9_]{1,64})"/;

/**
 * The code of a frame {@link encodeError} wrote; undefined for any other frame. Cheap enough to
 * ask of every frame sent (one character compared for non-error frames): the socket counts error
 * frames by code where frames leave, whoever built them.
 */
export function errorFrameCode(text: string): string | undefined {
  const prefix = (errorPrefix ??= `[${PROTOCOL_VERSION},"${F_ERROR}",`);
  const typeAt = prefix.length - 3; // the type letter: one comparison rules out every other frame
  if (text.charCodeAt(typeAt) !== prefix.charCodeAt(typeAt) || !text.startsWith(prefix)) return undefined;
  return ERROR_CODE.exec(text.slice(prefix.length, prefix.length + 128))?.[1];
}

/** `[1,"o",report]`: dev loop only; show `report` in the overlay, or hide it (null). */
export function encodeDevOverlay(report: DevErrorReport | null): string {
  return JSON.stringify([PROTOCOL_VERSION, F_DEV, report]);
}

export type ServerFrame =
  | { readonly type: 'reply'; readonly ref: number; readonly vid: number; readonly diff?: WireDiff }
  | { readonly type: 'diff'; readonly vid: number; readonly diff: WireDiff }
  | { readonly type: 'error'; readonly ref: number; readonly vid: number; readonly code: string; readonly message: string; readonly dev?: DevErrorReport }
  | { readonly type: 'dev'; readonly report: DevErrorReport | null }
  /** A server speaking another protocol version: this client cannot read it (reload the page). */
  | { readonly type: 'version'; readonly version: unknown };

const isDiff = (x: unknown): x is WireDiff => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number => (typeof x === 'number' ? x : 0);

/** Reads a server frame; undefined for anything that is not one (ignored by clients). */
export function decodeServerFrame(text: string): ServerFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(frame)) return undefined;
  if (frame[0] !== PROTOCOL_VERSION) return { type: 'version', version: frame[0] };
  switch (frame[1]) {
    case F_REPLY:
      return isDiff(frame[4]) ? { type: 'reply', ref: num(frame[2]), vid: num(frame[3]), diff: frame[4] } : { type: 'reply', ref: num(frame[2]), vid: num(frame[3]) };
    case F_DIFF:
      return isDiff(frame[3]) ? { type: 'diff', vid: num(frame[2]), diff: frame[3] } : undefined;
    case F_ERROR: {
      const error = { type: 'error', ref: num(frame[2]), vid: num(frame[3]), code: String(frame[4]), message: String(frame[5]) } as const;
      return frame[6] === undefined ? error : { ...error, dev: frame[6] as DevErrorReport };
    }
    case F_DEV:
      return { type: 'dev', report: (frame[2] ?? null) as DevErrorReport | null };
    default:
      return undefined;
  }
}

// ---- client → server ---------------------------------------------------------------------

/** `[1,"j",ref,vid,view,token]`: join view `vid` (the client picks it per socket). */
export function encodeJoin(ref: number, vid: number, view: string, token: string): string {
  return JSON.stringify([PROTOCOL_VERSION, F_JOIN, ref, vid, view, token]);
}

/** `[1,"e",ref,vid,event,payload]`: run the view's handler `event`. */
export function encodeEvent(ref: number, vid: number, event: string, payload: unknown): string {
  return JSON.stringify([PROTOCOL_VERSION, F_EVENT, ref, vid, event, payload]);
}

/** `[1,"l",ref,vid]`: the view left the page. */
export function encodeLeave(ref: number, vid: number): string {
  return `[${PROTOCOL_VERSION},"${F_LEAVE}",${ref},${vid}]`;
}

/** `[1,"h",ref]`: heartbeat. */
export function encodeHeartbeat(ref: number): string {
  return `[${PROTOCOL_VERSION},"${F_HEARTBEAT}",${ref}]`;
}

/**
 * A client frame, its shape checked; fields whose meaning depends on the socket's views (vid,
 * view name, token, payload) are left `unknown` for the connection to judge.
 */
export type ClientFrame =
  | { readonly type: 'join'; readonly ref: number; readonly vid: unknown; readonly view: unknown; readonly token: unknown }
  | { readonly type: 'event'; readonly ref: number; readonly vid: unknown; readonly event: unknown; readonly payload: unknown }
  | { readonly type: 'leave'; readonly ref: number; readonly vid: unknown }
  | { readonly type: 'heartbeat'; readonly ref: number }
  /** Not a frame this server reads: answer with an error frame `code` (ref 0 unless known). */
  | { readonly type: 'invalid'; readonly ref: number; readonly code: 'LV_FRAME_MALFORMED' | 'LV_FRAME_UNKNOWN_TYPE' | 'LV_PROTOCOL_VERSION'; readonly detail?: string };

/** Reads a client frame (the server's side of the socket). */
export function decodeClientFrame(text: string): ClientFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED', detail: 'not JSON' };
  }
  if (!Array.isArray(frame) || frame.length < 2) return { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED' };
  if (frame[0] !== PROTOCOL_VERSION) return { type: 'invalid', ref: 0, code: 'LV_PROTOCOL_VERSION', detail: `server speaks ${PROTOCOL_VERSION}` };
  const ref = frame[2];
  if (!Number.isSafeInteger(ref) || ref <= 0) return { type: 'invalid', ref: 0, code: 'LV_FRAME_MALFORMED', detail: 'ref must be a positive integer' };
  switch (frame[1]) {
    case F_JOIN:
      return { type: 'join', ref, vid: frame[3], view: frame[4], token: frame[5] };
    case F_EVENT:
      return { type: 'event', ref, vid: frame[3], event: frame[4], payload: frame[5] };
    case F_LEAVE:
      return { type: 'leave', ref, vid: frame[3] };
    case F_HEARTBEAT:
      return { type: 'heartbeat', ref };
    default:
      return { type: 'invalid', ref, code: 'LV_FRAME_UNKNOWN_TYPE' };
  }
}
