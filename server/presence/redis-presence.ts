import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, inNamespace } from '../keys.ts';
import type { PubSub } from '../pubsub/index.ts';
import { redisCall, RedisUnavailableError } from '../redis/index.ts';
import { copyMeta, groupByKey } from './group.ts';
import type { Presence, PresenceDiff, PresenceEntry, PresenceMeta } from './index.ts';
import { presenceKeys, scripts } from './presence-scripts.ts';

export interface RedisPresenceOptions {
  /** The command connection (a server or a cluster); never closed here. */
  redis: Redis | Cluster;
  /** Carries joins and leaves on the topic's own channel (a RedisPubSub across processes). */
  pubsub: PubSub;
  /** How often this process refreshes its entries and sweeps dead ones. Default 5000. */
  heartbeatMs?: number;
  /** Heartbeat or announcement failures other than Redis outages (which the connection logs). */
  onError?: (error: unknown) => void;
  /** The deployment's namespace (`redisPrefix`) for the presence keys; default `lv`. */
  prefix?: string;
}

interface OwnEntry {
  readonly key: string;
  readonly meta: PresenceMeta;
  readonly json: string;
  /** Set once TRACK is acknowledged: only then may a heartbeat call it missing. */
  stored: boolean;
}

/** Sweeps remove at most this many dead entries per topic per beat, keeping each script short. */
const SWEEP_LIMIT = 1000;

/**
 * Presence across processes; see presence-scripts.ts for the data model. Each process refreshes
 * its own entries every beat and sweeps the topics it tracks or watches; an entry not refreshed
 * for 3 beats is dead, and the sweeper whose script removed it publishes the leave. An entry of
 * this process found missing (swept during a long pause, or lost in a Redis restart) is stored
 * again and its join announced again.
 */
export class RedisPresence implements Presence {
  readonly #id = randomBytes(6).toString('hex');
  readonly #redis: Redis | Cluster;
  readonly #prefix: string;
  readonly #pubsub: PubSub;
  readonly #heartbeatMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #own = new Map<string, Map<string, OwnEntry>>();
  readonly #watched = new Map<string, number>();
  readonly #cleanups = new Set<() => unknown>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #beating = false;
  #closed = false;

  constructor(options: RedisPresenceOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#pubsub = options.pubsub;
    this.#heartbeatMs = options.heartbeatMs ?? 5000;
    this.#onError = options.onError ?? ((error) => console.error('livery: presence heartbeat failed', error));
  }

