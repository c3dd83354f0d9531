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
  F_NAVIGATE,
  F_PATCH,
  F_REPLY,
  K_EVENTS,
  K_FLASH,
  K_LOCATION,
  K_TITLE,
  K_VIEW,
  PROTOCOL_VERSION,
  type DevErrorReport,
} from './index.ts';

/** A rendered node or diff as it travels (`docs/protocol.md`); the client's tree reads it. */
export type WireDiff = { [key: string]: unknown };

const isDiff = (x: unknown): x is WireDiff => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Where the browser goes after a frame (root key `u`): `patch` — the URL is now `to`, the view
 * already shows it; `navigate` — with `v`, the container already holds the view at `to`, without
 * it, the client is asked to navigate there; `redirect` — load `to` as a new page.
 */
export type LocationKind = 'patch' | 'navigate' | 'redirect';
export interface PageLocation {
  readonly to: string;
  readonly kind: LocationKind;
  /** Replace the current history entry instead of adding one. */
  readonly replace?: boolean;
}

/** The page-level keys a reply or push may carry at its root, beside the view's diff. */
export interface PageEffects {
  readonly location?: PageLocation;
  /** A navigate reply: the view now in the container (`data-lv-view`) and the container's id. */
  readonly view?: { readonly view: string; readonly id: string };
  readonly title?: string;
  /** Flash messages by kind: a string shows it, null removes it; kinds not named stay as they are. */
  readonly flash?: { readonly [kind: string]: string | null };
  /** Events for the page's hooks (`pushEvent`), `[name, payload]` in order (D77). */
  readonly events?: ReadonlyArray<readonly [string, unknown]>;
}

/** Writes page effects onto a diff root (the keys are documented in docs/protocol.md). */
export function attachPage(diff: WireDiff, page: PageEffects): WireDiff {
  if (page.location !== undefined) diff[K_LOCATION] = page.location.replace ? page.location : { to: page.location.to, kind: page.location.kind };
  if (page.view !== undefined) diff[K_VIEW] = page.view;
  if (page.title !== undefined) diff[K_TITLE] = page.title;
  if (page.flash !== undefined) diff[K_FLASH] = page.flash;
  if (page.events !== undefined) diff[K_EVENTS] = page.events;
  return diff;
}

const KINDS: readonly unknown[] = ['patch', 'navigate', 'redirect'];

/** Reads the page-level keys of a diff root; undefined when it has none (the common case). */
export function readPage(diff: WireDiff): PageEffects | undefined {
  const u = diff[K_LOCATION], v = diff[K_VIEW], h = diff[K_TITLE], f = diff[K_FLASH];
  if (u === undefined && v === undefined && h === undefined && f === undefined) return undefined;
  const page: { -readonly [K in keyof PageEffects]: PageEffects[K] } = {};
  if (isDiff(u) && typeof u.to === 'string' && KINDS.includes(u.kind)) page.location = { to: u.to, kind: u.kind as LocationKind, replace: u.replace === true };
  if (isDiff(v) && typeof v.view === 'string' && typeof v.id === 'string') page.view = { view: v.view, id: v.id };
  if (typeof h === 'string') page.title = h;
  if (isDiff(f)) page.flash = f as PageEffects['flash'];
  return page;
}

// ---- server → client ---------------------------------------------------------------------

/** `[2,"r",ref,vid]` or `[2,"r",ref,vid,diff]`: the answer to a join, event, leave or heartbeat (vid 0). */
export function encodeReply(ref: number, vid: number, diff?: WireDiff): string {
  return diff === undefined ? `[${PROTOCOL_VERSION},"${F_REPLY}",${ref},${vid}]` : JSON.stringify([PROTOCOL_VERSION, F_REPLY, ref, vid, diff]);
}

/** `[2,"d",vid,diff]`: a diff pushed by a tick, an info message or a save. */
export function encodeDiff(vid: number, diff: WireDiff): string {
  return JSON.stringify([PROTOCOL_VERSION, F_DIFF, vid, diff]);
}

