import { resolve } from 'node:path';
import proxyaddr from '@fastify/proxy-addr';
import { devSupervision, envValue, isWorkerProcess, logFormatFromEnv, processEnv, secretFromEnv, workerNumber, type Env } from '../config/env.ts';
import { resolveTenancy } from '../tenancy/resolve.ts';
import { invalidRedisPrefix, viewStateKey } from '../keys.ts';
import { memoryStateSize } from '../state/memory-state-backend.ts';
import { REDIS_ENTRY_OVERHEAD } from '../state/redis-state-scripts.ts';
import { MIN_SECRET_LENGTH } from '../token/secret.ts';
import { failOn, type Problem } from '../config/checks.ts';
import { appFilterProblems, isBuiltInFilter, type TemplateFilters } from '../template/index.ts';
import { ENVIRONMENT, LOG_LEVELS, type DevConfig, type LiveryConfig, type LiveryOptions, type LogFormat, type TrustProxy } from './options.ts';

const KNOWN_BACKENDS = new Set(['memory', 'redis']);

/** The app's template filters, or none when any is invalid (each problem is livery.C066). */
function appFilters(filters: TemplateFilters | undefined, problems: Problem[]): TemplateFilters {
  const found = appFilterProblems(filters, isBuiltInFilter);
  for (const detail of found) problems.push({ id: 'livery.C066', detail });
  return found.length > 0 || filters === undefined ? {} : filters;
}

/**
 * Defaults ← environment ← explicit options, validated. Throws a StartupError naming every
 * problem at once.
 */
export function resolveConfig(options: LiveryOptions = {}, env: Env = processEnv()): LiveryConfig {
  const problems: Problem[] = [];
  const fromEnv = readEnvironment(env, problems);
  const tenancy = resolveTenancy(options.tenancy, env);
  problems.push(...tenancy.problems);
  const pick = <T>(explicit: T | undefined, option: string): T => (explicit !== undefined ? explicit : (fromEnv.get(option) as T));
  const production = options.production ?? fromEnv.get('production') === 'production';
  const config: LiveryConfig = {
    routes: options.routes ?? [],
    views: options.views ?? [],
    tenancy: tenancy.config,
    templatesDir: resolve(pick(options.templatesDir, 'templatesDir')),
    staticDir: resolve(pick(options.staticDir, 'staticDir')),
    layout: options.layout,
    port: pick(options.port, 'port'),
    host: pick(options.host, 'host'),
    production,
    secret: options.secret ?? secretFromEnv(env),
    secretFile: resolve(pick(options.secretFile, 'secretFile')),
    state: {
      backend: pick(options.state?.backend, 'state.backend'),
      ttlSeconds: pick(options.state?.ttlSeconds, 'state.ttlSeconds'),
      maxEntries: pick(options.state?.maxEntries, 'state.maxEntries'),
      maxBytes: pick(options.state?.maxBytes, 'state.maxBytes'),
      maxMemoryBytes: pick(options.state?.maxMemoryBytes, 'state.maxMemoryBytes'),
      preJoinTtlSeconds: preJoinTtl(options.state?.preJoinTtlSeconds, env, fromEnv, pick(options.state?.ttlSeconds, 'state.ttlSeconds')),
      tenantMaxBytes: pick(options.state?.tenantMaxBytes, 'state.tenantMaxBytes'),
    },
    pubsub: pick(options.pubsub, 'pubsub'),
    redisUrl: pick(options.redisUrl, 'redisUrl'),
    redisPrefix: pick(options.redisPrefix, 'redisPrefix'),
    presenceHeartbeatMs: pick(options.presenceHeartbeatMs, 'presenceHeartbeatMs'),
    worker: isWorkerProcess(env),
    socket: {
      maxFrameBytes: pick(options.socket?.maxFrameBytes, 'socket.maxFrameBytes'),
      ratePerSecond: pick(options.socket?.ratePerSecond, 'socket.ratePerSecond'),
      rateBurst: pick(options.socket?.rateBurst, 'socket.rateBurst'),
      compression: pick(options.socket?.compression, 'socket.compression'),
      idleTimeoutSeconds: pick(options.socket?.idleTimeoutSeconds, 'socket.idleTimeoutSeconds'),
      joinTimeoutMs: pick(options.socket?.joinTimeoutMs, 'socket.joinTimeoutMs'),
      backpressureBytes: pick(options.socket?.backpressureBytes, 'socket.backpressureBytes'),
      stallTimeoutMs: pick(options.socket?.stallTimeoutMs, 'socket.stallTimeoutMs'),
      allowedOrigins: pick(options.socket?.allowedOrigins, 'socket.allowedOrigins'),
      maxViews: pick(options.socket?.maxViews, 'socket.maxViews'),
      maxPerSession: pick(options.socket?.maxPerSession, 'socket.maxPerSession'),
      maxPerIp: pick(options.socket?.maxPerIp, 'socket.maxPerIp'),
    },
    pages: {
      ratePerSecond: pick(options.pages?.ratePerSecond, 'pages.ratePerSecond'),
      burst: pick(options.pages?.burst, 'pages.burst'),
    },
    tokenTtlSeconds: pick(options.tokenTtlSeconds, 'tokenTtlSeconds'),
    sessionTtlSeconds: pick(options.sessionTtlSeconds, 'sessionTtlSeconds'),
    shutdownTimeoutMs: pick(options.shutdownTimeoutMs, 'shutdownTimeoutMs'),
    logLevel: pick(options.logLevel, 'logLevel'),
    logFormat: options.logFormat ?? logFormatFrom(logFormatFromEnv(env), production),
    dev: production ? undefined : devSupervision(env),
    metricsToken: options.metricsToken ?? (env.LIVERY_METRICS_TOKEN || undefined),
    metrics: {
      port: workerPort(options.metrics?.port ?? portFromEnv(envValue('LIVERY_METRICS_PORT', env), problems), env),
      host: pick(options.metrics?.host, 'metrics.host'),
      tenantLabels: pick(options.metrics?.tenantLabels, 'metrics.tenantLabels'),
    },
    trustProxy: trustProxyFrom(options.trustProxy ?? (envValue('LIVERY_TRUST_PROXY', env) || undefined), problems),
    uploads: {
      dir: resolve(pick(options.uploads?.dir, 'uploads.dir')),
      expireSeconds: pick(options.uploads?.expireSeconds, 'uploads.expireSeconds'),
      chunkBytes: pick(options.uploads?.chunkBytes, 'uploads.chunkBytes'),
      tenantQuotaBytes: pick(options.uploads?.tenantQuotaBytes, 'uploads.tenantQuotaBytes'),
      quota: options.uploads?.quota,
    },
    filters: appFilters(options.filters, problems),
  };
  checkConfig(config, problems);
  failOn(problems);
  return config;
}

