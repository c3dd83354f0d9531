/**
 * A live view's links to the rest of the system: topics (subscribe, broadcast, pushToView),
 * presence, and saves of the entities it watches. Every channel is built from the view's own
 * tenant — no argument a view passes can name another — and everything is released when the
 * view leaves.
 *
 * Messages arriving here are handed to the view's owner (MountedView), which runs them in the
 * view's mailbox; a burst of saves is coalesced first, so 100 saves cost a handful of renders.
 * Topic messages (`subscribe`, `pushToView`) come through the process's TopicHub, which renders
 * the pushes of one message once per group of views that would render the same diff (D65).
 */
import type { SaveEvent } from '../data/index.ts';
import { LiveryError } from '../errors.ts';
import { presenceTopic, type Presence, type PresenceDiff, type PresenceEntry, type PresenceMeta } from '../presence/index.ts';
import { topicChannel, type PubSub } from '../pubsub/index.ts';
import { sessionTag, type Session } from '../session/index.ts';
import type { TenantInfo } from '../tenancy/directory.ts';
import type { ViewClass } from '../view/live-view.ts';
import type { SharedSink, TopicHub } from './topic-hub.ts';

/** Saves arriving within this window are handed to the view as one batch: a burst, one render. */
export const SAVE_COALESCE_MS = 50;

/** Channels Livery itself uses: `~` never starts a user topic. */
export const viewTopic = (viewName: string) => `~view:${viewName}`;
export const saveTopic = (entity: string) => `~save:${entity}`;

const TOPIC = /^[\w.:-]{1,128}$/;

/** A publish still waiting for Redis when the view's `broadcast` returns (see `#publish`). */
const HANDED_ON = Symbol('handed on');
const QUEUED = Promise.resolve(HANDED_ON);

function userTopic(topic: string): string {
  if (typeof topic !== 'string' || !TOPIC.test(topic) || topic.startsWith('~')) throw new LiveryError('LV_TOPIC_INVALID', String(topic).slice(0, 64));
  return topic;
}

/**
 * An anonymous visitor's presence key: stable per session, so its tabs group together, but never
 * the session id itself — that is the visitor's cookie, and presence lists are shown to other
 * users (a session bound to another tenant would hand them a credential there).
 */
function anonymousPresenceKey(sessionId: string): string {
  return `anon:${sessionTag(sessionId)}`;
}

/** Where the subscriptions deliver; each call must run the work in the view's mailbox. */
export interface SubscriptionSink extends SharedSink {
  /** A broadcast was delivered here but Redis did not take it (an outage): the view is told nothing, the operator is. */
  publishFailed(error: unknown): void;
  deliverPresence(topic: string, diff: PresenceDiff): void;
  deliverSaves(events: SaveEvent[]): void;
}

export class ViewSubscriptions {
  readonly #tenant: TenantInfo;
  readonly #session: Session;
  readonly #pubsub: PubSub;
  readonly #presence: Presence;
  readonly #topics: TopicHub;
  readonly #sink: SubscriptionSink;
  #releases: Array<() => unknown> | undefined;
  #pendingSaves: SaveEvent[] | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(tenant: TenantInfo, session: Session, backends: { pubsub: PubSub; presence: Presence; topics: TopicHub }, sink: SubscriptionSink) {
    this.#tenant = tenant;
    this.#session = session;
    this.#pubsub = backends.pubsub;
    this.#presence = backends.presence;
    this.#topics = backends.topics;
    this.#sink = sink;
  }

  // The part of the view runtime (`this.subscribe`, `this.broadcast`, …) these links provide.

  subscribe(topic: string): Promise<void> {
    return this.#subscribeShared(userTopic(topic));
  }

  broadcast(topic: string, message: unknown): Promise<void> {
    return this.#publish(topicChannel(this.#tenant.id, userTopic(topic)), message);
  }

  pushToView(viewName: string, message: unknown): Promise<void> {
    return this.#publish(topicChannel(this.#tenant.id, viewTopic(viewName)), message);
  }

  /**
   * Publishes, resolving once the message is delivered in this process and handed to the pub/sub
   * in order — not once Redis acknowledged it (D65). A handler awaiting `broadcast` holds its
   * view's mailbox: waiting for the PUBLISH reply queued every later event of the view behind a
   * Redis round trip (the sender of 1,000 broadcasts/s fell behind), and bought nothing, since
   * delivery to other processes is at most once anyway. What the input got wrong (a message JSON
   * cannot carry, a closed pub/sub) still rejects here: it fails before `publish` returns, so its
   * promise is settled first in the race. A PUBLISH that fails later is reported to the sink.
   */
  async #publish(channel: string, message: unknown): Promise<void> {
    const sent = this.#pubsub.publish(channel, message);
    // A promise settled before the race is its winner (its reaction is queued first).
    if ((await Promise.race([sent, QUEUED])) === HANDED_ON) sent.catch((error: unknown) => this.#sink.publishFailed(error));
  }

  track(topic: string, meta: PresenceMeta): Promise<void> {
    return this.#track(userTopic(topic), meta);
  }

  presence(topic: string): Promise<PresenceEntry[]> {
    return this.#presence.list(presenceTopic(this.#tenant.id, userTopic(topic)));
  }

  /**
   * The subscriptions every live view has: its class's channel (for `pushToView`) and the save
   * channels of the entities it watches. Awaited before the join reply, so nothing published
   * after the client sees the view can be missed.
   */
  async listen(viewClass: ViewClass): Promise<void> {
    // Only a view that handles infos can receive pushToView: the others pay no subscription.
    if (typeof viewClass.prototype.handleInfo === 'function') {
      await this.#subscribeShared(viewTopic(viewClass.name));
    }
    for (const entity of viewClass.watch ?? []) {
      await this.#subscribe(saveTopic(entity.name), (event) => this.#saved(event as SaveEvent));
    }
  }

  async #subscribe(topic: string, listener: (message: unknown) => void): Promise<void> {
    this.#keep(await this.#pubsub.subscribe(topicChannel(this.#tenant.id, topic), listener));
  }

  async #subscribeShared(topic: string): Promise<void> {
    this.#keep(await this.#topics.subscribe(topicChannel(this.#tenant.id, topic), this.#sink));
  }

  async #track(topic: string, meta: PresenceMeta): Promise<void> {
    const channel = presenceTopic(this.#tenant.id, topic);
    const key = this.#session.userId ?? anonymousPresenceKey(this.#session.id);
    this.#keep(await this.#presence.track(channel, key, meta));
    this.#keep(await this.#presence.subscribe(channel, (diff) => this.#sink.deliverPresence(topic, diff)));
  }

  /** Keeps a release function, or calls it at once if the view already left. */
  #keep(release: () => unknown): void {
    if (this.#closed) void release();
    else (this.#releases ??= []).push(release);
  }

  #saved(event: SaveEvent): void {
    if (this.#closed) return;
    if (this.#pendingSaves !== undefined) return void this.#pendingSaves.push(event);
    this.#pendingSaves = [event];
    this.#saveTimer = setTimeout(() => {
      const events = this.#pendingSaves ?? [];
      this.#pendingSaves = undefined;
      this.#saveTimer = undefined;
      this.#sink.deliverSaves(events);
    }, SAVE_COALESCE_MS);
  }

  /** Unsubscribes and untracks everything; errors are reported, never thrown. */
  async close(onError: (error: unknown) => void): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#saveTimer);
    for (const release of this.#releases ?? []) {
      try {
        await release();
      } catch (error) {
        onError(error);
      }
    }
    this.#releases = undefined;
  }
}
