import t from 'tap';
import { presenceContract } from './presence.case.ts';
import { presenceProcess } from './redis-harness.ts';

// A fast heartbeat, so heartbeats and sweeps run during the contract too (and must not disturb it).
presenceContract(t, async (t) => presenceProcess(t, 100));
