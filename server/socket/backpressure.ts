/**
 * What a client that reads slowly, or not at all, may cost: one socket's send budget.
 *
 * The budget B is `socket.backpressureBytes`, measured on uWS's send buffer (bytes the kernel has
 * not taken yet). Over B, pushes (ticks, infos, broadcasts, saves) are held back and coalesced
 * by the views (MountedView); replies still go out, since every frame a client sends is
 * answered. A socket that stays over B while pushes wait (`socket.stallTimeoutMs`), or whose
 * buffer would pass 2B (a client that keeps sending but never reads its replies), has stopped
 * reading: it is told LV_SOCKET_STALLED and closed with 4408, its views' state saved as on any
 * disconnect, and the client reconnects. uWS's own cap (`maxBackpressure`, 4B) stays as the last
 * guard below that; it drops a connection without a close frame.
 *
 * So one socket's send buffer stays under 2B, or under B plus one frame sent while it was under
 * B (a large join reply). `peak` records the largest buffer seen, for the log line at close and
 * for the test that holds the server to it (test/socket/slow-consumer.test.ts).
 */
export type StallReason = 'stalled' | 'buffer';

/** The options it reads (shared by every socket: one object, not two numbers per socket). */
export interface BudgetLimits {
  readonly backpressureBytes: number;
  readonly stallTimeoutMs: number;
}

export class SendBudget {
  readonly #limits: BudgetLimits;
  /** When a push first found the socket over budget (reset once it is under again). */
  #overSince: number | undefined;
  /** The largest send buffer seen after a send or before a push, in bytes. */
  peak = 0;

  constructor(limits: BudgetLimits) {
    this.#limits = limits;
  }

  /** Asked before each push: push now, hold it back, or give up on the socket. */
  beforePush(buffered: number, now: number): 'push' | 'hold' | StallReason {
    // Frames published natively (D70) pass no `afterSend`: their bytes are seen here, at the next push.
    if (buffered > this.peak) this.peak = buffered;
    if (buffered < this.#limits.backpressureBytes) {
      this.#overSince = undefined;
      return 'push';
    }
    this.#overSince ??= now;
    return now - this.#overSince >= this.#limits.stallTimeoutMs ? 'stalled' : 'hold';
  }

  /** Asked before every send: a frame that would take a socket already over B past 2B is not sent. */
  beforeSend(buffered: number, text: string): 'send' | StallReason {
    const budget = this.#limits.backpressureBytes;
    if (buffered <= budget) return 'send';
    return buffered + Buffer.byteLength(text) > 2 * budget ? 'buffer' : 'send';
  }

  afterSend(buffered: number): void {
    if (buffered > this.peak) this.peak = buffered;
  }
}