  entryCount(): number {
    let n = 0;
    for (const entries of this.#own.values()) n += entries.size;
    return n;
  }

  listenerCount(): number {
    let n = 0;
    for (const count of this.#watched.values()) n += count;
    return n;
  }

  async track(topic: string, key: string, meta: PresenceMeta): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('RedisPresence is closed.');
    const copy = copyMeta(meta);
    const id = `${this.#id}:${++this.#seq}`;
    const entry: OwnEntry = { key, meta: copy, json: JSON.stringify({ k: key, m: copy, t: Date.now() }), stored: false };
    let entries = this.#own.get(topic);
    if (entries === undefined) this.#own.set(topic, (entries = new Map()));
    entries.set(id, entry);
    this.#startBeating();
    try {
      await redisCall(scripts.track.run(this.#redis, this.#keys(topic), [this.#ttlMs, id, entry.json]), `track on ${topic}`);
    } catch (error) {
      // A timed-out TRACK may still land when Redis returns; the UNTRACK queued behind it undoes it.
      this.#forget(topic, id);
      scripts.untrack.run(this.#redis, this.#keys(topic), [id]).catch(() => {});
      throw error;
    }
    entry.stored = true;
    await this.#announce(topic, { joins: [{ key, metas: [copy] }], leaves: [] });
    const untrack = async (): Promise<void> => {
      this.#cleanups.delete(untrack);
      if (!this.#forget(topic, id)) return;
      const removed = await redisCall(scripts.untrack.run(this.#redis, this.#keys(topic), [id]), `untrack on ${topic}`);
      if (removed === 1) await this.#announce(topic, { joins: [], leaves: [{ key, metas: [copy] }] });
    };
    this.#cleanups.add(untrack);
    return untrack;
  }

  async list(topic: string): Promise<PresenceEntry[]> {
    const metas = (await redisCall(scripts.list.run(this.#redis, this.#keys(topic), [this.#staleMs]), `list ${topic}`)) as string[];
    return groupByKey(parseEntries(metas).sort((a, b) => a.t - b.t));
  }

  async subscribe(topic: string, listener: (diff: PresenceDiff) => void): Promise<() => void> {
    if (this.#closed) throw new Error('RedisPresence is closed.');
    const off = await this.#pubsub.subscribe(topic, (message) => listener(message as PresenceDiff));
    this.#watched.set(topic, (this.#watched.get(topic) ?? 0) + 1);
    this.#startBeating();
    let done = false;
    const unsubscribe = (): void => {
      if (done) return;
      done = true;
      this.#cleanups.delete(unsubscribe);
      off();
      const count = (this.#watched.get(topic) ?? 1) - 1;
      if (count > 0) this.#watched.set(topic, count);
      else this.#watched.delete(topic);
    };
    this.#cleanups.add(unsubscribe);
    return unsubscribe;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#cleanups].map((cleanup) => cleanup()));
  }

  get #staleMs(): number {
    return 3 * this.#heartbeatMs;
  }

  /** Keys outlive the sweep bound, so dead entries are announced before their keys expire. */
  get #ttlMs(): number {
    return 10 * this.#heartbeatMs;
  }

  #startBeating(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => void this.#beat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** One beat: refresh and sweep every topic of interest; a slow beat skips the next. */
  async #beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    const topics = new Set([...this.#own.keys(), ...this.#watched.keys()]);
    await Promise.all([...topics].map((topic) => this.#beatTopic(topic).catch(this.#report)));
    this.#beating = false;
  }

  async #beatTopic(topic: string): Promise<void> {
    const own = [...(this.#own.get(topic) ?? [])].filter(([, entry]) => entry.stored).map(([id]) => id);
    const args = [this.#ttlMs, this.#staleMs, SWEEP_LIMIT, ...own];
    const [missing, swept] = (await redisCall(scripts.beat.run(this.#redis, this.#keys(topic), args), `heartbeat ${topic}`)) as [string[], string[]];
    if (swept.length > 0) await this.#announce(topic, { joins: [], leaves: groupByKey(parseEntries(swept)) });
    const entries = this.#own.get(topic);
    const lost = missing.flatMap((id) => {
      const entry = entries?.get(id);
      return entry === undefined ? [] : [[id, entry] as const];
    });
    if (lost.length === 0) return;
    const pairs = lost.flatMap(([id, entry]) => [id, entry.json]);
    await redisCall(scripts.track.run(this.#redis, this.#keys(topic), [this.#ttlMs, ...pairs]), `re-track on ${topic}`);
    await this.#announce(topic, { joins: groupByKey(lost.map(([, entry]) => entry)), leaves: [] });
  }

  /** The topic's two keys, in the deployment's namespace. */
  #keys(topic: string): string[] {
    return presenceKeys(topic).map((key) => inNamespace(this.#prefix, key));
  }

  /** Removes an own entry; false if it was already gone. */
  #forget(topic: string, id: string): boolean {
    const entries = this.#own.get(topic);
    if (entries === undefined || !entries.delete(id)) return false;
    if (entries.size === 0) this.#own.delete(topic);
    return true;
  }

  async #announce(topic: string, diff: PresenceDiff): Promise<void> {
    await this.#pubsub.publish(topic, diff).catch(this.#report);
  }

  readonly #report = (error: unknown): void => {
    if (!(error instanceof RedisUnavailableError)) this.#onError(error);
  };
}

function parseEntries(metas: readonly string[]): Array<{ key: string; meta: PresenceMeta; t: number }> {
  return metas.map((json) => {
    const { k, m, t } = JSON.parse(json) as { k: string; m: PresenceMeta; t: number };
    return { key: k, meta: m, t };
  });
}
