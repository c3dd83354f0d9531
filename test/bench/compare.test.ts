/**
 * `npm run bench -- --compare <dir>`: the comparison logic on small fixture runs — an earlier run
 * read from its result files and from a committed summary.md, figures matched by scenario, table,
 * row and column, ratios and regression flags, and figures without an earlier counterpart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { betterOf, compareRuns, comparisonMarkdown, fromResult, loadRun, parseCell, renderComparison, type Figure } from '../../bench/report/compare.ts';
import { parseCli } from '../../bench/runner/args.ts';
import type { ScenarioResult, Table } from '../../bench/scenarios/types.ts';

const fixtures = fileURLToPath(new URL('./fixtures/compare/', import.meta.url));

/** A result of "this run", as the scenarios produce it. */
function result(scenario: string, title: string, tables: Table[], goals: ScenarioResult['goals'] = []): ScenarioResult {
  return {
    scenario, title, what: '', startedAt: '', finishedAt: '', options: {}, tables, goals,
    noise: { windows: 0, disturbed: 0, retried: 0, worstForeignPct: 0, worstStealPct: 0, text: '', reports: [] },
    histograms: {}, charts: [], notes: [], serverLogs: [],
  };
}

const throughput: Table = {
  title: 'Throughput: closed loop, 100 sockets, 3 interleaved rounds of 3 s',
  columns: [
    { key: 'opsPerSec', label: 'events/s', better: 'higher' },
    { key: 'cpuUsPerOp', label: 'server CPU µs/event', digits: 1, better: 'lower' },
    { key: 'cpuVsRaw', label: 'CPU/event vs raw', better: 'lower' },
    { key: 'clientCpuPct', label: 'client CPU %' },
  ],
  rows: [
    { peer: 'raw uWS', status: 'ok', values: { opsPerSec: 96000, cpuUsPerOp: 9, cpuVsRaw: '—', clientCpuPct: 98 } },
    { peer: 'Livery', status: 'ok', values: { opsPerSec: 70000, cpuUsPerOp: 12, cpuVsRaw: '1.33× (1.30–1.40)', clientCpuPct: 90 } },
    { peer: 'Livery, Redis state', status: 'ok', values: { opsPerSec: 60000, cpuUsPerOp: 14, cpuVsRaw: '1.55×', clientCpuPct: 80 } },
  ],
};

const latency: Table = {
  title: 'Latency at fixed offered load, ms',
  columns: [
    { key: 'load', label: 'load' },
    { key: 'p99', label: 'p99', digits: 2, better: 'lower' },
  ],
  rows: [
    { peer: 'raw uWS', status: 'ok', values: { load: '25%', p99: 1.0 } },
    { peer: 'Livery', status: 'ok', values: { load: '25%', p99: 1.0 } },
    { peer: 'raw uWS', status: 'ok', values: { load: '50%', p99: 1.2 } },
    { peer: 'Livery', status: 'ok', values: { load: '50%', p99: 1.5 } },
  ],
};

const roundtrip = result('event-roundtrip', '1. Event round trip', [throughput, latency], [
  { text: 'Server CPU per event ≤ 1.5× raw uWS echo', status: 'missed', detail: '1.6×' },
  { text: 'p99 at 50% load ≤ 1.3× raw uWS p99', status: 'met', detail: '1.25×' },
  { text: 'Redis state: added p99 at 50% load ≤ 1 ms', status: 'met', detail: '+0.3 ms' },
]);

const find = (figures: Figure[], row: string, column: string) => figures.find((f) => f.row === row && f.column === column);

t.test('cells are read as the report formats them', async (t) => {
  t.equal(parseCell('95,805'), 95805);
  t.equal(parseCell('1.10× (1.08–1.11)'), 1.1);
  t.equal(parseCell('0.04'), 0.04);
  t.equal(parseCell('-0.5'), -0.5);
  t.equal(parseCell('—'), null);
  t.equal(parseCell(''), null);
  t.equal(parseCell('≥ 10000'), '≥ 10000', 'a bound is text, not the number it names');
  t.equal(parseCell('overloaded'), 'overloaded');
});

