/**
 * The live views of this process subscribed to each topic channel, behind one pub/sub listener
 * per channel (D65). A message is handed to every subscribed view's `handleInfo` first, then the
 * pushes it caused are rendered together: views whose diff can only come out the same share one
 * render and one frame ({@link SharedPushes}).
 *
 * The channel names the tenant (`topicChannel`), and a hub entry is one channel: a delivery, and
 * so every group it renders, never spans two tenants.
 */
import { socketTopic } from '../keys.ts';
import type { PubSub } from '../pubsub/index.ts';
import { frameFor, type SharedRender, type ShareNode } from './shared-render.ts';

/** What the hub needs of a view's socket (Connection): its frames, and its native topics (D70). */
export interface SharedSocket {
  send(frame: string): void;
  subscribeTopic(topic: string): void;
  unsubscribeTopic(topic: string): void;
  /** Sends `frame` natively to every other socket on `topic`, counted as `recipients` frames; false once closed. */
  publishToOthers(topic: string, frame: string, recipients: number): boolean;
}

/** The process's native publish (uWS `app.publish`), counted as `recipients` frames; set by the socket layer. */
export type Fanout = (topic: string, frame: string, recipients: number) => void;

/** What the hub needs of a subscribed view (MountedView). */
export interface SharedSink {
  readonly vid: number;
  readonly socket: SharedSocket;
  /** Runs `handleInfo(message)` in the view's mailbox; a push it causes may join `pushes`. */
  deliverShared(message: unknown, pushes: SharedPushes): void;
  /**
   * Renders (or takes its group's render from `groups`) the push this view joined `pushes` with.
   * Returns the group's render when its frame is still to be sent (by the hub, D70); a frame of
   * its own it sends itself.
   */
  pushShared(groups: ShareNode): SharedRender | undefined;
}

/** The sockets of a channel's views, by vid, each with how many subscriptions of its views hold it on the vid's topic. */
type SocketsByVid = Map<number, Map<SharedSocket, number>>;

/** Groups of at least this many sockets go out as one native publish; fewer are sent one by one. */
const PUBLISH_MIN = 2;

/**
 * The pushes of one delivery. Open while the hub hands the message to the views: a view whose
 * handler finished then (synchronously) joins instead of rendering. A handler that awaited
 * finishes after `flush` and renders on its own, as every push did before D65.
 */
export class SharedPushes {
  open = true;
  readonly #views: SharedSink[] = [];
  readonly #channel: string;
  readonly #sockets: SocketsByVid;
  readonly #fanout: Fanout | undefined;

  constructor(channel: string, sockets: SocketsByVid, fanout: Fanout | undefined) {
    this.#channel = channel;
    this.#sockets = sockets;
    this.#fanout = fanout;
  }

  join(view: SharedSink): void {
    this.#views.push(view);
  }

