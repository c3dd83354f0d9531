/**
 * The bench's load fleet (bench/runner/load-fleet.ts): sockets split over several real load
 * processes against the real raw uWS peer, a tick window run on all of them and merged. Counts
 * only — never timings.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LoadFleet } from '../../bench/runner/load-fleet.ts';
import { startLoad } from '../../bench/runner/load-process.ts';
import { startServer } from '../../bench/runner/server-process.ts';
import { PEERS } from '../../bench/runner/peers.ts';
import { decodeHistogram } from '../../bench/shared/histogram.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

t.test('a group larger than one process holds is split, ticks merge, stop ends the extra processes', async (t) => {
  const server = await startServer(PEERS['raw-uws'], root);
  t.teardown(() => server.stop());
  const shared = await startLoad(root);
  t.teardown(() => shared.stop());
  const fleet = new LoadFleet(shared, root, 3);
  const target = { driver: 'plain' as const, host: '127.0.0.1', port: server.port };

  const probe = await fleet.open({ group: 'probe', target, view: 'counter', count: 1, concurrency: 1, spreadSources: false });
  t.equal(probe.opened, 1);
  const opened = await fleet.open({ group: 'ticks', target, view: 'tick-20hz', count: 7, concurrency: 7, spreadSources: false });
  t.same([opened.opened, opened.failed], [7, 0], 'every session joined');
  t.equal(fleet.peak, 3, '1 probe + 7 sessions at 3 a process: three processes');

  const w = await fleet.ticks({ group: 'ticks', durationMs: 600, periodMs: 50, numbered: true, probe: { group: 'probe', event: 'inc', rate: 20, durationMs: 600 } });
  t.equal(w.sockets, 7, 'every process reported its sockets');
  t.ok(w.frames >= 7 * 5, `frames from every socket (${w.frames})`);
  t.equal(w.bytes, w.frames * 25, 'the 25-byte frame');
  t.equal(decodeHistogram(w.lagHist).totalCount, w.frames, 'one lag per frame, merged');
  t.ok(w.probe !== undefined && w.probe.completed > 0, 'the probe ran on its process');

  await fleet.stop();
  await t.rejects(fleet.ticks({ group: 'ticks', durationMs: 10, periodMs: 50 }), /no open sessions/, 'stop closed the groups');
  const again = await fleet.open({ group: 'again', target, view: 'tick-1hz', count: 2, concurrency: 2, spreadSources: false });
  t.equal(again.opened, 2, 'the shared process still serves');
  await fleet.stop();
});
