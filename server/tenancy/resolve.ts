import { envValue, type Env } from '../config/env.ts';
import type { TenancyProblem } from './checks.ts';
import { loadCustomResolver } from './custom-resolver.ts';
import { DEFAULT_TENANT_HEADER } from './header-resolver.ts';
import { DEFAULT_JWT_CLAIM, DEFAULT_JWT_COOKIE } from './jwt-resolver.ts';
import { jwtKeyOf } from './jwt-key.ts';
import { TENANCY_ENVIRONMENT, type TenancyConfig, type TenancyOptions, type TenantQuotaOptions } from './options.ts';
import { DEFAULT_SESSION_KEY } from './session-resolver.ts';
import { isTenantSlug } from './slug.ts';
import { DEFAULT_SUBDOMAIN_EXCLUDE, normalizeDomain } from './subdomain-resolver.ts';
import { RESOLVER_NAMES, type ResolverName } from './types.ts';

export interface TenancyResolution {
  /** undefined = tenancy off (no resolver named). */
  readonly config: TenancyConfig | undefined;
  readonly problems: TenancyProblem[];
}

/** Defaults of the per-tenant quotas (D41) and of the recheck interval (D40). */
export const DEFAULT_TENANT_QUOTAS: Readonly<TenantQuotaOptions> = { sockets: 10_000, eventsPerSecond: 1000, stateBytes: 0 };
const DEFAULT_RECHECK_SECONDS = 10;

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const PATH_PREFIX = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/;

/**
 * Defaults ← environment ← explicit options, checked. Pure and synchronous: a `customModule`
 * is imported by `loadTenancy`, which the runtime calls at startup.
 *
 * @example
 * const { config, problems } = resolveTenancy({ resolver: ['subdomain', 'path'], mainDomain: 'localhost', pathPrefix: '/t' }, processEnv());
 */
export function resolveTenancy(options: TenancyOptions | undefined, env: Env): TenancyResolution {
  const problems: TenancyProblem[] = [];
  const fromEnv = readEnvironment(env, problems);
  const pick = <K extends keyof TenancyOptions>(key: K): TenancyOptions[K] =>
    options?.[key] !== undefined ? options[key] : (fromEnv.get(key) as TenancyOptions[K]);
  const resolvers = resolverNames(pick('resolver'), problems);
  if (resolvers.length === 0) {
    const settings = new Set([...Object.keys(options ?? {}).filter((key) => options?.[key as keyof TenancyOptions] !== undefined), ...fromEnv.keys()]);
    settings.delete('resolver');
    if (settings.size > 0 && !problems.some((p) => p.id === 'livery.C012')) {
      problems.push({ id: 'livery.C012', detail: `tenancy settings given (${[...settings].join(', ')}) but no resolver named` });
    }
    return { config: undefined, problems };
  }
  const mainDomain = pick('mainDomain');
  const config: TenancyConfig = {
    resolvers,
    mainDomain: mainDomain === undefined ? undefined : normalizeDomain(mainDomain),
    subdomainExclude: pick('subdomainExclude') ?? DEFAULT_SUBDOMAIN_EXCLUDE,
    default: pick('default'),
    pathPrefix: pick('pathPrefix') ?? '',
    pathExclude: pick('pathExclude'),
    header: pick('header') ?? DEFAULT_TENANT_HEADER,
    sessionKey: pick('sessionKey') ?? DEFAULT_SESSION_KEY,
    jwtClaim: pick('jwtClaim') ?? DEFAULT_JWT_CLAIM,
    jwtSecret: pick('jwtSecret'),
    jwtPublicKey: pick('jwtPublicKey'),
    jwtCookie: pick('jwtCookie') ?? DEFAULT_JWT_COOKIE,
    jwtIssuer: pick('jwtIssuer'),
    jwtAudience: pick('jwtAudience'),
    custom: options?.custom,
    customModule: pick('customModule'),
    checkMembership: pick('checkMembership') ?? true,
    trustedHeader: pick('trustedHeader') ?? false,
    recheckSeconds: pick('recheckSeconds') ?? DEFAULT_RECHECK_SECONDS,
    quotas: {
      sockets: options?.quotas?.sockets ?? (fromEnv.get('quotas.sockets') as number | undefined) ?? DEFAULT_TENANT_QUOTAS.sockets,
      eventsPerSecond: options?.quotas?.eventsPerSecond ?? (fromEnv.get('quotas.eventsPerSecond') as number | undefined) ?? DEFAULT_TENANT_QUOTAS.eventsPerSecond,
      stateBytes: options?.quotas?.stateBytes ?? (fromEnv.get('quotas.stateBytes') as number | undefined) ?? DEFAULT_TENANT_QUOTAS.stateBytes,
    },
  };
  checkTenancy(config, problems);
  return { config, problems };
}

