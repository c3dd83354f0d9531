/** The scenarios, in the order `npm run bench` runs them (issue 5, scenarios 1–7; issue 11, scenario 8; issue 12, scenarios 9–10; issue 13, scenario 11). */
import { broadcast } from './broadcast.ts';
import { clientPatch } from './client-patch.ts';
import { dataAccounting } from './data-accounting.ts';
import { eventRoundtrip } from './event-roundtrip.ts';
import { idleMemory } from './idle-memory.ts';
import { joinStorm } from './join-storm.ts';
import { pageSize } from './page-size.ts';
import { streamMemory } from './stream-memory.ts';
import { tickFanout } from './tick-fanout.ts';
import { uploads } from './uploads.ts';
import type { Scenario } from './types.ts';
import { wireBytes } from './wire-bytes.ts';

export const SCENARIOS: Scenario[] = [eventRoundtrip, tickFanout, wireBytes, idleMemory, joinStorm, dataAccounting, broadcast, uploads, pageSize, clientPatch, streamMemory];

export type { Scenario, ScenarioResult } from './types.ts';
