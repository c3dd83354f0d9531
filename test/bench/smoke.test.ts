/**
 * `npm run bench` end to end, in miniature: every scenario for about a second with a handful of
 * sessions, every peer that starts. Checks the report's shape — files, JSON fields, tables, charts,
 * summary — never its numbers (this machine's numbers are not stable enough to assert, and the
 * bench reports misses rather than failing on them).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { decodeHistogram } from '../../bench/shared/histogram.ts';
import { SCENARIOS } from '../../bench/scenarios/index.ts';
import type { ScenarioResult } from '../../bench/scenarios/types.ts';

// Nine scenarios against four peers, each started and stopped: about a minute on a quiet machine,
// two or more beside the rest of the suite on two cores — more than tap's default bound for a hang.
t.setTimeout(5 * 60_000);

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const out = mkdtempSync(join(tmpdir(), 'livery-bench-smoke-'));
t.teardown(() => rmSync(out, { recursive: true, force: true }));

const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
  const child = spawn(process.execPath, ['bench/run.ts', '--duration', '0.5', '--sessions', '10', '--rounds', '1', '--retries', '0', '--out', out], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.on('exit', (code) => done({ code, stdout, stderr }));
});

t.equal(run.code, 0, 'the run completes without a failed scenario', { stderr: run.stderr.slice(-2000) });

const STATUSES = ['ok', 'not-yet-available', 'error', 'skipped'];
const GOALS = ['met', 'missed', 'not-yet-available', 'not-measured'];

for (const scenario of SCENARIOS) {
  t.test(`${scenario.name}: result file, tables, goals and charts`, async (t) => {
    const file = join(out, `${scenario.name}.json`);
    t.ok(existsSync(file), `${scenario.name}.json written`);
    const result = JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult & { machine: Record<string, unknown> };
    t.equal(result.scenario, scenario.name);
    t.equal(result.error, undefined, 'the scenario did not fail');
    t.type(result.title, 'string');
    t.ok(Date.parse(result.finishedAt) >= Date.parse(result.startedAt), 'timestamps');
    t.type(result.machine.cpus, 'number');
    t.type(result.noise.text, 'string');
    t.ok(result.tables.length > 0, 'has tables');
    for (const table of result.tables) {
      t.ok(table.columns.every((c) => typeof c.key === 'string' && typeof c.label === 'string'), `columns of "${table.title}"`);
      t.ok(table.rows.length > 0, `rows in "${table.title}"`);
      for (const row of table.rows) {
        t.ok(STATUSES.includes(row.status), `row status ${row.status}`);
        if (row.status !== 'ok') t.type(row.reason, 'string', `${row.peer} says why it has no numbers`);
      }
    }
    t.ok(result.goals.every((g) => GOALS.includes(g.status) && typeof g.text === 'string'), 'goals have a known status');
    for (const chart of result.charts) {
      const svg = readFileSync(join(out, chart.file), 'utf8');
      t.match(svg, /^<svg [^>]*>[\s\S]*<\/svg>\n$/, `${chart.file} is an SVG document`);
    }
    for (const [key, encoded] of Object.entries(result.histograms)) {
      t.doesNotThrow(() => decodeHistogram(encoded), `histogram ${key} decodes`);
    }
  });
}

t.test('the reference peers produce numbers; histograms and charts are there', async (t) => {
  const rt = JSON.parse(readFileSync(join(out, 'event-roundtrip.json'), 'utf8')) as ScenarioResult;
  const raw = rt.tables[0].rows.find((r) => r.peer === 'raw uWS');
  t.equal(raw?.status, 'ok', 'raw uWS measured');
  t.type(raw?.values.cpuUsPerOp, 'number');
  t.ok(decodeHistogram(rt.histograms['raw-uws/closed-loop/round-1']).totalCount > 0, 'raw closed-loop histogram recorded events');
  t.same(rt.charts.map((c) => c.file).sort(), ['event-roundtrip-cpu.svg', 'event-roundtrip-latency.svg', 'event-roundtrip-throughput.svg']);
  const memory = JSON.parse(readFileSync(join(out, 'idle-memory.json'), 'utf8')) as ScenarioResult;
  t.equal(memory.tables[0].rows.find((r) => r.peer === 'ws + full HTML')?.status, 'ok', 'ws peer measured');
  t.equal(memory.tables[0].rows.find((r) => r.peer === 'LiveViewJS 0.8.1')?.status, 'ok', 'LiveViewJS peer measured');
});

t.test('page-size: one row per table size, CPU and bytes per event, both goals judged', async (t) => {
  const result = JSON.parse(readFileSync(join(out, 'page-size.json'), 'utf8')) as ScenarioResult;
  const rows = result.tables[0].rows;
  t.same(rows.map((r) => r.values.rows), [100, 1_000, 10_000], 'the three sizes, in order');
  for (const row of rows) {
    t.equal(row.status, 'ok', `${row.values.rows} rows measured`);
    t.type(row.values.cpuUsPerOp, 'number');
    t.type(row.values.bytes, 'number');
  }
  t.equal(result.goals.length, 2);
  t.ok(result.goals.every((g) => g.status === 'met' || g.status === 'missed'), 'judged, not skipped');
  t.same(result.charts.map((c) => c.file), ['page-size-cpu.svg']);
});

t.test('tick-fanout: the N ladder, the frequency ladder from 1 Hz on the same bytes, both ladder goals judged', async (t) => {
  const result = JSON.parse(readFileSync(join(out, 'tick-fanout.json'), 'utf8')) as ScenarioResult;
  t.same(
    result.tables.map((table) => table.title.split(/[:(]/)[0].trim()),
    ['Each step', 'Frequency ladder', 'Largest N within limits', 'Frequency ladder'],
  );
  const ladder = result.tables[1].rows;
  for (const peer of ['raw uWS', 'Livery']) {
    const rows = ladder.filter((r) => r.peer === peer);
    t.equal(rows[0]?.status, 'ok', `${peer}: 1 Hz measured`);
    t.same(
      rows.map((r) => r.values.hz),
      [1, 5, 10, 20].slice(0, rows.length),
      `${peer}: the rates climb in order until one fails`,
    );
    t.ok(rows.slice(0, -1).every((r) => r.values.pass === 'yes'), `${peer}: only the last step may fail`);
    t.type(rows[0]?.values.updatesPerSec, 'number');
    t.type(rows[0]?.values.cpuUsPerUpdate, 'number');
  }
  const bytes = ladder.map((r) => r.values.bytesPerFrame);
  t.same(new Set(bytes), new Set([25]), 'both peers push the same 25-byte frame');
  t.same(result.tables[3].rows.map((r) => r.peer), ['raw uWS', 'Livery']);
  const goals = result.goals.map((g) => g.text);
  t.ok(goals.some((g) => g.startsWith('Largest N')) && goals.some((g) => g.startsWith('Ticks beyond 1 Hz')), 'both ladder goals');
  t.ok(result.goals.filter((g) => g.text.startsWith('Ticks beyond 1 Hz')).every((g) => g.status === 'met' || g.status === 'missed'), 'the frequency goal is judged');
  t.same(result.charts.map((c) => c.file), ['tick-fanout-lag.svg', 'tick-fanout-ladder.svg']);
});

t.test('summary.md and the terminal carry every scenario\'s table', async (t) => {
  const summary = readFileSync(join(out, 'summary.md'), 'utf8');
  t.match(summary, /^# Livery bench — /);
  t.match(summary, /Machine: .* CPUs/);
  for (const scenario of SCENARIOS) {
    t.match(summary, `## ${scenario.title}`);
    t.match(run.stdout, scenario.title);
  }
  t.match(summary, /\n\| peer \| /);
  t.match(summary, /Noise guard: /);
  t.match(run.stdout, `Report: ${join(out, 'summary.md')}`);
});