  /** Renders each group once, in the order the views joined, then sends each group's frame. */
  flush(onError: (error: unknown) => void): void {
    this.open = false;
    if (this.#views.length === 0) return;
    const groups: ShareNode = new Map();
    // Views to send a group's frame to, by render and vid (the frame names the vid).
    const outgoing = new Map<SharedRender, Map<number, SharedSink[]>>();
    for (const view of this.#views) {
      try {
        const render = view.pushShared(groups);
        if (render === undefined) continue;
        let byVid = outgoing.get(render);
        if (byVid === undefined) outgoing.set(render, (byVid = new Map()));
        const list = byVid.get(view.vid);
        if (list === undefined) byVid.set(view.vid, [view]);
        else list.push(view);
      } catch (error) {
        onError(error);
      }
    }
    for (const [render, byVid] of outgoing) {
      for (const [vid, views] of byVid) this.#send(frameFor(render, vid), vid, views, onError);
    }
  }

  /**
   * Sends one frame to views of one vid (D70). When their sockets are every socket on the vid's
   * topic, one native publish reaches them all; when they are all of them but one, that one
   * publishes to the others (the sender of a broadcast, busy with its event, is that one). Any
   * other case — a view held back by backpressure, busy, or with a diff of its own — is sent
   * socket by socket: a socket never gets a frame its view did not render.
   */
  #send(frame: string, vid: number, views: SharedSink[], onError: (error: unknown) => void): void {
    const subscribed = this.#sockets.get(vid);
    if (this.#fanout !== undefined && subscribed !== undefined && views.length >= PUBLISH_MIN && views.length >= subscribed.size - 1) {
      // Checked, not assumed: each socket still on the topic (a socket closed during this flush
      // left it) and each only once, so `sockets` ⊆ `subscribed` and comparing sizes is enough.
      const sockets = new Set<SharedSocket>();
      for (const view of views) if (subscribed.has(view.socket)) sockets.add(view.socket);
      if (sockets.size === views.length) {
        const topic = socketTopic(this.#channel, vid);
        if (sockets.size === subscribed.size) return this.#fanout(topic, frame, sockets.size);
        if (sockets.size === subscribed.size - 1) {
          for (const other of subscribed.keys()) {
            if (sockets.has(other)) continue;
            // Closed, it is off every topic already (uWS): the plain publish reaches exactly the others.
            if (!other.publishToOthers(topic, frame, sockets.size)) this.#fanout(topic, frame, sockets.size);
            return;
          }
        }
      }
    }
    for (const view of views) {
      try {
        view.socket.send(frame);
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
  readonly sockets: SocketsByVid;
  /** The pub/sub subscription: resolves to its release once live. */
  readonly ready: Promise<() => void>;
}

export class TopicHub {
  readonly #pubsub: PubSub;
  readonly #onError: (error: unknown, channel: string) => void;
  readonly #channels = new Map<string, Channel>();
  /** The native publish of the process's live sockets, once they are attached (D70). */
  fanout: Fanout | undefined;

  constructor(pubsub: PubSub, onError: (error: unknown, channel: string) => void) {
    this.#pubsub = pubsub;
    this.#onError = onError;
  }

  /**
   * Subscribes a view to a channel; resolves once the channel's pub/sub subscription is live (so
   * nothing published after can be missed) with the view's release. Subscribed twice, a view
   * gets each message twice, as with pub/sub listeners. Its socket is on the channel's topic for
   * its vid (D70) from now until the last of its socket's subscriptions there is released.
   */
  async subscribe(channel: string, view: SharedSink): Promise<() => void> {
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      const members = new Set<Member>();
      const sockets: SocketsByVid = new Map();
      entry = { members, sockets, ready: this.#pubsub.subscribe(channel, (message) => this.#deliver(channel, members, sockets, message)) };
      this.#channels.set(channel, entry);
    }
    const member: Member = { view };
    entry.members.add(member);
    hold(entry.sockets, channel, view);
    try {
      await entry.ready;
    } catch (error) {
      entry.members.delete(member);
      release(entry.sockets, channel, view);
      if (this.#channels.get(channel) === entry) this.#channels.delete(channel); // the next subscriber tries again
      throw error;
    }
    const joined = entry;
    return () => {
      if (!joined.members.delete(member)) return;
      release(joined.sockets, channel, view);
      if (joined.members.size > 0) return;
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

  #deliver(channel: string, members: Set<Member>, sockets: SocketsByVid, message: unknown): void {
    const pushes = new SharedPushes(channel, sockets, this.fanout);
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

/** Counts a subscription of `view`'s socket on its vid's topic; the first puts the socket on it. */
function hold(sockets: SocketsByVid, channel: string, view: SharedSink): void {
  let counts = sockets.get(view.vid);
  if (counts === undefined) sockets.set(view.vid, (counts = new Map()));
  const held = counts.get(view.socket) ?? 0;
  counts.set(view.socket, held + 1);
  if (held === 0) view.socket.subscribeTopic(socketTopic(channel, view.vid));
}

/** Uncounts it; the last takes the socket off the topic. */
function release(sockets: SocketsByVid, channel: string, view: SharedSink): void {
  const counts = sockets.get(view.vid);
  const held = counts?.get(view.socket);
  if (counts === undefined || held === undefined) return;
  if (held > 1) return void counts.set(view.socket, held - 1);
  counts.delete(view.socket);
  if (counts.size === 0) sockets.delete(view.vid);
  view.socket.unsubscribeTopic(socketTopic(channel, view.vid));
}
