/**
 * Livery wire protocol, version 2 — the names shared by server and client (`client/` imports
 * this file; keep it free of Node imports).
 *
 * Every frame is a JSON array whose first element is the protocol version. Text frames only.
 *
 *   client → server
 *     [2, "j", ref, vid, view, token, url] join view `vid` (a small integer the client picks per socket) at the page's `url`
 *     [2, "e", ref, vid, event, payload]   run the view's declared event handler `event`
 *     [2, "l", ref, vid]                   leave: the view was removed from the page
 *     [2, "h", ref]                        heartbeat
 *     [2, "p", ref, vid, url]              patch: the view stays, its URL becomes `url` (handleParams runs)
 *     [2, "n", ref, vid, url]              navigate: view `vid` is replaced by the live view at `url`
 *
 *   (`codec.ts` encodes and decodes every one of them; nothing else builds or reads a frame.)
 *
 *   server → client
 *     [2, "r", ref, vid]                   reply, nothing changed
 *     [2, "r", ref, vid, diff]             reply carrying the diff the event (or join) produced
 *     [2, "d", vid, diff]                  a diff pushed by a tick or an info message
 *     [2, "x", ref, vid, code, message]    error (ref/vid are 0 when the error is not tied to one)
 *     [2, "x", ref, vid, code, message, dev]  the same under the dev loop only: `dev` is a DevErrorReport
 *     [2, "o", report]                     dev loop only: show `report` in the error overlay; null hides it
 *
 * A diff is a rendered node (see `docs/protocol.md`): numeric keys are slot indexes, `s` marks a
 * full node (a fingerprint whose statics the client has or receives in `p`), `k`/`e` describe a
 * keyed list, `d`/`r`/`m` or `k` without `s` reorder one. At the root only: `p` maps fingerprints
 * to statics the client has not seen on this socket, `t` is a fresh join token for the next
 * reconnect, and the page-level keys `u` (where the browser goes: a patch, a navigate or a full
 * load), `v` (the view a navigate put in the container), `h` (the page title) and `f` (flash
 * messages), `ev` (events pushed to the page's hooks) and, in an event's reply, `rv` (what the
 * handler returned) — see docs/protocol.md.
 */

/** 2: list diffs may reorder by runs (`r`) or by the whole order (`k`), D63. */
export const PROTOCOL_VERSION = 2;

/** Frame types. */
export const F_JOIN = 'j';
export const F_EVENT = 'e';
export const F_LEAVE = 'l';
export const F_HEARTBEAT = 'h';
export const F_PATCH = 'p';
export const F_NAVIGATE = 'n';
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
/** In a list diff: `[keep, drop, keep, …]` run lengths over the old order — the removals by position (D63). */
export const K_RUNS = 'r';
/** At the root of an event's reply: the upload grants for the files an `lv:upload` event offered. */
export const K_UPLOADS = 'g';
/** Root only, page level: `{to, kind, replace?}` — where the browser goes after this frame. */
export const K_LOCATION = 'u';
/** Root only, navigate replies: `{view, id}` — the view now in the container. */
export const K_VIEW = 'v';
/** Root only: the page title (`document.title`). */
export const K_TITLE = 'h';
/** Root only: flash messages, `{info?, error?}` (a string shows one, null removes it). */
export const K_FLASH = 'f';
/**
 * Root only: events the view pushed to the page's hooks (`this.pushEvent`), `[[name, payload], …]`
 * in the order pushed, handled after the frame's diff is applied (D77).
 */
