/**
 * Livery's configuration: one typed object, each option with a default and an environment
 * variable. `resolveConfig` merges (defaults ← environment ← explicit options) and
 * `checkConfig` validates the result, so every misconfiguration is reported at startup with a
 * check id and a hint instead of surfacing as a runtime failure.
 */
import type { Database } from '../data/index.ts';
import type { SessionStore } from '../session/index.ts';
import type { StateBackend } from '../state/index.ts';
import type { TenancyConfig, TenancyOptions } from '../tenancy/options.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { UploadStore } from '../uploads/index.ts';
import type { TemplateFilters } from '../template/index.ts';
import type { TagDefinitions } from '../template/index.ts';
import type { Route } from '../view/routes.ts';
import type { ComponentClass } from '../view/live-component.ts';
import type { ViewClass } from '../view/live-view.ts';

/** pino levels. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LiveryOptions {
  /** Routes: path → view class. */
  routes?: Route[];
  /** View classes that are not routed but nested in templates with `{% live "Name" id="…" %}` (docs/components.md, D81). */
  views?: ViewClass[];
  /** Directory of `*.html` templates. */
  templatesDir?: string;
  /** The app's own files (stylesheets, images), served under `/static/` when the folder exists. */
  staticDir?: string;
  /** Layout template wrapping every page (context: title, content, head, flash, tenant); default: built in. */
  layout?: string;
  /** App-defined template tags: `{ name: (...args) => text }` or `{ name: { render, safe } }` (docs/templates.md, D75). */
  tags?: TagDefinitions;
  /** Live components by name, used in templates as `{% live_component "Name" id=… %}` (docs/components.md, D80). */
  components?: Readonly<Record<string, ComponentClass>>;
  port?: number;
  host?: string;
  production?: boolean;
  /** App secret for signing; required in production. */
  secret?: string;
  /** Where development keeps its generated secret. */
  secretFile?: string;
  state?: Partial<StateOptions>;
  /** A state backend instance to use instead of the one `state.backend` names (Livery won't close it). */
  stateBackend?: StateBackend;
  /** Session store instance (default: in memory). */
  sessionStore?: SessionStore;
  /** Seconds a browser session lives after its last use. */
  sessionTtlSeconds?: number;
  /** The database (from `createDatabase`); required when tenancy is on or a view uses `this.db`. */
  database?: Database;
  /** Multi-tenancy: how a request's tenant is resolved (off when no resolver is named). */
  tenancy?: TenancyOptions;
  socket?: Partial<SocketOptions>;
  /** What one client address may cost in page renders (each mounts a view and stores its state). */
  pages?: Partial<PageOptions>;
  /** Pub/sub (topics, pushToView, presence, notify-on-save): `memory` (one process) or `redis`. */
  pubsub?: string;
  /** Redis for the `redis` state and pub/sub backends: `redis://…`, or `redis+cluster://host:port,…` for a Redis Cluster. */
  redisUrl?: string;
  /**
   * The deployment's namespace in Redis: every key and channel starts `<prefix>:` (default `lv`).
   * Give each deployment sharing a Redis its own — db numbers do not separate pub/sub (D37).
   */
  redisPrefix?: string;
  /** Milliseconds between presence heartbeats; a dead process's entries vanish after 3×. */
  presenceHeartbeatMs?: number;
  /** Seconds a join token stays valid (each join hands out a fresh one). */
  tokenTtlSeconds?: number;
  /** Milliseconds graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs?: number;
  logLevel?: LogLevel;
  /** Bearer token for `GET /_livery/metrics` (Prometheus); without it or `metrics.port`, there is no endpoint. */
  metricsToken?: string;
  /** Where the metrics are served and how they are labelled (docs/operations.md, "Metrics"). */
  metrics?: Partial<MetricsOptions>;
  /** `pretty` (readable lines for a terminal) or `json` (one object per line, for log shippers). */
  logFormat?: LogFormat;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (HTTP and the live socket):
   * a number of hops, or proxy addresses/CIDRs. Unset: the peer address, X-Forwarded-For ignored.
   */
  trustProxy?: number | string | readonly string[];
  /** Resumable uploads (docs/uploads.md): where bytes go, how long partial uploads live, quotas. */
  uploads?: Partial<UploadOptions>;
  /** An upload store instance to use instead of the local directory `uploads.dir` (e.g. S3-compatible). */
  uploadStore?: UploadStore;
  /**
   * The app's own template filters (docs/templates.md, "Custom filters"): name → function, or
   * `{ filter, safe: true }` for one whose output is HTML it escaped itself (D76).
   */
  filters?: TemplateFilters;
}