t.test('which way is better: declared, else from the label, else no verdict', async (t) => {
  t.equal(betterOf('anything', 'higher'), 'higher');
  t.equal(betterOf('events/s'), 'higher');
  t.equal(betterOf('joins/s'), 'higher');
  t.equal(betterOf('largest N'), 'higher');
  t.equal(betterOf('server CPU µs/event'), 'lower');
  t.equal(betterOf('lag p99'), 'lower');
  t.equal(betterOf('KB / session'), 'lower');
  t.equal(betterOf('on wire B'), 'lower');
  t.equal(betterOf('client CPU %'), undefined, 'the load generator is not the figure of merit');
  t.equal(betterOf('state kept'), undefined);
  t.equal(betterOf('events/s', 'neither'), undefined, 'a setting (the offered rate) is no figure of merit');
});

t.test('an earlier run from its result files: figures side by side, ratios, regressions flagged', async (t) => {
  const earlier = loadRun(join(fixtures, 'results'));
  t.equal(earlier.source, 'results');
  t.same(earlier.scenarios.map((s) => s.name).sort(), ['event-roundtrip', 'idle-memory'], 'files that are not results are ignored');

  const c = compareRuns([fromResult(roundtrip)], earlier);
  t.same(c.notRunNow, ['4. Memory per idle session'], 'a subset of scenarios: the rest is named, not compared');
  const [scenario] = c.scenarios;
  t.ok(scenario.matched);
  const figures = scenario.tables[0].figures;

  const ops = find(figures, 'Livery', 'events/s')!;
  t.same([ops.now, ops.before], ['70,000', '90,000']);
  t.equal(ops.ratio!.toFixed(3), (70000 / 90000).toFixed(3));
  t.equal(ops.verdict, 'regressed', 'fewer events/s by more than 10%');

  t.equal(find(figures, 'Livery', 'server CPU µs/event')!.verdict, 'regressed', 'more CPU per event by 20%');
  t.equal(find(figures, 'raw uWS', 'events/s')!.verdict, 'same', 'within 10%');
  const rawCpu = find(figures, 'raw uWS', 'server CPU µs/event')!;
  t.equal(rawCpu.ratio, 1);
  t.equal(find(figures, 'Livery', 'CPU/event vs raw')!.ratio!.toFixed(2), (1.33 / 1.11).toFixed(2), 'a ratio cell compares its median');
  t.equal(find(figures, 'Livery', 'client CPU %')!.verdict, '', 'no direction, no verdict (the ratio is still shown)');
  t.type(find(figures, 'Livery', 'client CPU %')!.ratio, 'number');

  const added = find(figures, 'Livery, Redis state', 'events/s')!;
  t.same([added.before, added.verdict, added.ratio], ['—', 'new', undefined], 'a new row has no earlier counterpart');
  const gone = find(figures, 'LiveViewJS 0.8.1', 'events/s')!;
  t.same([gone.now, gone.before, gone.verdict], ['—', '30,000', 'gone'], 'a row measured before and not now');

  // Latency: one row per peer and load level.
  const lat = scenario.tables[1].figures;
  t.equal(lat.length, 4, 'the load column names the rows, it is not a figure');
  t.equal(find(lat, 'Livery · 50%', 'p99')!.ratio!.toFixed(4), (1.5 / 1.6).toFixed(4));
  t.equal(find(lat, 'Livery · 25%', 'p99')!.verdict, 'improved');

  t.same(scenario.goals.map((g) => [g.verdict, g.before]), [['regressed', 'met'], ['improved', 'missed'], ['new', undefined]]);
  t.equal(c.counts.goalsLost, 1);
  t.ok(c.counts.regressed >= 2);
  t.equal(c.counts.unmatched, 4, 'the new row\'s four figures');
});