export const K_EVENTS = 'ev';
/** In a full list node: the stream's name — the list is a stream (D82); the server keeps none of its items. */
export const K_STREAM = 'n';
/** In a stream's diff: `[[at, key], …]`, items placed in order (at -1: append; a key already there is replaced in place). */
export const K_INSERTS = 'i';
/** In a stream's diff: trim the client's items to this many (negative: the last |l|, positive: the first l). */
export const K_LIMIT = 'l';
/** Root of an event's reply only: the plain object the handler returned, for a hook's `pushEvent` promise (D77). */
export const K_REPLY = 'rv';
/**
 * Root only: live components' trees (D80), `{cid: node}` — a full node (with `s`) for a component
 * new to the client, a diff for one it holds, `null` for one the view no longer shows. A slot
 * whose value is a number shows the component with that cid.
 */
export const K_COMPONENTS = 'c';

/** The longest URL a patch or navigate frame may carry (characters); a longer link loads the page. */
export const MAX_URL_LENGTH = 2048;

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
/** The client stopped reading (its send buffer stayed over budget): reconnect, the state is saved. */
export const CLOSE_STALLED = 4408;
/**
 * The socket's tenant may not be served — unpaid (4402), suspended or forbidden (4403), unknown or
 * deleted (4404), also when that happens while the socket is open: the reloaded page says why.
 */
export const CLOSES_TENANT_REFUSED: readonly number[] = [4402, 4403, 4404];

/** Error codes the client treats specially (all codes live in `server/errors.ts`). */
export const E_TOKEN_INVALID = 'LV_TOKEN_INVALID';
export const E_TOKEN_EXPIRED = 'LV_TOKEN_EXPIRED';
export const E_PROTOCOL_VERSION = 'LV_PROTOCOL_VERSION';
/** Another tab took the view over (D35): the client stops re-joining it, so the two never take turns. */
export const E_VIEW_TAKEN_OVER = 'LV_VIEW_TAKEN_OVER';
/** A payload its schema refused: shown by the template beside the fields, not as a page error. */
export const E_PAYLOAD_INVALID = 'LV_EVENT_PAYLOAD_INVALID';

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
/** On an element with a binding inside a live component: its events go to that component (D80). */
export const B_TARGET = 'lv-target';
/** The root element of a live component carries its cid (written by the server and the client, D80). */
export const A_COMPONENT = 'lv-component';
/** On `<a href>`: change the URL without leaving the view (`handleParams` runs). */
export const B_PATCH = 'lv-patch';
/** On `<a href>`: open another live view of the app in the same container, over the same socket. */
export const B_NAVIGATE = 'lv-navigate';
/** With `lv-patch` / `lv-navigate`: replace the current history entry instead of adding one. */
export const B_REPLACE = 'lv-replace';

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

/**
 * Client extensibility (docs/client.md): `lv-hook="Name"` attaches the page's hook `Name` (the
 * element needs an id); `lv-ignore` keeps an element's children (and its attributes but `data-*`)
 * out of patches; `lv-ignore-attributes="open class"` keeps the named attributes as the page has
 * them (D77, D78).
 */
export const B_HOOK = 'lv-hook';
export const B_IGNORE = 'lv-ignore';
export const B_IGNORE_ATTRIBUTES = 'lv-ignore-attributes';

/** On an element in an `lv-submit` form: disabled, with this text, while the submit is in flight. */
export const B_DISABLE_WITH = 'lv-disable-with';
/** On a form: the event that recovers it after a (re)join (default: its `lv-change`); `ignore` for none. */
export const B_AUTO_RECOVER = 'lv-auto-recover';

// Payload keys the client adds to a form's events (docs/forms.md).
/** The name of the field whose change fired a form's `lv-change` / `lv-input`. */
export const P_TARGET = '_target';
/** The named fields of the form the user has not used yet (typed in, changed or submitted). */
export const P_UNUSED = '_unused';

/** Classes the client sets. */
export const C_CONNECTING = 'lv-connecting';
export const C_CONNECTED = 'lv-connected';
export const C_DISCONNECTED = 'lv-disconnected';
export const C_ERROR = 'lv-error';
export const C_LOADING = 'lv-loading';

/** The URL path of the live socket. */
export const LIVE_PATH = '/live';