function checkConfig(config: LiveryConfig, problems: Problem[]): void {
  if (config.production && !config.secret) problems.push({ id: 'livery.C001', detail: 'NODE_ENV=production and no LIVERY_SECRET' });
  if (config.secret && config.secret.length < MIN_SECRET_LENGTH) {
    problems.push({ id: 'livery.C002', detail: `the secret has ${config.secret.length} characters` });
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < MIN_SECRET_LENGTH) {
    problems.push({ id: 'livery.C035', detail: `the metrics token has ${config.metricsToken.length} characters` });
  }
  checkMetrics(config, problems);
  if (!KNOWN_BACKENDS.has(config.state.backend)) {
    problems.push({ id: 'livery.C004', detail: `state backend "${config.state.backend}"` });
  }
  if (!KNOWN_BACKENDS.has(config.pubsub)) problems.push({ id: 'livery.C004', detail: `pub/sub backend "${config.pubsub}"` });
  const badPrefix = invalidRedisPrefix(config.redisPrefix);
  if (badPrefix !== null) problems.push({ id: 'livery.C048', detail: `redisPrefix (LIVERY_REDIS_PREFIX) ${badPrefix}` });
  if (config.worker) {
    for (const [what, backend] of [['state', config.state.backend], ['pub/sub', config.pubsub]] as const) {
      if (backend === 'memory') problems.push({ id: 'livery.C020', detail: `a worker of --workers with the process-local ${what} backend` });
    }
  }
  const positive: Array<[string, number]> = [
    ['state.ttlSeconds', config.state.ttlSeconds], ['state.maxEntries', config.state.maxEntries],
    ['state.maxBytes', config.state.maxBytes], ['state.maxMemoryBytes', config.state.maxMemoryBytes],
    ['state.preJoinTtlSeconds', config.state.preJoinTtlSeconds], ['state.tenantMaxBytes', config.state.tenantMaxBytes], ['socket.maxFrameBytes', config.socket.maxFrameBytes],
    ['socket.ratePerSecond', config.socket.ratePerSecond], ['socket.rateBurst', config.socket.rateBurst],
    ['socket.idleTimeoutSeconds', config.socket.idleTimeoutSeconds], ['socket.joinTimeoutMs', config.socket.joinTimeoutMs], ['socket.backpressureBytes', config.socket.backpressureBytes], ['socket.stallTimeoutMs', config.socket.stallTimeoutMs],
    ['presenceHeartbeatMs', config.presenceHeartbeatMs], ['tokenTtlSeconds', config.tokenTtlSeconds], ['sessionTtlSeconds', config.sessionTtlSeconds], ['shutdownTimeoutMs', config.shutdownTimeoutMs],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) problems.push({ id: 'livery.C009', detail: `${name} = ${value}` });
  }
  const caps: Array<[string, number]> = [
    ['socket.maxViews', config.socket.maxViews], ['socket.maxPerSession', config.socket.maxPerSession], ['socket.maxPerIp', config.socket.maxPerIp],
  ];
  for (const [name, value] of caps) {
    if (!Number.isSafeInteger(value) || value < 1) problems.push({ id: 'livery.C044', detail: `${name} = ${value}` });
  }
  for (const [name, value] of [['pages.ratePerSecond', config.pages.ratePerSecond], ['pages.burst', config.pages.burst]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) problems.push({ id: 'livery.C051', detail: `${name} = ${value}` });
  }
  checkStateBounds(config, problems);
  checkUploads(config, problems);
  if (config.logFormat !== 'pretty' && config.logFormat !== 'json') {
    problems.push({ id: 'livery.C003', detail: `LIVERY_LOG_FORMAT=${JSON.stringify(config.logFormat)} is not pretty or json` });
  }
  if (!LOG_LEVELS.includes(config.logLevel)) {
    problems.push({ id: 'livery.C003', detail: `LIVERY_LOG_LEVEL=${JSON.stringify(config.logLevel)} is not one of ${LOG_LEVELS.join(', ')}` });
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    problems.push({ id: 'livery.C009', detail: `port = ${config.port}` });
  }
}

