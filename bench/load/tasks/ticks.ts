/**
 * Tick lag without server timestamps. A view ticking every `periodMs` pushes its k-th frame at
 * `phase + k · period`. Each frame's k is its distance from the socket's first frame in periods
 * (rounded, so a tick the server skipped does not shift the rest); the socket's phase is estimated
 * as the earliest `arrival − k · period` in the window, and a frame's lag is how much later than
 * that it came. A server that falls behind shows a growing lag; a constant offset (the socket's place
 * in a fan-out loop) does not count. Expected frames that never arrived are counted as `missed`.
 */
import type { TicksArgs, TicksResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { sleep } from '../../shared/async.ts';
import { group } from '../groups.ts';
import { openLoop } from './open-loop.ts';

export async function ticks(args: TicksArgs): Promise<TicksResult> {
  const sessions = group(args.group);
  const arrivals = sessions.map(() => [] as number[]);
  let bytes = 0;
  sessions.forEach((s, k) => {
    const mine = arrivals[k];
    s.onPush = (_frame, size) => {
      mine.push(performance.now());
      bytes += size;
    };
  });
  const probe = args.probe === undefined ? undefined : openLoop(args.probe);
  await sleep(args.durationMs);
  for (const s of sessions) s.onPush = () => {};
  const lagHist = createHistogram();
  let frames = 0;
  let missed = 0;
  // A tick at either edge of the window may land on either side of it: only count a frame as
  // missed beyond that.
  const expected = Math.max(0, Math.floor(args.durationMs / args.periodMs) - 1);
  for (const times of arrivals) {
    frames += times.length;
    missed += Math.max(0, expected - times.length);
    for (const lag of tickLags(times, args.periodMs)) recordMs(lagHist, lag);
  }
  return { frames, bytes, sockets: sessions.length, missed, lagHist: encodeHistogram(lagHist), probe: await probe };
}

/** Each frame's lag behind the socket's best-case tick schedule (see the header), in ms. */
export function tickLags(arrivals: number[], periodMs: number): number[] {
  if (arrivals.length === 0) return [];
  const offsets = arrivals.map((t) => t - Math.round((t - arrivals[0]) / periodMs) * periodMs);
  const phase = Math.min(...offsets);
  return offsets.map((o) => o - phase);
}