/** `[2,"x",ref,vid,code,message]`, with a 7th element `dev` under the dev loop only. */
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

/** `[2,"o",report]`: dev loop only; show `report` in the overlay, or hide it (null). */
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

/**
 * `[2,"j",ref,vid,view,token,url]`: join view `vid` (the client picks it per socket); `url` is the
 * page's path and query as the browser shows it (optional: a client without one joins at the URL
 * the token was issued for).
 */
export function encodeJoin(ref: number, vid: number, view: string, token: string, url?: string): string {
  return JSON.stringify(url === undefined ? [PROTOCOL_VERSION, F_JOIN, ref, vid, view, token] : [PROTOCOL_VERSION, F_JOIN, ref, vid, view, token, url]);
}

/** `[2,"p",ref,vid,url]`: the view stays and its URL becomes `url` (path and query). */
export function encodePatch(ref: number, vid: number, url: string): string {
  return JSON.stringify([PROTOCOL_VERSION, F_PATCH, ref, vid, url]);
}

/** `[2,"n",ref,vid,url]`: replace view `vid` with the live view at `url` (path and query). */
export function encodeNavigate(ref: number, vid: number, url: string): string {
  return JSON.stringify([PROTOCOL_VERSION, F_NAVIGATE, ref, vid, url]);
}

/** `[2,"e",ref,vid,event,payload]`: run the view's handler `event`; `[…, cid]`: the live component `cid`'s (D80). */
export function encodeEvent(ref: number, vid: number, event: string, payload: unknown, cid?: number): string {
  return JSON.stringify(cid === undefined ? [PROTOCOL_VERSION, F_EVENT, ref, vid, event, payload] : [PROTOCOL_VERSION, F_EVENT, ref, vid, event, payload, cid]);
}

/** `[2,"l",ref,vid]`: the view left the page. */
export function encodeLeave(ref: number, vid: number): string {
  return `[${PROTOCOL_VERSION},"${F_LEAVE}",${ref},${vid}]`;
}

/** `[2,"h",ref]`: heartbeat. */
export function encodeHeartbeat(ref: number): string {
  return `[${PROTOCOL_VERSION},"${F_HEARTBEAT}",${ref}]`;
}

/**
 * A client frame, its shape checked; fields whose meaning depends on the socket's views (vid,
 * view name, token, payload) are left `unknown` for the connection to judge.
 */
export type ClientFrame =
  | { readonly type: 'join'; readonly ref: number; readonly vid: unknown; readonly view: unknown; readonly token: unknown; readonly url: unknown }
  | { readonly type: 'patch'; readonly ref: number; readonly vid: unknown; readonly url: unknown }
  | { readonly type: 'navigate'; readonly ref: number; readonly vid: unknown; readonly url: unknown }
  | { readonly type: 'event'; readonly ref: number; readonly vid: unknown; readonly event: unknown; readonly payload: unknown; readonly cid?: unknown }
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
      return { type: 'join', ref, vid: frame[3], view: frame[4], token: frame[5], url: frame[6] };
    case F_PATCH:
      return { type: 'patch', ref, vid: frame[3], url: frame[4] };
    case F_NAVIGATE:
      return { type: 'navigate', ref, vid: frame[3], url: frame[4] };
    case F_EVENT:
      return frame.length > 6 ? { type: 'event', ref, vid: frame[3], event: frame[4], payload: frame[5], cid: frame[6] } : { type: 'event', ref, vid: frame[3], event: frame[4], payload: frame[5] };
    case F_LEAVE:
      return { type: 'leave', ref, vid: frame[3] };
    case F_HEARTBEAT:
      return { type: 'heartbeat', ref };
    default:
      return { type: 'invalid', ref, code: 'LV_FRAME_UNKNOWN_TYPE' };
  }
}
