/**
 * Latency at a fixed offered load. Send times are fixed up front (`t0 + i / rate`), round-robin over
 * the sessions, and latency is measured from the *intended* send time: a stalled server cannot
 * slow the client down and hide its own stall (coordinated omission). Above 500 sends a second the
 * pacer spins on setImmediate so sends leave within one event-loop turn of their time (the client's
 * CPU is then high by design, not a sign of saturation); slower rates sleep on timers.
 */
import type { OpenLoopArgs, OpenLoopResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { sleep } from '../../shared/async.ts';
import { group } from '../groups.ts';

const DRAIN_MS = 3000;

export async function openLoop(args: OpenLoopArgs): Promise<OpenLoopResult> {
  const sessions = group(args.group);
  const hist = createHistogram();
  const serviceHist = createHistogram();
  const total = Math.max(1, Math.round((args.rate * args.durationMs) / 1000));
  const interval = 1000 / args.rate;
  // Per session: ref → [intended, actual] send times.
  const pending = sessions.map(() => new Map<number, [number, number]>());
  let completed = 0;
  let errors = 0;
  sessions.forEach((s, k) => {
    const mine = pending[k];
    s.onReply = (ref) => {
      const times = mine.get(ref);
      if (times === undefined) return;
      mine.delete(ref);
      const now = performance.now();
      recordMs(hist, now - times[0]);
      recordMs(serviceHist, now - times[1]);
      completed++;
    };
    s.onError = (ref) => {
      if (mine.delete(ref)) errors++;
    };
  });
  const t0 = performance.now() + 5;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pace = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        const k = sent % sessions.length;
        const ref = sessions[k].event(args.event);
        pending[k].set(ref, [t0 + sent * interval, performance.now()]);
        sent++;
      }
      if (sent >= total) resolve();
      else if (interval < 2) setImmediate(pace);
      else setTimeout(pace, Math.max(0, t0 + sent * interval - performance.now() - 1));
    };
    setImmediate(pace);
  });
  const outstanding = () => pending.reduce((n, m) => n + m.size, 0);
  for (let waited = 0; outstanding() > 0 && waited < DRAIN_MS; waited += 10) await sleep(10);
  const end = performance.now();
  let incomplete = 0;
  for (const m of pending) {
    for (const [intended] of m.values()) {
      recordMs(hist, end - intended);
      incomplete++;
    }
  }
  return { sent, completed, errors, incomplete, hist: encodeHistogram(hist), serviceHist: encodeHistogram(serviceHist) };
}
