/**
 * Every Redis key and channel name Livery uses, built here and nowhere else.
 *
 * A tenant's keys all carry `{tenant}`: the braces make the tenant a Redis Cluster hash tag, so
 * one tenant's keys live on one shard (multi-key scripts such as presence's work) and a key can
 * never be built for one tenant from another's parts. The tenant must come from the socket's or
 * request's context, never from a client. Imports nothing, so every folder may use it.
 */

const PREFIX = 'lv';

/** `lv:{tenant}:` — the start of every key that belongs to a tenant. */
function tenantPrefix(tenant: string): string {
  return `${PREFIX}:{${tenant}}:`;
}

/** A live view instance's saved state. */
export function viewStateKey(tenant: string, instance: string): string {
  return `${tenantPrefix(tenant)}view:${instance}`;
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

/** The tenant a key built here belongs to ('' for a key of another shape). */
export function stateKeyTenant(key: string): string {
  const close = key.startsWith('lv:{') ? key.indexOf('}:', 4) : -1;
  return close === -1 ? '' : key.slice(4, close);
}
