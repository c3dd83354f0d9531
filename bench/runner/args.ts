/** Command line: `npm run bench -- [scenario…] [--duration s] [--sessions n] [--rounds n] [--peers a,b] [--out dir] [--compare dir]`. */
import { parseArgs } from 'node:util';
import { PEER_NAMES } from './peers.ts';
import type { PeerName } from './peers.ts';

export interface CliOptions {
  scenarios: string[];
  durationMs?: number;
  sessions?: number;
  rounds?: number;
  peers?: PeerName[];
  retries?: number;
  out?: string;
  /** An earlier run's results folder to print this run's figures beside. */
  compare?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [scenario…] [options]

Runs every scenario (about 5 minutes on 2 cores), or the ones named.

Options:
  --duration <s>    measured window per step, in seconds (each scenario has its own default)
  --sessions <n>    main session count (sockets, max tick fan-out and frequency-ladder views, memory upper count, storm size, subscribers, largest client-patch table)
  --rounds <n>      interleaved rounds for the event round trip (default 3)
  --peers <a,b>     only these peers: ${PEER_NAMES.join(', ')}
  --retries <n>     re-run a window disturbed by foreign load up to n times (default 1; 0: flag only)
  --out <dir>       write the report here instead of bench/results/<timestamp>/
  --compare <dir>   print each figure beside an earlier run's (its results folder), with the change
                    as a ratio and regressions flagged; also written to compare.md
  --help            this text`;

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${raw}"`);
  return n;
}

export function parseCli(argv: string[], known: string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: 'string' },
      sessions: { type: 'string' },
      rounds: { type: 'string' },
      peers: { type: 'string' },
      retries: { type: 'string' },
      out: { type: 'string' },
      compare: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const unknown = positionals.filter((p) => !known.includes(p));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const peers = values.peers?.split(',').map((p) => p.trim());
  const badPeer = peers?.find((p) => !PEER_NAMES.includes(p as PeerName));
  if (badPeer !== undefined) throw new Error(`unknown peer "${badPeer}"; known: ${PEER_NAMES.join(', ')}`);
  const duration = positive('duration', values.duration);
  const sessions = positive('sessions', values.sessions);
  const rounds = positive('rounds', values.rounds);
  const retries = values.retries === undefined ? undefined : Number(values.retries);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new Error(`--retries needs a whole number ≥ 0, got "${values.retries}"`);
  return {
    scenarios: positionals.length > 0 ? positionals : known,
    durationMs: duration === undefined ? undefined : duration * 1000,
    sessions: sessions === undefined ? undefined : Math.round(sessions),
    rounds: rounds === undefined ? undefined : Math.round(rounds),
    peers: peers as PeerName[] | undefined,
    retries,
    out: values.out,
    compare: values.compare,
    help: values.help ?? false,
  };
}