/**
 * Worker k of `--workers N` serves its metrics on `metrics.port` + k − 1: the app's port is shared
 * (SO_REUSEPORT, any worker may answer), but each process's counters are its own, so a scraper
 * must reach each one at an address of its own.
 */
function workerPort(port: number | undefined, env: Env): number | undefined {
  return port === undefined || port === 0 ? port : port + workerNumber(env) - 1;
}

/** LIVERY_METRICS_PORT, or undefined when unset or empty. */
function portFromEnv(raw: string | undefined, problems: Problem[]): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) {
    problems.push({ id: 'livery.C003', detail: `LIVERY_METRICS_PORT=${JSON.stringify(raw)} is not a whole number` });
    return undefined;
  }
  return Number(raw);
}

/** Tenant hosts must never serve metrics unguarded (D46); tenant labels are bounded (D48). */
function checkMetrics(config: LiveryConfig, problems: Problem[]): void {
  const { port, host, tenantLabels } = config.metrics;
  if (port !== undefined) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push({ id: 'livery.C055', detail: `metrics.port = ${port}` });
    else if (port !== 0 && port === config.port) problems.push({ id: 'livery.C055', detail: `metrics.port = ${port} is the app's port` });
    if (config.metricsToken === undefined && !isLoopback(host)) {
      problems.push({ id: 'livery.C056', detail: `metrics.host = ${JSON.stringify(host)} with no metrics token` });
    }
  }
  if (!Number.isSafeInteger(tenantLabels) || tenantLabels < 0 || tenantLabels > MAX_TENANT_LABELS) {
    problems.push({ id: 'livery.C057', detail: `metrics.tenantLabels = ${tenantLabels}` });
  }
}

/** Tenant series per tenant metric, at most (each is one Prometheus series per labelled tenant). */
export const MAX_TENANT_LABELS = 1000;

/** Loopback addresses: the only ones a metrics port may listen on without a token. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The trusted-proxy setting: a hop count, or proxy addresses/CIDRs (proxy-addr's syntax, which
 * Fastify's `trustProxy` shares). Checked by compiling it here, so a typo fails at startup.
 */
function trustProxyFrom(raw: number | string | readonly string[] | undefined, problems: Problem[]): TrustProxy | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw))) {
    const hops = Number(raw);
    if (!Number.isSafeInteger(hops) || hops < 1) problems.push({ id: 'livery.C043', detail: `trustProxy = ${JSON.stringify(raw)} hops` });
    return hops;
  }
  const list = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((s) => s.trim()).filter(Boolean);
  try {
    if (list.length === 0) throw new Error('empty');
    proxyaddr.compile(list);
  } catch {
    problems.push({ id: 'livery.C043', detail: `trustProxy = ${JSON.stringify(raw)}` });
  }
  return list;
}