export interface UploadOptions {
  /** Directory for upload bytes (`<dir>/<tenant>/<id>`), shared by the processes of one machine. */
  dir: string;
  /** Seconds a partial (or unhandled) upload may sit unwritten before it is removed. */
  expireSeconds: number;
  /** Bytes per PATCH request the browser client sends. */
  chunkBytes: number;
  /** Each tenant's storage quota for uploads in progress or not yet handled, in bytes. */
  tenantQuotaBytes: number;
  /** A tenant's quota in bytes, when it depends on the tenant (default: `tenantQuotaBytes` for all). */
  quota?: (tenant: TenantInfo) => number | Promise<number>;
}

/** The resolved trusted-proxy setting: hops, or addresses/CIDRs (proxy-addr syntax). */
export type TrustProxy = number | readonly string[];

export type LogFormat = 'pretty' | 'json';

/**
 * Set only in a process that `livery dev` / `npm run dev` supervises, and never in production:
 * where the state snapshot handed from one dev process to the next lives, and the file
 * descriptor on which the process reports errors and its address to the supervisor.
 */
export interface DevConfig {
  readonly snapshotFile: string;
  readonly reportFd: number | undefined;
}

export interface StateOptions {
  backend: string;
  ttlSeconds: number;
  maxEntries: number;
  /** Largest serialized state of one view, in bytes. */
  maxBytes: number;
  /** Memory backend: bytes all states together may take (shared fairly between tenants, D30). */
  maxMemoryBytes: number;
  /** Seconds a first paint's state waits for its join; the join gives it the full TTL (D31). */
  preJoinTtlSeconds: number;
  /**
   * Redis backend: bytes one tenant's stored states may take together (D36); a change that would
   * grow them past it fails with LV_STATE_QUOTA_EXCEEDED. The runtime's `stateBudget` may set it per tenant.
   */
  tenantMaxBytes: number;
}

export interface MetricsOptions {
  /**
   * Serve `/_livery/metrics` on this port only, on its own listener (bound to `host`), and not on
   * the app's port at all. Unset: on the app's port, behind `metricsToken`.
   */
  port: number | undefined;
  /** The interface the metrics listener binds to (with `port`). */
  host: string;
  /** Per-tenant series for the N busiest tenants (the rest summed as `_other`); 0: no tenant label. */
  tenantLabels: number;
}

export interface SocketOptions {
  maxFrameBytes: number;
  /** Sustained frames per second per socket (a join costs 2, a heartbeat 0.25, any other frame 1). */
  ratePerSecond: number;
  /** Frames a socket may send in a burst above the rate, in the same units. */
  rateBurst: number;
  compression: boolean;
  idleTimeoutSeconds: number;
  /** Milliseconds a join may take (mount, onJoin, backends) before it is answered LV_JOIN_TIMEOUT. */
  joinTimeoutMs: number;
  /** Buffered bytes above which ticks and infos for a socket are coalesced until it drains. */
  backpressureBytes: number;
  /** Milliseconds a socket may stay over `backpressureBytes` with pushes held back before it is closed LV_SOCKET_STALLED. */
  stallTimeoutMs: number;
  /** Origins allowed besides the page's own host (e.g. https://app.example.com). */
  allowedOrigins: string[];
  /** Live views (joined or joining) one socket may hold; another join is answered LV_TOO_MANY_VIEWS. */
  maxViews: number;
  /** Live sockets one browser session may have open in this process. */
  maxPerSession: number;
  /** Live sockets one client address may have open in this process. */
  maxPerIp: number;
}

