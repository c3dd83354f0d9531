/**
 * What this process holds live, read in one place: for metrics (whatever format they are served
 * in) and for the soak (`npm run soak`), which checks that every count returns to its baseline
 * once the clients have left — a count that does not is a leak.
 *
 * Cheap enough to call on every scrape: it sums a few maps, it does not walk views or states.
 */
import { MemoryStateBackend } from '../state/index.ts';
import type { Runtime } from './runtime.ts';

export interface LiveCounts {
  /** Open live sockets with a settled identity. */
  readonly connections: number;
  /** Views live on a socket of this process. */
  readonly views: number;
  /** Views registered with the tick scheduler (cancelled ticks not counted). */
  readonly ticks: number;
  /** Pub/sub subscriptions held in this process (topics, pushToView, watched saves; Redis presence listeners too). */
  readonly subscriptions: number;
  /** Presence entries this process tracks. */
  readonly presenceEntries: number;
  /** Presence diff listeners in this process. */
  readonly presenceListeners: number;
  /** States the memory backend holds (live views' are not among them); undefined for a shared backend. */
  readonly states: number | undefined;
  /** Bytes waiting in the live sockets' send buffers (see server/socket/backpressure.ts). */
  readonly bufferedBytes: number;
}

export function liveCounts(runtime: Runtime): LiveCounts {
  let bufferedBytes = 0;
  for (const conn of runtime.connections) bufferedBytes += conn.bufferedAmount();
  return {
    connections: runtime.connections.size,
    views: runtime.liveViews,
    ticks: runtime.scheduler.live,
    subscriptions: runtime.pubsub.subscriptions,
    presenceEntries: runtime.presence.tracked,
    presenceListeners: runtime.presence.listeners,
    states: runtime.backend instanceof MemoryStateBackend ? runtime.backend.size : undefined,
    bufferedBytes,
  };
}