t.test('the printed comparison says plainly what regressed and what has nothing to compare with', async (t) => {
  const earlier = loadRun(join(fixtures, 'results'));
  const text = renderComparison(compareRuns([fromResult(roundtrip), fromResult(result('page-size', '8. Page size', [latency]))], earlier));
  t.match(text, /Compared with .*results: \d+ figures, \d+ regressed and \d+ improved by more than 10%/);
  t.match(text, /Livery\s+events\/s\s+70,000\s+90,000\s+0\.78×\s+REGRESSION \(higher is better\)/);
  t.match(text, /Livery\s+server CPU µs\/event\s+12\.0\s+10\.0\s+1\.20×\s+REGRESSION \(lower is better\)/);
  t.match(text, /Livery, Redis state\s+events\/s\s+60,000\s+—\s+—\s+no earlier figure/);
  t.match(text, /8\. Page size — not in the earlier run: no earlier figures/);
  t.match(text, /REGRESSION: missed \(was met\) — Server CPU per event/);
  t.match(text, /In the earlier run, not run now: 4\. Memory per idle session\./);
  const md = comparisonMarkdown(compareRuns([fromResult(roundtrip)], earlier));
  t.match(md, /^# Bench comparison/);
  t.match(md, /\| Livery \| events\/s \| 70,000 \| 90,000 \| 0\.78× \| REGRESSION \(higher is better\) \|/);
});

t.test('an earlier run known only by its committed summary.md', async (t) => {
  const earlier = loadRun(join(fixtures, 'summary'));
  t.equal(earlier.source, 'summary');
  t.same(earlier.scenarios.map((s) => s.title), ['1. Event round trip', '2. Tick fan-out']);
  const table = earlier.scenarios[0].tables[0];
  t.same(table.labels, ['events/s', 'server CPU µs/event', 'CPU/event vs raw'], 'the note column is not a figure');
  t.equal(table.rows[2].peer, 'LiveViewJS 0.8.1', 'an escaped pipe stays inside its cell');

  // Renumbered, and its table title carries other parameters: still matched.
  const now = result('event-roundtrip', '3. Event round trip', [{ ...throughput, title: 'Throughput: closed loop, 200 sockets, 5 interleaved rounds of 2 s (median; ratios per round: median (min–max))' }], roundtrip.goals);
  const c = compareRuns([fromResult(now)], earlier);
  const [scenario] = c.scenarios;
  t.ok(scenario.matched, 'scenarios match by title without their number');
  t.ok(scenario.tables[0].matched, 'tables match by title with their numbers blanked');
  const cpu = find(scenario.tables[0].figures, 'Livery', 'server CPU µs/event')!;
  t.same([cpu.now, cpu.before, cpu.verdict], ['12.0', '9.7', 'regressed']);
  t.equal(find(scenario.tables[0].figures, 'Livery', 'CPU/event vs raw')!.ratio!.toFixed(3), (1.33 / 1.1).toFixed(3));
  t.equal(find(scenario.tables[0].figures, 'LiveViewJS 0.8.1', 'events/s'), undefined, 'no figure on either side: nothing to list');
  t.same(scenario.goals.map((g) => [g.verdict, g.before]), [['regressed', 'met'], ['new', undefined], ['new', undefined]], 'goals matched by their text in the summary line');
  t.same(c.notRunNow, ['2. Tick fan-out']);
  t.match(renderComparison(c), /its summary\.md: figures as rounded there/);
});

t.test('a folder without results is refused before anything runs', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'livery-compare-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  t.throws(() => loadRun(empty), /holds no bench results/);
  t.throws(() => loadRun(join(empty, 'missing')), /does not exist/);
  t.equal(parseCli(['--compare', 'bench/results/x'], ['event-roundtrip']).compare, 'bench/results/x');
  t.equal(parseCli([], ['event-roundtrip']).compare, undefined);
});