/** The page-render budget of one client address: a token bucket, per process (D42). */
export interface PageOptions {
  /** Live-page renders per second one client address may cause, sustained. */
  ratePerSecond: number;
  /** Renders it may cause at once above that. */
  burst: number;
}

export interface LiveryConfig {
  routes: Route[];
  /** Views nested with `{% live %}` that no route serves. */
  views: ViewClass[];
  /** undefined: tenancy off, one implicit tenant. */
  tenancy: TenancyConfig | undefined;
  templatesDir: string;
  staticDir: string;
  layout: string | undefined;
  port: number;
  host: string;
  production: boolean;
  secret: string | undefined;
  secretFile: string;
  state: StateOptions;
  socket: SocketOptions;
  pages: PageOptions;
  pubsub: string;
  redisUrl: string;
  redisPrefix: string;
  presenceHeartbeatMs: number;
  /** Set in each process started by `--workers N`: process-local backends are refused. */
  worker: boolean;
  tokenTtlSeconds: number;
  sessionTtlSeconds: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** undefined unless supervised by the dev loop (and never in production). */
  dev: DevConfig | undefined;
  /** undefined: the metrics endpoint needs no token (own port) or does not exist (app port). */
  metricsToken: string | undefined;
  metrics: MetricsOptions;
  /** undefined: no proxy trusted, the client address is the peer's. */
  trustProxy: TrustProxy | undefined;
  uploads: UploadOptions;
  /** The app's template filters, checked (livery.C066). */
  filters: TemplateFilters;
}