/**
 * The pre-join TTL: as given, or by default two minutes — but never longer than a state TTL set
 * shorter than that (only a pre-join TTL someone chose is refused as longer, C041).
 */
function preJoinTtl(explicit: number | undefined, env: Env, fromEnv: Map<string, unknown>, ttl: number): number {
  const value = explicit ?? (fromEnv.get('state.preJoinTtlSeconds') as number);
  if (explicit !== undefined || (envValue('LIVERY_STATE_PREJOIN_TTL', env) ?? '') !== '') return value;
  return ttl > 0 ? Math.min(value, ttl) : value;
}

/** State bounds that contradict each other (each positive on its own: C009 covers that). */
function checkStateBounds(config: LiveryConfig, problems: Problem[]): void {
  const { maxBytes, maxMemoryBytes, preJoinTtlSeconds, ttlSeconds } = config.state;
  // The memory backend counts a state as its key and JSON at two bytes a character, plus overhead.
  const largest = memoryStateSize(viewStateKey('t', 'x'.repeat(16)), 'x'.repeat(maxBytes));
  if (maxBytes > 0 && maxMemoryBytes > 0 && maxMemoryBytes < largest) {
    problems.push({ id: 'livery.C040', detail: `state.maxMemoryBytes = ${maxMemoryBytes} cannot hold one state of state.maxBytes = ${maxBytes} (counted as ${largest} bytes)` });
  }
  // A budget that cannot hold one largest state would refuse a single tab of a new tenant.
  const tenantMaxBytes = config.state.tenantMaxBytes;
  if (maxBytes > 0 && tenantMaxBytes > 0 && tenantMaxBytes < maxBytes + REDIS_ENTRY_OVERHEAD) {
    problems.push({ id: 'livery.C045', detail: `state.tenantMaxBytes = ${tenantMaxBytes} cannot hold one state of state.maxBytes = ${maxBytes} (counted as ${maxBytes + REDIS_ENTRY_OVERHEAD} bytes)` });
  }
  if (ttlSeconds > 0 && preJoinTtlSeconds > ttlSeconds) {
    problems.push({ id: 'livery.C041', detail: `state.preJoinTtlSeconds = ${preJoinTtlSeconds} is longer than state.ttlSeconds = ${ttlSeconds}` });
  }
}

/** livery.C062: upload settings out of range. */
function checkUploads(config: LiveryConfig, problems: Problem[]): void {
  const { expireSeconds, chunkBytes, tenantQuotaBytes, quota } = config.uploads;
  if (!Number.isSafeInteger(expireSeconds) || expireSeconds < 60) problems.push({ id: 'livery.C062', detail: `uploads.expireSeconds = ${expireSeconds}` });
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 64 * 1024 || chunkBytes > 1024 * 1024 * 1024) problems.push({ id: 'livery.C062', detail: `uploads.chunkBytes = ${chunkBytes}` });
  if (!Number.isSafeInteger(tenantQuotaBytes) || tenantQuotaBytes < 1) problems.push({ id: 'livery.C062', detail: `uploads.tenantQuotaBytes = ${tenantQuotaBytes}` });
  if (quota !== undefined && typeof quota !== 'function') problems.push({ id: 'livery.C062', detail: 'uploads.quota is not a function (tenant) => bytes' });
}

function logFormatFrom(raw: string | undefined, production: boolean): LogFormat {
  if (raw === undefined || raw === '') return production ? 'json' : 'pretty';
  return raw as LogFormat; // validated by checkConfig
}

export { devSupervision };

/** Each option's value from its environment variable, or its default. */
function readEnvironment(env: Env, problems: Problem[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const spec of ENVIRONMENT) {
    const raw = envValue(spec.env, env);
    const given = raw !== undefined && raw !== '';
    const text = given ? raw : spec.default;
    switch (spec.kind) {
      case 'int': {
        const n = Number(text);
        if (!/^\d+$/.test(text.trim())) problems.push({ id: 'livery.C003', detail: `${spec.env}=${JSON.stringify(raw)} is not a whole number` });
        values.set(spec.option, n);
        break;
      }
      case 'bool':
        if (!/^(true|false|1|0)$/.test(text)) problems.push({ id: 'livery.C003', detail: `${spec.env}=${JSON.stringify(raw)} is not true/false` });
        values.set(spec.option, text === 'true' || text === '1');
        break;
      case 'list':
        values.set(spec.option, given ? text.split(',').map((s) => s.trim()).filter(Boolean) : []);
        break;
      default:
        values.set(spec.option, text);
    }
  }
  return values;
}
