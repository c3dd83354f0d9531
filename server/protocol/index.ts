/**
 * Livery wire protocol, version 1 — the names shared by server and client (`client/` imports
 * this file; keep it free of Node imports).
 *
 * Every frame is a JSON array whose first element is the protocol version. Text frames only.
 *
 *   client → server
 *     [1, "j", ref, vid, view, token]      join view `vid` (a small integer the client picks per socket)
 *     [1, "e", ref, vid, event, payload]   run the view's declared event handler `event`
 *     [1, "l", ref, vid]                   leave: the view was removed from the page
 *     [1, "h", ref]                        heartbeat
 *
 *   (`codec.ts` encodes and decodes every one of them; nothing else builds or reads a frame.)
 *
 *   server → client
 *     [1, "r", ref, vid]                   reply, nothing changed
 *     [1, "r", ref, vid, diff]             reply carrying the diff the event (or join) produced
 *     [1, "d", vid, diff]                  a diff pushed by a tick or an info message
 *     [1, "x", ref, vid, code, message]    error (ref/vid are 0 when the error is not tied to one)
 *     [1, "x", ref, vid, code, message, dev]  the same under the dev loop only: `dev` is a DevErrorReport
 *     [1, "o", report]                     dev loop only: show `report` in the error overlay; null hides it
 *
 * A diff is a rendered node (see `docs/protocol.md`): numeric keys are slot indexes, `s` marks a
 * full node (a fingerprint whose statics the client has or receives in `p`), `k`/`e` describe a
 * keyed list, `d`/`m` edit one. At the root only: `p` maps fingerprints to statics the client
 * has not seen on this socket, `t` is a fresh join token for the next reconnect.
 */

export const PROTOCOL_VERSION = 1;

/** Frame types. */
export const F_JOIN = 'j';
export const F_EVENT = 'e';
export const F_LEAVE = 'l';
export const F_HEARTBEAT = 'h';
export const F_REPLY = 'r';
export const F_DIFF = 'd';
export const F_ERROR = 'x';
/** Dev loop only (never sent in production): the error overlay's content, or null to hide it. */
export const F_DEV = 'o';

/**
 * What the dev overlay shows: a template, startup or handler error with where it happened.
 * Built by `server/log/error-report.ts`; shown by the overlay script the dev loop adds to pages.
 */
export interface DevErrorReport {
  /** One line: what kind of error (e.g. "Template syntax error", "LV_HANDLER_FAILED in CartView.inc"). */
  readonly title: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** A few source lines around `line`, with a caret under `column`. */
  readonly frame?: string;
  readonly stack?: string;
}

/** The id of the dev overlay element (dev loop only). */
export const DEV_OVERLAY_ID = 'lv-dev-overlay';

/** Keys inside rendered nodes and diffs. */
export const K_STATICS = 's';
export const K_TEMPLATES = 'p';
export const K_TOKEN = 't';
export const K_KEYS = 'k';
export const K_ENTRIES = 'e';
export const K_REMOVED = 'd';
export const K_MOVED = 'm';
/** At the root of an event's reply: the upload grants for the files an `lv:upload` event offered. */
export const K_UPLOADS = 'u';

/** WebSocket close codes (declared here only; `server/errors.ts` names the one each error closes with). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;
/** The dev loop's stand-in server is going away because the app restarts. */
export const CLOSE_SERVICE_RESTART = 1012;
/** A backend was too slow (e.g. a join timed out): reconnect and try again. */
export const CLOSE_TRY_AGAIN = 1013;
/** Protocol version mismatch: the client must reload the page. */
export const CLOSE_PROTOCOL_MISMATCH = 4000;
/** The session cookie is unknown (never issued, ended, rotated): reloading gets a fresh session. */
export const CLOSE_SESSION_UNKNOWN = 4401;

/** Error codes the client treats specially (all codes live in `server/errors.ts`). */
export const E_TOKEN_INVALID = 'LV_TOKEN_INVALID';
export const E_TOKEN_EXPIRED = 'LV_TOKEN_EXPIRED';
export const E_PROTOCOL_VERSION = 'LV_PROTOCOL_VERSION';

/** Attribute names the server writes into pages and the client reads. */
export const A_VIEW = 'data-lv-view';
export const A_TOKEN = 'data-lv-token';
/** Prefix of binding attributes in templates: lv-click, lv-submit, lv-value-id, … */
export const BINDING_PREFIX = 'lv-';
/** The binding attributes the client acts on (`docs/protocol.md`, "Client bindings"). */
export const B_CLICK = 'lv-click';
export const B_SUBMIT = 'lv-submit';
export const B_CHANGE = 'lv-change';
export const B_INPUT = 'lv-input';
export const B_FOCUS = 'lv-focus';
export const B_BLUR = 'lv-blur';
/** `lv-keydown` / `lv-keyup` on an element, `lv-window-keydown` / `lv-window-keyup` anywhere. */
export const B_KEY_PREFIX = 'lv-';
export const B_WINDOW_KEY_PREFIX = 'lv-window-';
/** Only the key named here (case-insensitive) triggers an element's key binding. */
export const B_KEY = 'lv-key';
export const B_DEBOUNCE = 'lv-debounce';
export const B_THROTTLE = 'lv-throttle';
/** `lv-value-NAME="v"` adds `NAME: "v"` to the event's payload. */
export const B_VALUE_PREFIX = 'lv-value-';

/** Uploads (docs/uploads.md): the file input of a field, a drop zone for it, cancel, preview. */
export const B_UPLOAD = 'lv-upload';
export const B_DROP_TARGET = 'lv-drop-target';
export const B_UPLOAD_CANCEL = 'lv-upload-cancel';
export const B_UPLOAD_PREVIEW = 'lv-upload-preview';
/**
 * Events the client sends for uploads (`e` frames; no view can declare a name with a colon):
 * offer files (`{field, files: [{name, size, type, resume?}]}`), report progress or a refusal
 * (`{ref, error?}`), report a file complete (`{ref}`), cancel (`{ref}`).
 */
export const E_UPLOAD = 'lv:upload';
export const E_UPLOAD_PROGRESS = 'lv:upload-progress';
export const E_UPLOAD_DONE = 'lv:upload-done';
export const E_UPLOAD_CANCEL = 'lv:upload-cancel';
/** The class on a drop zone while files are dragged over it. */
export const C_DRAG_OVER = 'lv-drag-over';

/** Classes the client sets. */
export const C_CONNECTING = 'lv-connecting';
export const C_CONNECTED = 'lv-connected';
export const C_DISCONNECTED = 'lv-disconnected';
export const C_ERROR = 'lv-error';
export const C_LOADING = 'lv-loading';

/** The URL path of the live socket. */
export const LIVE_PATH = '/live';
