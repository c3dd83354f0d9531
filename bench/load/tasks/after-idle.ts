/**
 * The first event after idle (memory scenario): every session of a group that has sat idle sends
 * one event and waits for its reply, then sends a second one at once — the warm event it is
 * compared with. One session at a time, so neither figure includes queueing behind the others.
 */
import type { AfterIdleArgs, AfterIdleResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { ErrorSample, group } from '../groups.ts';
import type { Session } from '../session.ts';

/** Sends `name` and resolves with its round trip in ms once the reply to that ref arrives. */
function roundTrip(s: Session, name: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${name} within ${timeoutMs} ms`)), timeoutMs);
    const start = performance.now();
    const ref = s.event(name);
    s.onReply = (r) => {
      if (r !== ref) return;
      clearTimeout(timer);
      resolve(performance.now() - start);
    };
    s.onError = (r, frame) => {
      if (r !== ref) return;
      clearTimeout(timer);
      reject(new Error(`error reply: ${frame.slice(0, 160)}`));
    };
  });
}

export async function afterIdle(args: AfterIdleArgs): Promise<AfterIdleResult> {
  const errors = new ErrorSample();
  const first = createHistogram();
  const warm = createHistogram();
  for (const s of group(args.group)) {
    try {
      recordMs(first, await roundTrip(s, args.event, 10_000));
      recordMs(warm, await roundTrip(s, args.event, 10_000));
    } catch (err) {
      errors.add(err);
    }
  }
  return { firstHist: encodeHistogram(first), warmHist: encodeHistogram(warm), failed: errors.count, errors: errors.messages };
}
