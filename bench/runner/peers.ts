/**
 * The servers under test. Each is a separate process started from `bench/servers/<name>.ts` and
 * driven by one of the load generator's drivers. A peer's `features` (the bench views it serves)
 * come from its READY line at run time, so a scenario asks for a view and learns whether the peer
 * has it.
 */
import type { DriverName } from '../load/drivers/index.ts';

export type PeerName = 'livery' | 'raw-uws' | 'ws-full-html' | 'liveviewjs';

export interface Peer {
  name: PeerName;
  label: string;
  /** Relative to the repository root. */
  entry: string;
  driver: DriverName;
  /** A peer still being built: any failure to start or serve reads "not yet available", not an error. */
  inProgress: boolean;
}

export const PEERS: Record<PeerName, Peer> = {
  livery: { name: 'livery', label: 'Livery', entry: 'bench/servers/livery.ts', driver: 'livery', inProgress: true },
  'raw-uws': { name: 'raw-uws', label: 'raw uWS', entry: 'bench/servers/raw-uws.ts', driver: 'plain', inProgress: false },
  'ws-full-html': { name: 'ws-full-html', label: 'ws + full HTML', entry: 'bench/servers/ws-full-html.ts', driver: 'plain', inProgress: false },
  liveviewjs: { name: 'liveviewjs', label: 'LiveViewJS 0.8.1', entry: 'bench/servers/liveviewjs.ts', driver: 'phoenix', inProgress: false },
};

export const PEER_NAMES = Object.keys(PEERS) as PeerName[];