/** Every option with an environment variable, for the README table and the env reader. */
export const ENVIRONMENT: ReadonlyArray<{ env: string; option: string; kind: 'int' | 'bool' | 'string' | 'list'; default: string; doc: string }> = [
  { env: 'PORT', option: 'port', kind: 'int', default: '3000', doc: 'HTTP and WebSocket port (one port for both)' },
  { env: 'HOST', option: 'host', kind: 'string', default: '0.0.0.0', doc: 'interface to listen on' },
  { env: 'NODE_ENV', option: 'production', kind: 'string', default: 'development', doc: '`production` requires LIVERY_SECRET and disables dev conveniences' },
  { env: 'LIVERY_SECRET', option: 'secret', kind: 'string', default: 'generated in development', doc: 'app secret (≥ 32 characters) signing join tokens; required in production' },
  { env: 'LIVERY_SECRET_FILE', option: 'secretFile', kind: 'string', default: '.livery/secret', doc: 'where development keeps its generated secret' },
  { env: 'LIVERY_TEMPLATES_DIR', option: 'templatesDir', kind: 'string', default: 'templates', doc: 'directory of templates' },
  { env: 'LIVERY_STATIC_DIR', option: 'staticDir', kind: 'string', default: 'static', doc: 'the app\'s own files (stylesheets, images), served under `/static/` when the folder exists' },
  { env: 'LIVERY_STATE_BACKEND', option: 'state.backend', kind: 'string', default: 'memory', doc: 'state backend: `memory` (one process) or `redis` (shared, write-through)' },
  { env: 'LIVERY_PUBSUB', option: 'pubsub', kind: 'string', default: 'memory', doc: 'pub/sub and presence: `memory` (one process) or `redis` (across processes)' },
  { env: 'LIVERY_PRESENCE_HEARTBEAT', option: 'presenceHeartbeatMs', kind: 'int', default: '5000', doc: 'milliseconds between presence heartbeats; a crashed process\'s entries vanish within 3×' },
  { env: 'REDIS_URL', option: 'redisUrl', kind: 'string', default: 'redis://127.0.0.1:6379', doc: 'Redis for the `redis` backends (`redis+cluster://host:port,host:port` for a Redis Cluster); unreachable at startup is an error, never a fallback' },
  { env: 'LIVERY_REDIS_PREFIX', option: 'redisPrefix', kind: 'string', default: 'lv', doc: 'the deployment\'s namespace in Redis (every key and channel starts `<prefix>:`); give each deployment sharing a Redis its own, whatever their db numbers' },
  { env: 'LIVERY_STATE_TTL', option: 'state.ttlSeconds', kind: 'int', default: '3600', doc: 'seconds a view\'s state outlives its socket' },
  { env: 'LIVERY_STATE_MAX_ENTRIES', option: 'state.maxEntries', kind: 'int', default: '100000', doc: 'memory backend: most states kept, across tenants (the tenant holding the most loses its least recently used first)' },
  { env: 'LIVERY_STATE_MAX_BYTES', option: 'state.maxBytes', kind: 'int', default: '262144', doc: 'largest serialized state of one view; a change that would grow it past this fails with LV_STATE_OVER_LIMIT and is undone' },
  { env: 'LIVERY_STATE_MAX_MEMORY', option: 'state.maxMemoryBytes', kind: 'int', default: '268435456', doc: 'memory backend: bytes all views\' states may take (256 MiB); when full, the tenant holding the most loses its least recently used state first' },
  { env: 'LIVERY_STATE_PREJOIN_TTL', option: 'state.preJoinTtlSeconds', kind: 'int', default: '120', doc: 'seconds a page\'s state waits for its socket to join (a later join mounts afresh); joined, it lives `LIVERY_STATE_TTL`' },
  { env: 'LIVERY_STATE_TENANT_MAX_BYTES', option: 'state.tenantMaxBytes', kind: 'int', default: '268435456', doc: 'Redis backend: bytes one tenant\'s stored view states may take together (256 MiB, each counted as its JSON plus 512); a change that would grow them past it fails with LV_STATE_QUOTA_EXCEEDED, a first paint gets HTTP 429' },
  { env: 'LIVERY_MAX_FRAME_BYTES', option: 'socket.maxFrameBytes', kind: 'int', default: '65536', doc: 'largest client frame; a larger one is answered LV_FRAME_TOO_LARGE and the socket closed with 1009' },
  { env: 'LIVERY_RATE_PER_SECOND', option: 'socket.ratePerSecond', kind: 'int', default: '50', doc: 'sustained frames per second per socket (a join costs 2, a heartbeat 0.25, any other frame 1)' },
  { env: 'LIVERY_RATE_BURST', option: 'socket.rateBurst', kind: 'int', default: '100', doc: 'burst allowed above the rate, in the same units' },
  { env: 'LIVERY_COMPRESSION', option: 'socket.compression', kind: 'bool', default: 'false', doc: 'permessage-deflate on the live socket' },
  { env: 'LIVERY_IDLE_TIMEOUT', option: 'socket.idleTimeoutSeconds', kind: 'int', default: '60', doc: 'seconds of silence before a socket is dropped (pings keep live ones open)' },
  { env: 'LIVERY_JOIN_TIMEOUT', option: 'socket.joinTimeoutMs', kind: 'int', default: '10000', doc: 'milliseconds a join may take before it is answered LV_JOIN_TIMEOUT and the socket closed for a fresh retry' },
  { env: 'LIVERY_BACKPRESSURE_BYTES', option: 'socket.backpressureBytes', kind: 'int', default: '262144', doc: 'buffered bytes above which pushes are coalesced' },
  { env: 'LIVERY_STALL_TIMEOUT', option: 'socket.stallTimeoutMs', kind: 'int', default: '30000', doc: 'milliseconds a socket may stay over the backpressure budget with pushes held back (or reach twice it) before it is closed LV_SOCKET_STALLED (4408)' },
  { env: 'LIVERY_ALLOWED_ORIGINS', option: 'socket.allowedOrigins', kind: 'list', default: '(none)', doc: 'comma-separated extra origins allowed to open the socket' },
  { env: 'LIVERY_MAX_VIEWS', option: 'socket.maxViews', kind: 'int', default: '32', doc: 'live views one socket may hold; another join is answered LV_TOO_MANY_VIEWS' },
  { env: 'LIVERY_MAX_SOCKETS_PER_SESSION', option: 'socket.maxPerSession', kind: 'int', default: '32', doc: 'live sockets one browser session may have open per process; more are refused LV_TOO_MANY_SOCKETS (close 4429)' },
  { env: 'LIVERY_MAX_SOCKETS_PER_IP', option: 'socket.maxPerIp', kind: 'int', default: '256', doc: 'live sockets one client address may have open per process; more are refused at the upgrade, HTTP 429 LV_TOO_MANY_SOCKETS' },
  { env: 'LIVERY_PAGE_RATE_PER_SECOND', option: 'pages.ratePerSecond', kind: 'int', default: '10', doc: 'live-page renders per second one client address may cause per process (each mounts a view and stores its state); more are answered HTTP 429 LV_PAGE_RATE_LIMITED with Retry-After' },
  { env: 'LIVERY_PAGE_RATE_BURST', option: 'pages.burst', kind: 'int', default: '100', doc: 'live-page renders one client address may cause at once above that rate' },
  { env: 'LIVERY_TRUST_PROXY', option: 'trustProxy', kind: 'string', default: '(none: X-Forwarded-For ignored)', doc: 'proxies whose X-Forwarded-For names the client address (HTTP and socket): a hop count (`1`) or comma-separated addresses/CIDRs' },
  { env: 'LIVERY_SESSION_TTL', option: 'sessionTtlSeconds', kind: 'int', default: '604800', doc: 'seconds a browser session lives after its last use' },
  { env: 'LIVERY_TOKEN_TTL', option: 'tokenTtlSeconds', kind: 'int', default: '7200', doc: 'seconds a join token is valid' },
  { env: 'LIVERY_SHUTDOWN_TIMEOUT', option: 'shutdownTimeoutMs', kind: 'int', default: '5000', doc: 'milliseconds graceful shutdown may take' },
  { env: 'LIVERY_LOG_LEVEL', option: 'logLevel', kind: 'string', default: 'info', doc: 'pino log level' },
  { env: 'LIVERY_LOG_FORMAT', option: 'logFormat', kind: 'string', default: 'pretty in development, json in production', doc: '`pretty` (readable terminal lines) or `json` (one object per line)' },
  { env: 'LIVERY_UPLOADS_DIR', option: 'uploads.dir', kind: 'string', default: '.livery/uploads', doc: 'directory for upload bytes (`<dir>/<tenant>/<id>`), shared by the processes of one machine' },
  { env: 'LIVERY_UPLOADS_EXPIRE', option: 'uploads.expireSeconds', kind: 'int', default: '86400', doc: 'seconds a partial or unhandled upload may sit unwritten before it is removed' },
  { env: 'LIVERY_UPLOADS_CHUNK_BYTES', option: 'uploads.chunkBytes', kind: 'int', default: '8388608', doc: 'bytes per upload request the browser client sends (a dropped connection resends at most the unacknowledged part of one)' },
  { env: 'LIVERY_UPLOADS_TENANT_QUOTA', option: 'uploads.tenantQuotaBytes', kind: 'int', default: '1073741824', doc: 'bytes of uploads in progress (or not yet handled) one tenant may hold; more are refused LV_UPLOAD_QUOTA_EXCEEDED' },
  { env: 'LIVERY_METRICS_TOKEN', option: 'metricsToken', kind: 'string', default: '(none: no metrics endpoint)', doc: 'bearer token (≥ 32 characters) for `GET /_livery/metrics` (Prometheus); unset and no `LIVERY_METRICS_PORT`, the endpoint does not exist' },
  { env: 'LIVERY_METRICS_PORT', option: 'metrics.port', kind: 'string', default: '(none: on the app\'s port, behind the token)', doc: 'serve `/_livery/metrics` on this port only (its own listener), never on the app\'s port and tenant hosts' },
  { env: 'LIVERY_METRICS_HOST', option: 'metrics.host', kind: 'string', default: '127.0.0.1', doc: 'interface the metrics port binds to; any other than loopback needs `LIVERY_METRICS_TOKEN`' },
  { env: 'LIVERY_METRICS_TENANT_LABELS', option: 'metrics.tenantLabels', kind: 'int', default: '0', doc: 'per-tenant metrics for the N busiest tenants, the rest summed as `_other`; 0: no tenant label' },
];