/**
 * `resolveTenancy`, then the custom resolver module imported (once) when the chain needs it.
 * A module that fails to load or exports no default function is a startup problem.
 */
export async function loadTenancy(options: TenancyOptions | undefined, env: Env, cwd = process.cwd()): Promise<TenancyResolution> {
  const { config, problems } = resolveTenancy(options, env);
  if (!config || !config.resolvers.includes('custom') || config.custom || config.customModule === undefined) return { config, problems };
  const loaded = await loadCustomResolver(config.customModule, cwd);
  if (typeof loaded === 'string') return { config, problems: [...problems, { id: 'livery.C014', detail: loaded }] };
  return { config: { ...config, custom: loaded }, problems };
}

function checkTenancy(config: TenancyConfig, problems: TenancyProblem[]): void {
  const uses = (name: ResolverName) => config.resolvers.includes(name);
  if (uses('subdomain') && (config.mainDomain === undefined || !HOST_NAME.test(config.mainDomain))) {
    const detail = config.mainDomain === undefined ? 'no main domain' : `main domain ${JSON.stringify(config.mainDomain)} is not a host name`;
    problems.push({ id: 'livery.C010', detail: `the subdomain resolver has ${detail}` });
  }
  if (uses('header') && !config.checkMembership && !config.trustedHeader) {
    problems.push({ id: 'livery.C011', detail: `the header resolver (${config.header}) with membership checks off and the header not trusted` });
  }
  if (uses('jwt')) {
    const key = jwtKeyOf(config.jwtSecret, config.jwtPublicKey);
    if (typeof key === 'string') problems.push({ id: 'livery.C013', detail: key });
  }
  if (uses('custom')) {
    if (config.custom !== undefined && typeof config.custom !== 'function') {
      problems.push({ id: 'livery.C014', detail: 'the `custom` option is not a function' });
    } else if (config.custom === undefined && config.customModule === undefined) {
      problems.push({ id: 'livery.C014', detail: 'the custom resolver has neither a function nor a module' });
    }
  }
  if (config.default !== undefined && !isTenantSlug(config.default)) {
    problems.push({ id: 'livery.C016', detail: `default tenant ${JSON.stringify(config.default)} is not a slug` });
  }
  if (!PATH_PREFIX.test(config.pathPrefix)) {
    problems.push({ id: 'livery.C016', detail: `path prefix ${JSON.stringify(config.pathPrefix)} is not empty or like /t` });
  }
  const { sockets, eventsPerSecond, stateBytes } = config.quotas;
  for (const [name, value, least] of [['sockets', sockets, 1], ['eventsPerSecond', eventsPerSecond, 1], ['stateBytes', stateBytes, 0]] as const) {
    if (!Number.isSafeInteger(value) || value < least) problems.push({ id: 'livery.C050', detail: `tenancy.quotas.${name} = ${value}` });
  }
  if (!Number.isFinite(config.recheckSeconds) || config.recheckSeconds <= 0) {
    problems.push({ id: 'livery.C052', detail: `tenancy.recheckSeconds = ${config.recheckSeconds}` });
  }
}

function resolverNames(value: string | readonly string[] | undefined, problems: TenancyProblem[]): ResolverName[] {
  const names = typeof value === 'string' ? [value] : [...(value ?? [])];
  const known = names.filter((name): name is ResolverName => RESOLVER_NAMES.includes(name as ResolverName));
  for (const name of names) {
    if (!known.includes(name as ResolverName)) problems.push({ id: 'livery.C012', detail: `unknown tenant resolver ${JSON.stringify(name)}` });
  }
  return known;
}

/** The tenancy options the environment sets (unset and empty variables are absent). */
function readEnvironment(env: Env, problems: TenancyProblem[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const spec of TENANCY_ENVIRONMENT) {
    const raw = envValue(spec.env, env);
    if (raw === undefined || raw === '') continue;
    const key = spec.option.slice('tenancy.'.length);
    if (spec.kind === 'list') values.set(key, raw.split(',').map((s) => s.trim()).filter(Boolean));
    else if (spec.kind === 'string') values.set(key, raw);
    else if (spec.kind === 'int') {
      if (/^\d+$/.test(raw.trim())) values.set(key, Number(raw));
      else problems.push({ id: 'livery.C003', detail: `${spec.env}=${JSON.stringify(raw)} is not a whole number` });
    }
    else if (/^(true|false|1|0)$/.test(raw)) values.set(key, raw === 'true' || raw === '1');
    else problems.push({ id: 'livery.C003', detail: `${spec.env}=${JSON.stringify(raw)} is not true/false` });
  }
  return values;
}
