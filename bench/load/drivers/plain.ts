/**
 * Plain driver for the reference servers (raw uWS, ws + full HTML): Livery's framing, but no page
 * and no signed token — the join frame names the view (`[2,"j",ref,1,"counter"]`), so the
 * reference server does only what its design needs and nothing Livery-specific. The view
 * `upgrade` sends no join at all: the upgrade is the whole handshake (the raw join storm).
 */
import { classifyLivery } from '../frames.ts';
import { Session } from '../session.ts';
import type { Protocol, SessionTarget } from '../session.ts';

export function plainProtocol(view: string): Protocol {
  return {
    socketPath: '/live',
    headers: {},
    classify: classifyLivery,
    joinFrame: (ref) => (view === 'upgrade' ? null : `[2,"j",${ref},1,${JSON.stringify(view)}]`),
    eventFrame: (ref, name, payload) => `[2,"e",${ref},1,${JSON.stringify(name)},${JSON.stringify(payload)}]`,
    joined() {},
  };
}

export async function plainSession(target: SessionTarget, view: string): Promise<Session> {
  return new Session(target, plainProtocol(view));
}
