/**
 * Capacity: every session keeps exactly one event in flight and sends the next one as soon as the
 * reply lands. With ~100 sessions the server always has work queued, so ops/s is the server's
 * capacity — unless the client saturates first, which the runner checks from `cpuMs`.
 */
import type { ClosedLoopArgs, ClosedLoopResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { sleep } from '../../shared/async.ts';
import { group } from '../groups.ts';

export async function closedLoop(args: ClosedLoopArgs): Promise<ClosedLoopResult> {
  const sessions = group(args.group);
  const hist = createHistogram();
  let running = true;
  let ops = 0;
  let errors = 0;
  let inFlight = 0;
  const t0 = performance.now();
  for (const s of sessions) {
    let sentAt = 0;
    let ref = 0;
    const fire = () => {
      sentAt = performance.now();
      ref = s.event(args.event);
      inFlight++;
    };
    s.onReply = (r) => {
      if (r !== ref) return;
      inFlight--;
      ops++;
      recordMs(hist, performance.now() - sentAt);
      if (running) fire();
    };
    s.onError = (r) => {
      if (r !== ref) return;
      inFlight--;
      errors++;
      if (running) fire();
    };
    fire();
  }
  await sleep(args.durationMs);
  running = false;
  const windowMs = performance.now() - t0;
  // Let the last replies land so the next task starts on a quiet socket.
  for (let waited = 0; inFlight > 0 && waited < 3000; waited += 10) await sleep(10);
  return { ops, errors, windowMs, hist: encodeHistogram(hist) };
}
