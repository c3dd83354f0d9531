/**
 * Tick lag without server timestamps. A view ticking every `periodMs` pushes its k-th frame at
 * `phase + k · period`. Each frame's k is its distance from the socket's first frame in periods
 * (rounded, so a tick the server skipped does not shift the rest); the socket's phase is estimated
 * as the earliest `arrival − k · period` in the window, and a frame's lag is how much later than
 * that it came. A server that falls behind shows a growing lag; a constant offset (the socket's place
 * in a fan-out loop) does not count. Expected frames that never arrived are counted as `missed`.
 * Frames that carry their tick's number (`numbered`) are placed by that number instead: rounding
 * cannot tell a frame more than half a period late from an early one of the next tick.
 */
import type { TicksArgs, TicksResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { sleep } from '../../shared/async.ts';
import { group } from '../groups.ts';
import { openLoop } from './open-loop.ts';

export async function ticks(args: TicksArgs): Promise<TicksResult> {
  const sessions = group(args.group);
  const arrivals = sessions.map(() => [] as number[]);
  const numbers = sessions.map(() => [] as number[]);
  let bytes = 0;
  sessions.forEach((s, k) => {
    const mine = arrivals[k];
    const seq = numbers[k];
    s.onPush = (frame, size) => {
      mine.push(performance.now());
      bytes += size;
      if (args.numbered === true) seq.push(tickNumber(frame));
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
  arrivals.forEach((times, k) => {
    frames += times.length;
    missed += Math.max(0, expected - times.length);
    // A peer whose frames carry no number falls back to rounding (its lag is then trustworthy only below half a period).
    const lags = args.numbered === true && numbers[k].every(Number.isFinite) ? numberedTickLags(times, numbers[k], args.periodMs) : tickLags(times, args.periodMs);
    for (const lag of lags) recordMs(lagHist, lag);
  });
  return { frames, bytes, sockets: sessions.length, missed, lagHist: encodeHistogram(lagHist), probe: await probe };
}

/** Each frame's lag behind the socket's best-case tick schedule (see the header), in ms. */
export function tickLags(arrivals: number[], periodMs: number): number[] {
  if (arrivals.length === 0) return [];
  const offsets = arrivals.map((t) => t - Math.round((t - arrivals[0]) / periodMs) * periodMs);
  const phase = Math.min(...offsets);
  return offsets.map((o) => o - phase);
}

/** The frame's last value when it is a whole number (`[2,"d",1,{"0":"42"}]` → 42); NaN otherwise. */
export function tickNumber(frame: string): number {
  const m = /:"(\d+)"[^"]*$/.exec(frame);
  return m === null ? Number.NaN : Number(m[1]);
}

/**
 * Each frame's lag behind the socket's best-case schedule when frames carry their tick's number:
 * frame i belongs `numbers[i] − numbers[0]` periods after the first, however late it came.
 */
export function numberedTickLags(arrivals: number[], numbers: number[], periodMs: number): number[] {
  if (arrivals.length === 0) return [];
  const offsets = arrivals.map((t, i) => t - (numbers[i] - numbers[0]) * periodMs);
  const phase = Math.min(...offsets);
  return offsets.map((o) => o - phase);
}
