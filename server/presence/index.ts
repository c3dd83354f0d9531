/**
 * Who is on a topic, across processes.
 *
 * An entry is one `track` call: a key (a user or session id) with its meta. Entries are listed
 * and diffed grouped by key, so a user with three tabs is one {@link PresenceEntry} with three
 * metas. Topics carry the tenant ({@link presenceTopic}); nothing crosses tenants.
 *
 * Guarantees (`test/presence/presence.case.ts` checks them):
 * - After `await track(…)` the entry is in `list` and every subscriber in this process has been
 *   handed the join; other processes get it over pub/sub.
 * - Every entry that goes away produces exactly one leave: untracked, closed, or — for Redis —
 *   its process stopped heartbeating (crashed, partitioned) and a live process swept it.
 * - Redis: a dead process's entries are gone from `list` after `3 × heartbeatMs` and their
 *   leave is published within `4 × heartbeatMs` (each interested process sweeps every beat).
 *   Metas and diffs are JSON copies; treat them as read-only.
 */

export interface PresenceMeta {
  readonly [key: string]: unknown;
}
/** One key (one user, several tabs) with the metas of its entries. */
export interface PresenceEntry {
  readonly key: string;
  readonly metas: readonly PresenceMeta[];
}
export interface PresenceDiff {
  readonly joins: readonly PresenceEntry[];
  readonly leaves: readonly PresenceEntry[];
}

export interface Presence {
  /** Tracks `key` (e.g. a user or session id) with `meta` on `topic` until the returned function is called. */
  track(topic: string, key: string, meta: PresenceMeta): Promise<() => Promise<void>>;
  /** Everyone on the topic now, merged across processes: keys in order of first join, metas in join order. */
  list(topic: string): Promise<PresenceEntry[]>;
  /** Joins and leaves as they happen (including leaves of entries whose process died). */
  subscribe(topic: string, listener: (diff: PresenceDiff) => void): Promise<() => void>;
  /** Untracks this instance's entries (their leaves are announced) and stops listening. */
  close(): Promise<void>;
  /** Entries this process tracks now (runtime.counts(): a leak shows as growth). */
  entryCount?(): number;
}

/** The presence topic inside a tenant (built in `server/keys.ts`). */
export { presenceTopic } from '../keys.ts';

export { MemoryPresence, type MemoryPresenceOptions } from './memory-presence.ts';
export { RedisPresence, type RedisPresenceOptions } from './redis-presence.ts';
