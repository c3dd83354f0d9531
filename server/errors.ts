/**
 * Every error Livery reports to a client or an operator, in one registry.
 *
 * Codes are stable (`LV_<AREA>_<WHAT>`): clients and log queries match on them. Each entry says
 * what happened and what to do, and how it travels: as an error frame on the socket (the socket
 * keeps serving), as a WebSocket close code, or as an HTTP status. `docs/errors.md` documents
 * every code; `test/errors.test.ts` keeps the two in step.
 */

import { CLOSE_GOING_AWAY, CLOSE_POLICY, CLOSE_PROTOCOL_MISMATCH, CLOSE_STALLED, CLOSE_TOO_BIG, CLOSE_TRY_AGAIN } from './protocol/index.ts';

export interface ErrorSpec {
  /** What happened and what to do about it; shown to clients and logged. */
  readonly message: string;
  /** HTTP status when the error ends a request. */
  readonly status?: number;
  /** WebSocket close code when the error ends the socket (absent: an error frame, socket stays). */
  readonly close?: number;
  /** Thrown in a test by the test client (`livery/testing`), never sent anywhere. */
  readonly test?: true;
  /** Thrown while the app starts (the process prints it and exits), never sent anywhere. */
  readonly startup?: true;
  /** Logged as a warning while the app starts; the app starts anyway. */
  readonly warning?: true;
}

