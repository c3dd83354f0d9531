/**
 * The runner: processes (servers under test, the load generator), measured windows with the noise
 * guard, and the context scenarios work in.
 */
export { USAGE, parseCli, type CliOptions } from './args.ts';
export { ScenarioContext, type RunOptions, type Started, type Window } from './context.ts';
export { startLoad, type LoadClient, type Measured } from './load-process.ts';
export { describeMachine, type Machine } from './machine.ts';
export { PEERS, PEER_NAMES, type Peer, type PeerName } from './peers.ts';
export { createProgress, type Progress } from './progress.ts';
export { ServerUnavailable, startServer, type ServerHandle } from './server-process.ts';
