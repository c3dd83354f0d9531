/**
 * Messages between the runner and the load process (Node IPC). The runner sends
 * `{id, op, args}`; the load process answers `{id, ok: true, result}` or `{id, ok: false, error}`.
 * Every result carries the load process's own CPU time for the operation (`cpuMs`) and its wall
 * time (`elapsedMs`), so the report can show whether the client kept up. Histograms travel encoded
 * (`shared/histogram.ts`).
 */
import type { DriverName } from '../load/drivers/index.ts';

export interface Target {
  driver: DriverName;
  host: string;
  port: number;
  hostHeader?: string;
}

export interface OpenArgs {
  group: string;
  target: Target;
  view: string;
  count: number;
  concurrency: number;
  /** Spread sockets over 127.0.0.2…127.0.0.51 (many connections, join storms). */
  spreadSources: boolean;
}
export interface OpenResult {
  opened: number;
  failed: number;
  errors: string[];
  /** Wall time of the join phase alone (pages are fetched before it starts). */
  joinMs: number;
  joinHist: string;
}

export interface ClosedLoopArgs {
  group: string;
  event: string;
  durationMs: number;
}
export interface ClosedLoopResult {
  ops: number;
  errors: number;
  windowMs: number;
  hist: string;
}

export interface OpenLoopArgs {
  group: string;
  event: string;
  /** Operations per second offered, whatever the replies do (no coordinated omission). */
  rate: number;
  durationMs: number;
}
export interface OpenLoopResult {
  sent: number;
  completed: number;
  errors: number;
  /** Replies still missing after the drain; recorded in `hist` at their age. */
  incomplete: number;
  /** Latency from the intended send time. */
  hist: string;
  /** Latency from the actual send time (for comparison only). */
  serviceHist: string;
}

export interface TicksArgs {
  group: string;
  durationMs: number;
  periodMs: number;
  /**
   * Each push carries its tick's number (the last integer in the frame, counting up by one a tick):
   * frames are placed on the schedule by that number instead of by rounding arrival times, which
   * misplaces a frame later than half a period (at 20 Hz, 25 ms).
   */
  numbered?: boolean;
  /** Optional event probe running during the window (event latency while ticking). */
  probe?: OpenLoopArgs;
}
export interface TicksResult {
  frames: number;
  bytes: number;
  sockets: number;
  /** Expected frames that never arrived. */
  missed: number;
  lagHist: string;
  probe?: OpenLoopResult;
}

export interface BroadcastArgs {
  group: string;
  sender: string;
  event: string;
  rate: number;
  durationMs: number;
}
export interface BroadcastResult {
  broadcasts: number;
  delivered: number;
  expected: number;
  hist: string;
}

export interface SilenceArgs {
  group: string;
  durationMs: number;
}
export interface SilenceResult {
  frames: number;
  bytes: number;
}

export interface ReconnectArgs {
  group: string;
  concurrency: number;
  spreadSources: boolean;
}
export interface ReconnectResult {
  rejoined: number;
  failed: number;
  errors: string[];
  joinMs: number;
  joinHist: string;
  /** Sessions whose join reply showed the count they had before the drop. */
  stateKept: number;
  stateChecked: number;
}

export interface AfterIdleArgs {
  group: string;
  /** An event the group's view handles with an empty payload. */
  event: string;
}
export interface AfterIdleResult {
  /** Round trips of each session's first event after its idle period, and of the one right after it. */
  firstHist: string;
  warmHist: string;
  failed: number;
  errors: string[];
}

export interface LoadOps {
  open: [OpenArgs, OpenResult];
  closedLoop: [ClosedLoopArgs, ClosedLoopResult];
  openLoop: [OpenLoopArgs, OpenLoopResult];
  ticks: [TicksArgs, TicksResult];
  broadcast: [BroadcastArgs, BroadcastResult];
  silence: [SilenceArgs, SilenceResult];
  /** Sends one `inc` to every session and remembers the count each reply showed. */
  prime: [{ group: string }, { primed: number }];
  reconnect: [ReconnectArgs, ReconnectResult];
  afterIdle: [AfterIdleArgs, AfterIdleResult];
  close: [{ group: string }, { closed: number }];
}

export type LoadOp = keyof LoadOps;

export interface LoadRequest {
  id: number;
  op: LoadOp;
  args: unknown;
}

export type LoadResponse =
  | { id: number; ok: true; result: unknown; cpuMs: number; elapsedMs: number }
  | { id: number; ok: false; error: string };
