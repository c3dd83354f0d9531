/**
 * The live views of this process subscribed to each topic channel, behind one pub/sub listener
 * per channel (D65). A message is handed to every subscribed view's `handleInfo` first, then the
 * pushes it caused are rendered together: views whose diff can only come out the same share one
 * render and one frame ({@link SharedPushes}).
 *
 * The channel names the tenant (`topicChannel`), and a hub entry is one channel: a delivery, and
 * so every group it renders, never spans two tenants.
 */
import type { PubSub } from '../pubsub/index.ts';
import type { ShareNode } from './shared-render.ts';

/** What the hub needs of a subscribed view (MountedView). */
export interface SharedSink {
  /** Runs `handleInfo(message)` in the view's mailbox; a push it causes may join `pushes`. */
  deliverShared(message: unknown, pushes: SharedPushes): void;
  /** Renders (or takes its group's render from `groups`) and sends the push this view joined `pushes` with. */
  pushShared(groups: ShareNode): void;
}

/**
 * The pushes of one delivery. Open while the hub hands the message to the views: a view whose
 * handler finished then (synchronously) joins instead of rendering. A handler that awaited
 * finishes after `flush` and renders on its own, as every push did before D65.
 */
export class SharedPushes {
  open = true;
  readonly #views: SharedSink[] = [];

  join(view: SharedSink): void {
    this.#views.push(view);
  }

  /** Renders each group once, in the order the views joined, and sends every frame. */
  flush(onError: (error: unknown) => void): void {
    this.open = false;
    if (this.#views.length === 0) return;
    const groups: ShareNode = new Map();
    for (const view of this.#views) {
      try {
        view.pushShared(groups);
      } catch (error) {
        onError(error);
      }
    }
  }
}

interface Member {
  readonly view: SharedSink;
}

interface Channel {
  readonly members: Set<Member>;
  /** The pub/sub subscription: resolves to its release once live. */
  readonly ready: Promise<() => void>;
}

export class TopicHub {
  readonly #pubsub: PubSub;
  readonly #onError: (error: unknown, channel: string) => void;
  readonly #channels = new Map<string, Channel>();

  constructor(pubsub: PubSub, onError: (error: unknown, channel: string) => void) {
    this.#pubsub = pubsub;
    this.#onError = onError;
  }

  /**
   * Subscribes a view to a channel; resolves once the channel's pub/sub subscription is live (so
   * nothing published after can be missed) with the view's release. Subscribed twice, a view
   * gets each message twice, as with pub/sub listeners.
   */
  async subscribe(channel: string, view: SharedSink): Promise<() => void> {
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      const members = new Set<Member>();
      entry = { members, ready: this.#pubsub.subscribe(channel, (message) => this.#deliver(channel, members, message)) };
      this.#channels.set(channel, entry);
    }
    const member: Member = { view };
    entry.members.add(member);
    try {
      await entry.ready;
    } catch (error) {
      entry.members.delete(member);
      if (this.#channels.get(channel) === entry) this.#channels.delete(channel); // the next subscriber tries again
      throw error;
    }
    const joined = entry;
    return () => {
      if (!joined.members.delete(member) || joined.members.size > 0) return;
      if (this.#channels.get(channel) === joined) this.#channels.delete(channel);
      void joined.ready.then((release) => release(), () => {});
    };
  }

  /** Channels this process listens to through the hub, and view subscriptions behind them (runtime.counts()). */
  counts(): { channels: number; members: number } {
    let members = 0;
    for (const entry of this.#channels.values()) members += entry.members.size;
    return { channels: this.#channels.size, members };
  }

  #deliver(channel: string, members: Set<Member>, message: unknown): void {
    const pushes = new SharedPushes();
    for (const { view } of [...members]) {
      try {
        view.deliverShared(message, pushes);
      } catch (error) {
        this.#onError(error, channel);
      }
    }
    pushes.flush((error) => this.#onError(error, channel));
  }
}
