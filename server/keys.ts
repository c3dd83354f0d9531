/**
 * Every Redis key and channel name Livery uses, built here and nowhere else.
 *
 * A tenant's keys all carry `{tenant}`: the braces make the tenant a Redis Cluster hash tag, so
 * one tenant's keys live on one shard (multi-key scripts such as presence's work) and a key can
 * never be built for one tenant from another's parts. The tenant must come from the socket's or
 * request's context, never from a client. Imports nothing, so every folder may use it.
 *
 * Names are built in the default namespace, `lv:`. The Redis backends move each one into the
 * deployment's namespace (`LIVERY_REDIS_PREFIX`) with {@link inNamespace} as they send it, so two
 * deployments sharing a Redis — even on different db numbers, which pub/sub ignores — never see
 * each other's keys or messages (D37). In-process backends never leave the default.
 */

/** The default namespace (`redisPrefix`): Livery's names start `lv:`. */
export const DEFAULT_REDIS_PREFIX = 'lv';
const PREFIX = DEFAULT_REDIS_PREFIX;

/** `lv:{tenant}:` — the start of every key that belongs to a tenant. */
function tenantPrefix(tenant: string): string {
  return `${PREFIX}:{${tenant}}:`;
}

/** A live view instance's saved state. */
export function viewStateKey(tenant: string, instance: string): string {
  return `${tenantPrefix(tenant)}view:${instance}`;
}

/**
 * The instance of the nested view `id` that the view instance `parent` renders (`{% live %}`,
 * D81): derived, so a re-render or a reconnect of the parent names the same child and its saved
 * state. Page instances are base64url (no `.`), and ids are letters, digits, `_` and `-`, so
 * `parent.id` never meets another parent's child or a page instance.
 */
export function nestedInstance(parent: string, id: string): string {
  return `${parent}.${id}`;
}

/** How deep an instance built by {@link nestedInstance} is: 0 for a page's own view. */
export function nestingDepth(instance: string): number {
  let depth = 0;
  for (let i = instance.indexOf('.'); i !== -1; i = instance.indexOf('.', i + 1)) depth++;
  return depth;
}

/**
 * A tenant's accounting of the view state it stores: a hash of state key → bytes counted (plus the
 * running total) and a sorted set of state key → when it expires (ms). Same hash tag as the
 * states, so the save scripts touch all three keys on one Redis Cluster slot.
 */
export function stateUsageKeys(tenant: string): [bytes: string, expiries: string] {
  return [`${tenantPrefix(tenant)}state:bytes`, `${tenantPrefix(tenant)}state:expiries`];
}

/** Where a process announces that it took a tenant's view instance over (D35): the old owner closes its copy. */
export function takeoverChannel(tenant: string): string {
  return `${tenantPrefix(tenant)}takeover`;
}

/** The pub/sub channel of a topic inside a tenant. */
export function topicChannel(tenant: string, topic: string): string {
  return `${tenantPrefix(tenant)}topic:${topic}`;
}

/**
 * The uWebSockets.js topic of a pub/sub channel's views with one vid in this process (D70): their
 * sockets subscribe to it, so a frame every one of them gets goes out in one native publish. The
 * channel names the tenant, so the topic does too; no topic name contains `#`, so the vid after
 * it cannot make two channels' names meet.
 */
export function socketTopic(channel: string, vid: number): string {
  return `${channel}#${vid}`;
}

/** A presence topic inside a tenant: its own channel, and the stem of its two keys below. */
export function presenceTopic(tenant: string, topic: string): string {
  return `${tenantPrefix(tenant)}presence:${topic}`;
}

/** The two keys of a presence topic (built by {@link presenceTopic}): last-seen times and metas. */
export function presenceKeys(presenceTopic: string): [seen: string, metas: string] {
  return [`${presenceTopic}:seen`, `${presenceTopic}:metas`];
}

/** An upload's record (a hash: offset, size, owner, …), shared by every process. */
export function uploadKey(tenant: string, id: string): string {
  return `${tenantPrefix(tenant)}upload:${id}`;
}

/** Held while one request writes an upload, so two processes never write it at once. */
export function uploadLockKey(tenant: string, id: string): string {
  return `${tenantPrefix(tenant)}upload:${id}:lock`;
}

/**
 * Set (briefly) by a request that wants an upload's lock while another request holds it: the
 * holder, which checks it a few times a second, stops writing, records its offset and lets go.
 */
export function uploadReleaseKey(tenant: string, id: string): string {
  return `${tenantPrefix(tenant)}upload:${id}:release`;
}

/** A tenant's uploads and their sizes (id → bytes), for the storage quota. */
export function uploadUsageKey(tenant: string): string {
  return `${tenantPrefix(tenant)}uploads`;
}

/** A browser session. Sessions span tenants (one cookie, several tenants), so no hash tag. */
export function sessionKey(id: string): string {
  return `${PREFIX}:session:${id}`;
}

/**
 * The tenant a key built here belongs to, in any namespace ('' for a key of another shape).
 * Namespaces hold no `:` or braces, so the first `:{` ends the namespace.
 */
export function stateKeyTenant(key: string): string {
  const open = key.indexOf(':{');
  if (open < 1 || invalidRedisPrefix(key.slice(0, open)) !== null) return '';
  const close = key.indexOf('}:', open + 2);
  return close === -1 ? '' : key.slice(open + 2, close);
}

const PREFIX_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What is wrong with `prefix` as a deployment namespace, or null. Letters, digits, `.`, `_` and
 * `-`, at most 64: no `:` (it ends the namespace) and no braces (they would move the hash tag).
 */
export function invalidRedisPrefix(prefix: string): string | null {
  return PREFIX_SHAPE.test(prefix) ? null : `${JSON.stringify(prefix)} is not 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

/**
 * A key or channel built above, in the deployment namespace `prefix`: `lv:{acme}:view:1` becomes
 * `prefix:{acme}:view:1`. Every name a Redis backend sends goes through here.
 */
export function inNamespace(prefix: string, name: string): string {
  if (!name.startsWith(`${PREFIX}:`)) throw new TypeError(`${name} was not built by server/keys.ts`);
  return prefix === PREFIX ? name : `${prefix}${name.slice(PREFIX.length)}`;
}

/** The inverse of {@link inNamespace}: the name as built above, or undefined outside `prefix`. */
export function fromNamespace(prefix: string, redisName: string): string | undefined {
  return redisName.startsWith(`${prefix}:`) ? `${PREFIX}${redisName.slice(prefix.length)}` : undefined;
}

/**
 * The deployment registry of a namespace (a hash: deployment → last heartbeat), kept in db 0
 * because pub/sub crosses db numbers while keys do not (see server/redis/namespace-registry.ts).
 */
export function deploymentsKey(): string {
  return `${PREFIX}:deployments`;
}