export const errors = {
  LV_FRAME_MALFORMED: {
    message: 'The frame is not a Livery frame: expected a JSON array [version, type, …]. Check the client build.',
  },
  LV_FRAME_UNKNOWN_TYPE: {
    message: 'Unknown frame type. Valid types are "j" (join), "e" (event), "l" (leave) and "h" (heartbeat).',
  },
  LV_BINARY_FRAME: {
    message: 'Binary frames are not accepted; send JSON text frames.',
  },
  LV_FRAME_TOO_LARGE: {
    message: 'The frame exceeds the configured size limit (maxFrameBytes); send less data per event.',
    close: CLOSE_TOO_BIG,
  },
  LV_PROTOCOL_VERSION: {
    message: 'The client speaks another protocol version; reload the page to get the matching client.',
    close: CLOSE_PROTOCOL_MISMATCH,
  },
  LV_RATE_LIMITED: {
    message: 'Too many frames from this socket; this one was dropped. Slow down (see socket.ratePerSecond and socket.rateBurst).',
  },
  LV_RATE_LIMIT_ABUSE: {
    message: 'The socket kept flooding events far beyond the rate limit and was closed.',
    close: CLOSE_POLICY,
  },
  LV_TOKEN_INVALID: {
    message: 'The join token is not valid (bad signature, wrong session or malformed); reload the page.',
  },
  LV_TOKEN_EXPIRED: {
    message: 'The join token has expired; reload the page for a fresh one.',
  },
  LV_TOKEN_VIEW_MISMATCH: {
    message: 'The join token was issued for another view than the one named by the container.',
  },
  LV_VIEW_UNKNOWN: {
    message: 'The token names a view that this server does not serve (was it renamed or removed?); reload the page.',
  },
  LV_VIEW_NOT_JOINED: {
    message: 'No view with this id has joined on this socket; join it before sending events.',
  },
  LV_VIEW_ALREADY_JOINED: {
    message: 'A view with this id is already joined on this socket; pick another id or leave first.',
  },
  LV_VIEW_NOT_LIVE: {
    message: 'Topics, broadcasts, presence and async work need the view to be live on a socket; call them from onJoin or a handler, not mount.',
  },
  LV_TOPIC_INVALID: {
    message: 'Topic names are 1–128 letters, digits, dots, colons, dashes or underscores (and may not start with ~, which Livery reserves).',
  },
  LV_EVENT_UNKNOWN: {
    message: 'The view declares no event with this name; only names listed in the view\'s static `events` are callable.',
  },
  LV_EVENT_PAYLOAD_INVALID: {
    message: 'The event payload does not match the schema the view declares for this event; the view\'s errors (`{{ errors.field }}` in the template) say which fields.',
  },
  LV_COMPONENT_UNKNOWN: {
    message: 'The event names a live component this view does not show (component ids are per view; it may have been removed): reload the page if it persists.',
  },
  LV_COMPONENT_DUPLICATE_ID: {
    message: 'Two live components of one view were rendered with the same id: give each {% live_component %} its own id (in a loop, id=item.id).',
  },
  LV_COMPONENT_ID_INVALID: {
    message: 'A {% live_component %} id is empty or longer than 128 characters (an id read from a name the template does not have renders empty); give each component an id from its data, e.g. id=item.id.',
  },
  LV_COMPONENT_FAILED: {
    message: 'A live component\'s mount or update threw, its promise rejected or it returned no state object (the component shows `failed`; the view and socket go on), or a live component was rendered inside a stream item; the server logged the error.',
  },
  LV_COMPONENT_LOADING: {
    message: 'The event is for a live component whose async mount or update has not finished: it was not run. Keep elements with lv-target out of the component\'s loading state ({% if not loading %}).',
  },
  LV_COMPONENTS_OVER_LIMIT: {
    message: 'The view shows more live components than its state can hold (state.maxBytes counts their records): those past the bound render with failed set, are not saved and refuse events until the state has room for them again (a reconnect mounts them again). Show fewer at once (paginate), or keep their data in the view.',
  },
  LV_COMPONENT_MESSAGE_UNHANDLED: {
    message: 'A live component called sendParent, but its parent view has no handleComponentMessage(id, message) method: add one to the view.',
  },
  LV_HANDLER_FAILED: {
    message: 'The view\'s handler threw an error; the server logged it. Its changes were undone: the view is as it was before and stays live.',
  },
  LV_ASYNC_FAILED: {
    message: 'Async work the view started (assignAsync or startAsync) failed; the server logged the error. The view shows it as failed and stays live.',
  },
  LV_ASYNC_UNHANDLED: {
    message: 'startAsync needs a handleAsync(name, outcome) method on the view to receive the outcome; add it, or use assignAsync.',
  },
  LV_STREAM_UNKNOWN: {
    message: 'The view has no stream of that name: declare it in `static streams = { name: {} }` before streaming to it.',
  },
  LV_STREAM_ITEM_KEY: {
    message: 'A stream item has no key: give each item an `id` (string or number), or declare the stream with `key: (item) => …`. The handler\'s changes were undone.',
  },
  LV_STREAM_OPTIONS_INVALID: {
    message: 'A stream option is invalid: `at` is -1 (append) or an index ≥ 0, `limit` an integer (negative keeps the last items, positive the first).',
  },
  LV_MOUNT_FAILED: {
    message: 'The view failed to mount; the server logged the error.',
    status: 500,
  },
  LV_RENDER_FAILED: {
    message: 'The view failed to render; the server logged the error. The view keeps its state.',
  },
  LV_STATE_UNAVAILABLE: {
    message: 'The state backend did not take this change in time; it is applied and shown, and will be stored with the next change. Retry if it matters.',
  },
  LV_REDIS_UNAVAILABLE: {
    message: 'Redis did not answer within the command timeout; the operation may still apply when it returns. Retry later.',
    status: 503,
  },
  LV_STATE_TOO_LARGE: {
    message: 'The serialized state exceeds the backend\'s hard limit (16 MiB); keep large data out of view state.',
  },
  LV_STATE_INVALID: {
    message: 'The view state is not plain JSON data (functions, class instances and cycles cannot be stored).',
  },
  LV_TOO_MANY_VIEWS: {
    message: 'This socket already has as many live views as it may (socket.maxViews); leave one before joining another.',
  },
  LV_TOO_MANY_SOCKETS: {
    message: 'Too many live sockets from this address or browser session (socket.maxPerIp, socket.maxPerSession); close some tabs and try again.',
    status: 429,
  },
  LV_SESSION_UNKNOWN: {
    message: 'The socket presented a session this server did not issue, or one that has ended or was rotated; reload the page for a fresh session.',
    status: 401,
  },
  LV_STATE_OVER_LIMIT: {
    message: 'This change would make the view\'s state larger than state.maxBytes, so it could not be saved; the change was undone: the view is as it was before and stays live. Keep lists in view state bounded.',
  },
  LV_STATE_QUOTA_EXCEEDED: {
    message: 'This site is storing as much live page state as it may (state.tenantMaxBytes); the change was undone and the last saved state kept. Try again in a few minutes, when idle pages have expired.',
    status: 429,
  },
  LV_VIEW_TAKEN_OVER: {
    message: 'This page was opened again in another tab or window, which took it over with its latest state; this copy was closed and keeps nothing it did not save. Reload the page to continue here.',
  },
  LV_ORIGIN_FORBIDDEN: {
    message: 'The socket\'s Origin is not allowed for this host; connect from the page\'s own origin or add it to allowedOrigins.',
    status: 403,
  },
  LV_ROUTE_NOT_FOUND: {
    message: 'No live view is routed at this path.',
    status: 404,
  },
  LV_NAV_URL_INVALID: {
    message: 'A navigation URL must be a path on this site (a frame: "/path?query", nothing else; pushPatch: a path; redirect: a path or an http(s) URL). Other hosts, other schemes (javascript:, data:), "//host", backslashes and control characters are refused.',
  },
  LV_NAV_URL_TOO_LONG: {
    message: 'The navigation URL is longer than 2048 characters; shorten the query string (the browser client loads such links as a new page).',
  },
  LV_NAV_LOOP: {
    message: 'handleParams kept patching the URL (more than 5 times in a row); make it settle on a URL it does not patch again.',
  },
  LV_NAV_BUSY: {
    message: 'A navigation of this view is already in flight; wait for its reply before the next one.',
  },
  LV_NAV_TITLE_INVALID: {
    message: 'pageTitle must be a string.',
  },
  LV_PUSH_EVENT_INVALID: {
    message: 'pushEvent(name, payload) takes a name of 1–64 letters, digits, dots, colons, dashes or underscores and a plain JSON object; at most 64 KB of events per frame.',
  },
  LV_FLASH_INVALID: {
    message: 'flash(kind, message) takes kind \'info\' or \'error\' and a message of at most 1000 characters.',
  },
  LV_JOIN_TIMEOUT: {
    message: 'The view did not join in time (a backend is slow or unreachable); the socket is closed so the client reconnects and joins again.',
    close: CLOSE_TRY_AGAIN,
  },
  LV_SOCKET_STALLED: {
    message: 'The client stopped reading: its send buffer stayed over socket.backpressureBytes, so the socket was closed. Reconnect; the view\'s state is saved.',
    close: CLOSE_STALLED,
  },
  LV_SERVER_SHUTDOWN: {
    message: 'The server is shutting down; reconnect in a moment, your state is saved.',
    close: CLOSE_GOING_AWAY,
  },
  LV_TENANT_UNRESOLVED: {
    message: 'No tenant could be resolved for this request (no subdomain, path, header, session or token named one, and no default tenant is configured).',
    status: 404,
  },
  LV_TENANT_UNKNOWN: {
    message: 'No tenant by that name exists; check the address.',
    status: 404,
  },
  LV_TENANT_FORBIDDEN: {
    message: 'You are not a member of this tenant, or the address names a different tenant than the one you are signed in to.',
    status: 403,
  },
  LV_TENANT_SUSPENDED: {
    message: 'This tenant is suspended; contact its administrator.',
    status: 403,
  },
  LV_TENANT_PAYMENT_REQUIRED: {
    message: 'This tenant\'s subscription has ended (paid until a past date); renew it to continue.',
    status: 402,
  },
  LV_TENANT_LOOKUPS_LIMITED: {
    message: 'Too many requests from this address named tenants that do not exist; wait a moment and check the address.',
    status: 429,
  },
  LV_TENANT_QUOTA_EXCEEDED: {
    message: 'This tenant is over one of its quotas (the detail names which: live sockets, events per second, state bytes); try again shortly, or ask its administrator to raise the quota (settings.quotas).',
    status: 429,
  },
  LV_PAGE_RATE_LIMITED: {
    message: 'Too many page loads from this address; wait the seconds Retry-After names, then reload.',
    status: 429,
  },
  LV_TENANT_REQUIRED: {
    message: 'A tenant id is required for tenant-scoped data access; Livery refuses rather than reading all rows.',
    status: 500,
  },
  LV_TENANT_MISMATCH: {
    message: 'The data names another tenant than the current one; tenant-scoped writes always use the socket\'s tenant.',
    status: 403,
  },
  LV_NOT_TENANT_OWNED: {
    message: 'The entity is not tenant-owned, so tenant-scoped helpers cannot be used with it.',
    status: 500,
  },
  LV_ENTITY_NOT_REGISTERED: {
    message: 'The entity is not registered with the database; add it to `database.entities` (createDatabase({ entities })) and give it a migration.',
    status: 500,
  },
  LV_EM_NOT_SCOPED: {
    message: 'The EntityManager is not scoped to a tenant; use this.db in a view or tenantData(db, id).forEvent().',
    status: 500,
  },
  LV_DATA_UNAVAILABLE: {
    message: 'This view uses the database but Livery was started without one; pass `database` to createServer.',
    status: 500,
  },
  LV_DB_APP_ROLE_MISSING: {
    message: 'The application database role does not exist and could not be created; run `npm run migrate` as the owner.',
    status: 500,
  },
  LV_DB_BAD_URL: {
    message: 'The database URL is not valid; use postgres://user@host:port/database.',
    status: 500,
  },
  LV_TEST_SETUP_INVALID: {
    message: 'The test client cannot set this up as asked; the detail says what to change (e.g. a tenant for an app without tenancy).',
    test: true,
  },
  LV_TEST_MOUNT_FAILED: {
    message: 'The page did not render in the test: the detail has the HTTP status and the error code the page showed.',
    test: true,
  },
  LV_TEST_ACTION_INVALID: {
    message: 'The browser could not do this on the view as rendered (no such element, no binding, no such form field); check the selector and the template.',
    test: true,
  },
  LV_TEST_TIMEOUT: {
    message: 'The test waited for the server and nothing came (no push, no reply); the detail says what it waited for.',
    test: true,
  },
  LV_TEMPLATE_SYNTAX: {
    message: 'A template cannot be compiled (bad syntax, an unknown tag or filter); fix it at the file, line and column given.',
    status: 500,
  },
  LV_TEMPLATE_UNSAFE_CONTEXT: {
    message: 'A template puts a value where HTML escaping cannot make it safe (a tag name, an event handler, a script); fix it at the position given.',
    status: 500,
  },
  LV_TEMPLATE_NOT_FOUND: {
    message: 'A template name could not be found in the templates directory; check the name or create the file.',
    status: 500,
  },
  LV_TEMPLATE_VALUE: {
    message: 'A template could not render the value it was given (e.g. a for loop unpacking an item of the wrong shape); fix the data or the template.',
    status: 500,
  },
  LV_TEMPLATE_FILTER_FAILED: {
    message: 'A filter the app defined threw while rendering; the server logged the error with the filter\'s name and the template\'s file, line and column. The view keeps its state.',
    status: 500,
  },
  LV_TEMPLATE_TAG_FAILED: {
    message: 'An app-defined template tag threw while rendering; the server logged the error with the tag\'s file, line and column. The view keeps its state.',
    status: 500,
  },
  LV_NESTED_VIEW_INVALID: {
    message: 'A {% live %} tag could not render its view: the view is not registered (route it or list it in createServer({ views })), the tag is rendered outside a live view (a layout), views nest more than 4 deep, or the page would show more views than one socket may join (socket.maxViews, 32 by default); the server logged the template\'s file, line and column.',
    status: 500,
  },
  LV_NESTED_ID_INVALID: {
    message: 'A {% live %} tag\'s id is empty, is not 1-64 letters, digits, "_" or "-", or is used twice in one view; give each nested view of a view its own stable id.',
    status: 500,
  },
  LV_TEMPLATE_BLOCK_UNUSED: {
    message: 'A template defines a {% block %} that no template it extends has, so it is never shown (Django ignores it too); rename it to one of the layout\'s blocks or move its content into one.',
    warning: true,
  },
  LV_TEMPLATE_COMPILE: {
    message: 'One or more templates failed to compile at startup; each is listed with its file, line and column.',
    startup: true,
  },
  LV_UPLOAD_FIELD_UNKNOWN: {
    message: 'The view declares no upload field with this name: list it in the view\'s static `uploads` and give the file input lv-upload="<field>".',
    status: 400,
  },
  LV_UPLOAD_TOO_LARGE: {
    message: 'The file is larger than the upload field allows (its maxSize); choose a smaller file.',
    status: 413,
  },
  LV_UPLOAD_TOO_MANY_FILES: {
    message: 'The upload field already has as many files uploading as it allows (its maxFiles); wait for one to finish or cancel one.',
  },
  LV_UPLOAD_TYPE_REFUSED: {
    message: 'The field does not accept this kind of file: its name or its content (magic bytes) is not of a type the field\'s accept list allows.',
    status: 415,
  },
  LV_UPLOAD_NAME_INVALID: {
    message: 'The file name is not acceptable: it must be 1–255 bytes with no path separators (/ or \\), control characters or leading/trailing spaces, and not "." or "..".',
    status: 400,
  },
  LV_UPLOAD_QUOTA_EXCEEDED: {
    message: 'The tenant\'s storage quota for uploads is used up; wait for uploads in progress to finish or be handled, or raise the quota (uploads.tenantQuotaBytes or uploads.quota).',
    status: 413,
  },
  LV_UPLOAD_NOT_FOUND: {
    message: 'No such upload for this tenant: it never existed, expired (uploads.expireSeconds), was cancelled, or belongs to another tenant. Start the upload again.',
    status: 404,
  },
  LV_UPLOAD_FORBIDDEN: {
    message: 'The upload belongs to another session or view, or the upload token was issued to another tenant, session or upload; start the upload again from this page.',
    status: 403,
  },
  LV_UPLOAD_TOKEN_INVALID: {
    message: 'The upload token is missing, malformed, forged or expired: send `Authorization: Bearer <token>` with the token the view granted, or ask the view again.',
    status: 401,
  },
  LV_UPLOAD_OFFSET_MISMATCH: {
    message: 'Upload-Offset is not where the upload stands: ask with HEAD for the current offset and continue from there (nothing was written).',
    status: 409,
  },
  LV_UPLOAD_PAST_LENGTH: {
    message: 'The chunk would go past the upload\'s declared length (Upload-Length); nothing was written. Send only the remaining bytes.',
    status: 413,
  },
  LV_UPLOAD_LOCKED: {
    message: 'Another request for this upload is writing it and did not let go in time, or a newer request took this one over: ask with HEAD where the upload stands and continue from there (tus clients retry this).',
    status: 423,
  },
  LV_UPLOAD_BAD_REQUEST: {
    message: 'The upload request is not valid tus 1.0.0: check the method, Upload-Length, Upload-Offset, Content-Length and Content-Type (application/offset+octet-stream) headers.',
    status: 400,
  },
  LV_UPLOAD_VERSION: {
    message: 'The upload endpoint speaks tus 1.0.0: send `Tus-Resumable: 1.0.0`.',
    status: 412,
  },
  LV_UPLOAD_INCOMPLETE: {
    message: 'The upload has not received all its bytes yet; finish sending them before reporting it done.',
  },
  LV_UPLOAD_STORE_FAILED: {
    message: 'The upload could not be stored (the upload store failed); the server logged it. Retry later.',
    status: 500,
  },
  LV_STARTUP_CHECK_FAILED: {
    message: 'The app cannot start: each problem is listed with its check ID (docs/checks.md) and a hint; fix them and start again.',
    startup: true,
  },
  LV_INTERNAL: {
    message: 'An internal error occurred; the server logged it.',
    status: 500,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errors;

/**
 * The registry code an error carries, or undefined for anything that is not a LiveryError.
 * Registry messages carry no data, so such errors may be shown to clients as they are;
 * everything else is reported generically and logged.
 */
export function registryCode(error: unknown): ErrorCode | undefined {
  return error instanceof LiveryError ? error.code : undefined;
}

/** The HTTP status for a code (500 for codes that travel on the socket only). */
export function statusOf(code: ErrorCode): number {
  return (errors[code] as ErrorSpec).status ?? 500;
}

/**
 * The close code of a socket refused or ended for `code`: its own close code, else 4000 + the
 * HTTP status its page would have had (4403 suspended, 4404 unknown tenant, 4429 over a quota…).
 */
export function refusalCloseCode(code: ErrorCode): number {
  const spec = errors[code] as ErrorSpec;
  return spec.close ?? 4000 + (spec.status ?? 500);
}

/**
 * Every error Livery raises: a registry code, plus `detail` (specifics, never another tenant's
 * data). Areas with richer errors subclass it (RedisUnavailableError, DataError, the template
 * errors, StartupError) and may word their own `message`; callers match on `instanceof
 * LiveryError` and `code`, never on a class name or a message.
 */
export class LiveryError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? (detail ? `${errors[code].message} (${detail})` : errors[code].message), options);
    this.name = 'LiveryError';
    this.code = code;
    this.detail = detail;
  }

  get status(): number {
    return statusOf(this.code);
  }

  /** The server's fault (a registry status of 500 or more): log it, whoever else is told. */
  get serverFault(): boolean {
    return ((errors[this.code] as ErrorSpec).status ?? 0) >= 500;
  }
}
