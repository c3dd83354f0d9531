/** Helpers shared by the scenarios. */
import type { Target } from '../shared/load-protocol.ts';
import type { ScenarioContext, Started } from '../runner/context.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import type { Row, Value } from './types.ts';

export function targetOf(server: ServerHandle): Target {
  return { driver: server.peer.driver, host: '127.0.0.1', port: server.port, hostHeader: server.meta.host };
}

export function okRow(peer: string, values: Record<string, Value>): Row {
  return { peer, status: 'ok', values };
}

export function failedRow(peer: string, started: Extract<Started, { ok: false }>): Row {
  return { peer, status: started.status, reason: started.reason, values: {} };
}

export function errorRow(peer: string, reason: string): Row {
  return { peer, status: 'error', reason, values: {} };
}

/**
 * A goal that compares Livery with a reference. When Livery's row has no numbers the goal is
 * "not yet available" (or "not measured" when the reference is missing), or missed when Livery
 * failed with an error: never a made-up verdict.
 */
export function judgeGoal(
  ctx: ScenarioContext,
  text: string,
  livery: Row | undefined,
  reference: Row | undefined,
  evaluate: () => { met: boolean; detail: string },
): void {
  if (livery === undefined) return ctx.goal(text, 'not-measured', 'Livery was not part of this run (--peers)');
  if (livery.status === 'error') return ctx.goal(text, 'missed', `error: ${livery.reason ?? 'no result'}`);
  if (livery.status !== 'ok') return ctx.goal(text, 'not-yet-available', livery.reason ?? 'Livery has no result');
  if (reference !== undefined && reference.status !== 'ok') return ctx.goal(text, 'not-measured', `reference ${reference.peer}: ${reference.reason ?? 'no result'}`);
  const { met, detail } = evaluate();
  ctx.goal(text, met ? 'met' : 'missed', detail);
}

/** Frees the load process's sessions for `group`, ignoring a group that never opened. */
export async function closeGroup(ctx: ScenarioContext, group: string): Promise<void> {
  await ctx.load.call('close', { group });
}
