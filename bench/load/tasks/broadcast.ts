/**
 * Broadcast: a sender session fires `event` with `{n}` (a sequence number, unique within the load
 * process) at a fixed rate; each subscriber's pushed frame shows the latest n it got
 * (`{"0":"<n>"}`), so a frame is matched to its broadcast even when a server coalesces updates,
 * and its latency runs from that broadcast's intended send time. `delivered` counts frames matched.
 */
import type { BroadcastArgs, BroadcastResult, SilenceArgs, SilenceResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { sleep } from '../../shared/async.ts';
import { group } from '../groups.ts';

let sequence = 0;

/** Waits until `due` (performance.now() time), never returning early: timers for the bulk, then turns of the loop. */
async function until(due: number): Promise<void> {
  for (let left = due - performance.now(); left > 0; left = due - performance.now()) {
    if (left > 2) await sleep(left - 1);
    else await new Promise((done) => setImmediate(done));
  }
}
const SEQ = /"0":"(\d+)"/;

export async function broadcast(args: BroadcastArgs): Promise<BroadcastResult> {
  const subscribers = group(args.group);
  const [sender] = group(args.sender);
  const hist = createHistogram();
  const intended = new Map<number, number>();
  let delivered = 0;
  for (const s of subscribers) {
    s.onPush = (frame) => {
      const at = intended.get(Number(SEQ.exec(frame)?.[1]));
      if (at === undefined) return;
      recordMs(hist, performance.now() - at);
      delivered++;
    };
  }
  sender.onPush = () => {};
  sender.onReply = () => {};
  const total = Math.max(1, Math.round((args.rate * args.durationMs) / 1000));
  const interval = 1000 / args.rate;
  const t0 = performance.now() + 5;
  for (let i = 0; i < total; i++) {
    await until(t0 + i * interval);
    const n = ++sequence;
    intended.set(n, t0 + i * interval);
    sender.event(args.event, { n });
  }
  const expected = total * subscribers.length;
  for (let waited = 0; delivered < expected && waited < 3000; waited += 10) await sleep(10);
  for (const s of subscribers) s.onPush = () => {};
  return { broadcasts: total, delivered, expected, hist: encodeHistogram(hist) };
}

/** Counts what a group receives while nothing is asked of it (a tick that changes nothing). */
export async function silence(args: SilenceArgs): Promise<SilenceResult> {
  const sessions = group(args.group);
  const before = sessions.reduce((n, s) => n + s.bytesIn, 0);
  const framesBefore = sessions.reduce((n, s) => n + s.framesIn, 0);
  await sleep(args.durationMs);
  return {
    frames: sessions.reduce((n, s) => n + s.framesIn, 0) - framesBefore,
    bytes: sessions.reduce((n, s) => n + s.bytesIn, 0) - before,
  };
}
