/**
 * Drivers by name. A peer names its driver in `bench/runner/peers.ts`; the load process builds
 * sessions through this table.
 */
import type { Session, SessionTarget } from '../session.ts';
import { liverySession } from './livery.ts';
import { phoenixSession } from './phoenix.ts';
import { plainSession } from './plain.ts';

export type DriverName = 'livery' | 'plain' | 'phoenix';

const drivers: Record<DriverName, (target: SessionTarget, view: string) => Promise<Session>> = {
  livery: liverySession,
  plain: plainSession,
  phoenix: phoenixSession,
};

/** Prepares a session (page fetched where the driver needs one); `join()` connects it. */
export function prepareSession(driver: DriverName, target: SessionTarget, view: string): Promise<Session> {
  return drivers[driver](target, view);
}
