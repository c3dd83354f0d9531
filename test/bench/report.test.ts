/** The report's renderers: tables (terminal and Markdown), goal lines, and the SVG charts. */
import t from 'tap';
import { chartSvg, markdownTable, renderTable, scenarioMarkdown } from '../../bench/report/index.ts';
import { formatValue, goalLine, tableCells } from '../../bench/report/format.ts';
import type { ScenarioResult, Table } from '../../bench/scenarios/types.ts';

const table: Table = {
  title: 'Throughput',
  columns: [
    { key: 'ops', label: 'events/s' },
    { key: 'cpu', label: 'µs/event', digits: 1 },
  ],
  rows: [
    { peer: 'raw uWS', status: 'ok', values: { ops: 76043.4, cpu: 10.44 } },
    { peer: 'Livery', status: 'not-yet-available', reason: 'no broadcast view', values: {} },
  ],
};

t.test('cells: numbers formatted, missing values as dashes, a note column only when needed', async (t) => {
  t.equal(formatValue(76043.4), '76,043');
  t.equal(formatValue(10.44, 1), '10.4');
  t.equal(formatValue(null), '—');
  t.equal(formatValue(Number.NaN), '—');
  t.equal(formatValue('≥ 20'), '≥ 20');
  const { header, body } = tableCells(table);
  t.same(header, ['peer', 'events/s', 'µs/event', 'note']);
  t.same(body, [['raw uWS', '76,043', '10.4', ''], ['Livery', '—', '—', 'not yet available: no broadcast view']]);
  t.same(tableCells({ ...table, rows: [table.rows[0]] }).header, ['peer', 'events/s', 'µs/event']);
  const remarked = tableCells({ ...table, rows: [{ ...table.rows[0], reason: 'above this peer\'s capacity' }] });
  t.same(remarked.body, [['raw uWS', '76,043', '10.4', 'above this peer\'s capacity']], 'an ok row with a reason keeps its numbers and shows the remark');
});

t.test('terminal and Markdown tables keep one line per row', async (t) => {
  const { header, body } = tableCells(table);
  const text = renderTable(header, body).split('\n');
  t.equal(text.length, 4);
  t.match(text[2], /^raw uWS\s+76,043\s+10\.4/);
  const md = markdownTable(['peer', 'a|b', 'note'], [['x', '1', 'why']]).split('\n');
  t.same(md, ['| peer | a\\|b | note |', '| --- | ---: | --- |', '| x | 1 | why |']);
});

t.test('goal lines say plainly whether a goal was met', async (t) => {
  t.equal(goalLine({ text: 'CPU ≤ 1.5× raw', status: 'missed', detail: '1.8×' }), 'MISSED — CPU ≤ 1.5× raw (1.8×)');
  t.equal(goalLine({ text: 'x', status: 'not-yet-available', detail: '' }), 'not yet available — x');
});

t.test('charts are standalone SVG with one mark per value', async (t) => {
  const bars = chartSvg({ kind: 'bars', file: 'b.svg', title: 'A & B', unit: 'ms', log: true, series: ['p50', 'p99'], groups: [{ label: 'raw', values: [0.04, 2.3] }, { label: 'ws', values: [0.2, Number.NaN] }] });
  t.match(bars, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(bars, /A &amp; B/);
  t.equal((bars.match(/<rect [^>]*fill="#(4e79a7|f28e2b)"><title>/g) ?? []).length, 3, 'NaN values draw no bar');
  t.notMatch(bars, /NaN/);
  const lines = chartSvg({ kind: 'lines', file: 'l.svg', title: 'RSS', xLabel: 'sessions', yLabel: 'MB', series: [{ label: 'raw', points: [[0, 66], [5000, 70], [10000, 74]] }] });
  t.equal((lines.match(/<circle /g) ?? []).length, 3);
  t.match(lines, /<polyline points="[\d., ]+"/);
  t.notMatch(lines, /NaN|Infinity/);
});

t.test('a scenario section has its title, tables, goals, noise verdict and charts', async (t) => {
  const result: ScenarioResult = {
    scenario: 's',
    title: '9. Something',
    what: 'Measures a thing.',
    startedAt: '',
    finishedAt: '',
    options: {},
    tables: [table],
    goals: [{ text: 'g', status: 'met', detail: 'd' }],
    noise: { windows: 1, disturbed: 0, retried: 0, worstForeignPct: 0, worstStealPct: 0, text: 'clean: 1 windows', reports: [] },
    histograms: {},
    charts: [{ kind: 'bars', file: 's.svg', title: 'S', unit: 'u', series: ['a'], groups: [] }],
    notes: ['a note'],
    serverLogs: [],
  };
  const md = scenarioMarkdown(result);
  for (const part of ['## 9. Something', '**Throughput**', '| peer | events/s |', '- MET — g (d)', '> a note', 'Noise guard: clean', '![S](s.svg)']) t.match(md, part);
});
