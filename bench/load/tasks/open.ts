/**
 * Opening sessions, the join storm and the reconnect storm. Pages (tokens) are fetched first, so
 * the timed phase is the join alone: connect, upgrade, join frame, first reply — with at most
 * `concurrency` handshakes in flight.
 */
import type { OpenArgs, OpenResult, ReconnectArgs, ReconnectResult } from '../../shared/load-protocol.ts';
import { createHistogram, encodeHistogram, recordMs } from '../../shared/histogram.ts';
import { pool } from '../../shared/async.ts';
import { prepareSession } from '../drivers/index.ts';
import { ErrorSample, group, setGroup, sourceAddress } from '../groups.ts';
import type { Session } from '../session.ts';

/** The count each session's last `inc` reply showed, for the reconnect storm's state check. */
const lastCount = new WeakMap<Session, string>();

export async function open(args: OpenArgs): Promise<OpenResult> {
  const errors = new ErrorSample();
  const prepared: Session[] = [];
  await pool(args.count, Math.min(args.concurrency, 64), async () => {
    try {
      prepared.push(await prepareSession(args.target.driver, args.target, args.view));
    } catch (err) {
      errors.add(err);
    }
  });
  const opened: Session[] = [];
  const hist = createHistogram();
  const t0 = performance.now();
  await pool(prepared.length, args.concurrency, async (i) => {
    const s = prepared[i];
    const start = performance.now();
    try {
      await s.join({ localAddress: sourceAddress(i, args.spreadSources) });
      recordMs(hist, performance.now() - start);
      opened.push(s);
    } catch (err) {
      s.drop();
      errors.add(err);
    }
  });
  const joinMs = performance.now() - t0;
  setGroup(args.group, opened);
  return { opened: opened.length, failed: errors.count, errors: errors.messages, joinMs, joinHist: encodeHistogram(hist) };
}

export async function prime(args: { group: string }): Promise<{ primed: number }> {
  const sessions = group(args.group);
  let primed = 0;
  await Promise.all(
    sessions.map(
      (s) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          const ref = s.event('inc');
          s.onReply = (r, frame) => {
            if (r !== ref) return;
            clearTimeout(timer);
            const count = /"0":"([^"]*)"/.exec(frame)?.[1];
            if (count !== undefined) {
              lastCount.set(s, count);
              primed++;
            }
            resolve();
          };
        }),
    ),
  );
  return { primed };
}

export async function reconnect(args: ReconnectArgs): Promise<ReconnectResult> {
  const sessions = group(args.group);
  for (const s of sessions) s.drop();
  const errors = new ErrorSample();
  const hist = createHistogram();
  let rejoined = 0;
  let stateKept = 0;
  let stateChecked = 0;
  const t0 = performance.now();
  await pool(sessions.length, args.concurrency, async (i) => {
    const s = sessions[i];
    const start = performance.now();
    try {
      const reply = await s.join({ localAddress: sourceAddress(i, args.spreadSources) });
      recordMs(hist, performance.now() - start);
      rejoined++;
      const expected = lastCount.get(s);
      if (expected !== undefined) {
        stateChecked++;
        if (reply.includes(`"0":"${expected}"`)) stateKept++;
      }
    } catch (err) {
      errors.add(err);
    }
  });
  return {
    rejoined,
    failed: errors.count,
    errors: errors.messages,
    joinMs: performance.now() - t0,
    joinHist: encodeHistogram(hist),
    stateKept,
    stateChecked,
  };
}
