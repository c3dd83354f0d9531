/**
 * `npm run bench -- --compare <earlier results dir>`: every figure of this run beside the same
 * figure of an earlier run, with the change as a ratio, so a regression shows before it lands.
 *
 * An earlier run is read from its `<scenario>.json` files, or — for a run whose raw results were
 * not kept, like the runs committed under `bench/results/` — from its `summary.md`. Scenarios,
 * tables, rows and columns are matched by what the report shows (scenario name or title, table
 * title, peer, column label), so a run of a few scenarios compares just those, and a figure
 * without an earlier counterpart (a new row, a new column, a table whose title changed) says so
 * instead of being matched to something else.
 *
 * Whether a change is a regression needs to know which way is better: a column may say
 * (`Column.better`); otherwise its label decides (rates and "/s" up; time, CPU, bytes, memory,
 * failures down); a column neither says nor names gets its ratio and no verdict.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Column, Goal, ScenarioResult, Value } from '../scenarios/types.ts';
import { formatValue } from './format.ts';
import { markdownTable } from './summary.ts';
import { renderTable } from './terminal.ts';

/** A change worse than this factor is flagged as a regression (better by as much: an improvement). */
export const REGRESSION_FACTOR = 1.1;

/** One cell: the value compared, and the text the report showed. */
export interface Cell {
  value: number | string | null;
  text: string;
}

/** A run's scenario, as compared: from a result file or from a summary section. */
export interface RunScenario {
  /** The scenario's name (from a result file; a summary only has the title). */
  name?: string;
  title: string;
  tables: RunTable[];
  goals: { text: string; status: Goal['status']; line: string }[];
}

export interface RunTable {
  title: string;
  /** Column labels, in order, without the peer and note columns. */
  labels: string[];
  /** `better` of each labelled column, when the run knew it. */
  better: Record<string, Column['better']>;
  digits: Record<string, number | undefined>;
  rows: { peer: string; cells: Record<string, Cell> }[];
}

export interface EarlierRun {
  dir: string;
  /** Where the figures came from. */
  source: 'results' | 'summary';
  scenarios: RunScenario[];
}

export type Verdict = 'regressed' | 'improved' | 'same' | 'changed' | 'new' | 'gone' | '';

export interface Figure {
  row: string;
  column: string;
  now: string;
  before: string;
  /** now ÷ before, when both are numbers. */
  ratio: number | undefined;
  better: 'higher' | 'lower' | undefined;
  verdict: Verdict;
}

export interface TableComparison {
  title: string;
  /** False: the earlier run has no table of this title in this scenario. */
  matched: boolean;
  figures: Figure[];
}

export interface ScenarioComparison {
  title: string;
  /** False: the earlier run did not run this scenario. */
  matched: boolean;
  tables: TableComparison[];
  goals: { text: string; now: Goal['status']; before: Goal['status'] | undefined; verdict: Verdict }[];
}

export interface Comparison {
  dir: string;
  source: EarlierRun['source'];
  scenarios: ScenarioComparison[];
  /** Titles of the earlier run's scenarios this run did not run. */
  notRunNow: string[];
  counts: { compared: number; regressed: number; improved: number; unmatched: number; goalsLost: number };
}

/** Reads an earlier run; throws with a plain message when `dir` holds none. */
export function loadRun(dir: string): EarlierRun {
  if (!existsSync(dir)) throw new Error(`--compare: ${dir} does not exist`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const scenarios: RunScenario[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch {
      continue; // not a result file
    }
    if (isResult(parsed)) scenarios.push(fromResult(parsed));
  }
  if (scenarios.length > 0) return { dir, source: 'results', scenarios };
  const summary = join(dir, 'summary.md');
  if (existsSync(summary)) {
    const parsed = fromSummary(readFileSync(summary, 'utf8'));
    if (parsed.length > 0) return { dir, source: 'summary', scenarios: parsed };
  }
  throw new Error(`--compare: ${dir} holds no bench results (no <scenario>.json, no summary.md with scenarios)`);
}

function isResult(value: unknown): value is ScenarioResult {
  const r = value as Partial<ScenarioResult> | null;
  return typeof r === 'object' && r !== null && typeof r.scenario === 'string' && typeof r.title === 'string' && Array.isArray(r.tables);
}

/** A result of this run (or an earlier run's result file) in the compared shape. */
export function fromResult(result: ScenarioResult): RunScenario {
  return {
    name: result.scenario,
    title: result.title,
    tables: result.tables.map((table) => ({
      title: table.title,
      labels: table.columns.map((c) => c.label),
      better: Object.fromEntries(table.columns.map((c) => [c.label, c.better])),
      digits: Object.fromEntries(table.columns.map((c) => [c.label, c.digits])),
      rows: table.rows.map((row) => ({
        peer: row.peer,
        cells: Object.fromEntries(table.columns.map((c) => [c.label, cellOf(row.values[c.key], c)])),
      })),
    })),
    goals: (result.goals ?? []).map((g) => ({ text: g.text, status: g.status, line: '' })),
  };
}

function cellOf(value: Value | undefined, column: Column): Cell {
  const text = formatValue(value, column.digits);
  if (typeof value === 'number') return { value: Number.isFinite(value) ? value : null, text };
  return { value: value === undefined || value === null ? null : parseCell(value), text };
}

/**
 * A cell's number as the report formats it: `95,805`, `1.10× (1.08–1.11)` (the leading figure),
 * `0.04`; a dash is no value; text that does not start with a number (`≥ 10000`, `overloaded`,
 * `yes`) stays text.
 */
export function parseCell(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '—') return null;
  const m = /^-?\d[\d,]*(\.\d+)?/.exec(trimmed);
  return m === null ? trimmed : Number(m[0].replace(/,/g, ''));
}

const GOAL_MARKS: Array<[string, Goal['status']]> = [
  ['MET', 'met'],
  ['MISSED', 'missed'],
  ['not yet available', 'not-yet-available'],
  ['not measured', 'not-measured'],
];

/** The scenarios of a `summary.md` (see report/summary.ts for the shape written). */
export function fromSummary(markdown: string): RunScenario[] {
  const scenarios: RunScenario[] = [];
  let scenario: RunScenario | undefined;
  let title: string | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const section = /^## (.+)$/.exec(line);
    if (section !== null) {
      scenario = { title: section[1].trim(), tables: [], goals: [] };
      scenarios.push(scenario);
      title = undefined;
      continue;
    }
    if (scenario === undefined) continue;
    const bold = /^\*\*(.+)\*\*$/.exec(line.trim());
    if (bold !== null) {
      title = bold[1];
      continue;
    }
    if (line.startsWith('|') && title !== undefined) {
      const block: string[] = [];
      while (i < lines.length && lines[i].startsWith('|')) block.push(lines[i++]);
      i--;
      scenario.tables.push(tableFromMarkdown(title, block));
      title = undefined;
      continue;
    }
    const goal = /^- (.+)$/.exec(line);
    if (goal !== null) {
      const mark = GOAL_MARKS.find(([m]) => goal[1].startsWith(`${m} — `));
      if (mark !== undefined) scenario.goals.push({ text: '', status: mark[1], line: goal[1].slice(mark[0].length + 3) });
    }
  }
  return scenarios;
}

/** Splits a Markdown table row on unescaped pipes. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (body[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += body[i];
  }
  cells.push(cell.trim());
  return cells;
}

function tableFromMarkdown(title: string, block: string[]): RunTable {
  const header = splitRow(block[0]);
  // header[0] is the peer column; a trailing `note` column is not a figure.
  const labels = header.slice(1).filter((h) => h !== 'note');
  const rows = block.slice(2).map((line) => {
    const cells = splitRow(line);
    return { peer: cells[0], cells: Object.fromEntries(labels.map((label, i) => [label, { value: parseCell(cells[i + 1] ?? ''), text: cells[i + 1] ?? '' }])) };
  });
  return { title, labels, better: {}, digits: {}, rows };
}

/**
 * Which way a column is better: its own `better`, else its label's meaning. Rates (`/s`,
 * throughput, "largest", delivered) are better higher; times, CPU, memory, bytes, failures and
 * counts of work done per operation lower. Anything else: no verdict.
 */
export function betterOf(label: string, declared?: Column['better']): 'higher' | 'lower' | undefined {
  if (declared === 'neither') return undefined;
  if (declared !== undefined) return declared;
  const l = label.toLowerCase();
  if (/client/.test(l)) return undefined; // the load generator's own CPU: not a figure of merit
  if (/\/s\b|throughput|largest|delivered/.test(l)) return 'higher';
  if (/µs|\bms\b|\bp\d|p99|max|lag|cpu|rss|\bkb\b|\bmb\b|\bb\b|bytes|failed|missed|unanswered|renders|sql|redis|lookups|seconds|% of page|trips|commands/.test(l)) return 'lower';
  return undefined;
}

/** `now` beside `earlier`, scenario by scenario, for the scenarios this run ran. */
export function compareRuns(now: RunScenario[], earlier: EarlierRun, factor = REGRESSION_FACTOR): Comparison {
  const used = new Set<RunScenario>();
  const scenarios = now.map((current) => {
    const before = earlier.scenarios.find((s) => !used.has(s) && (current.name !== undefined && s.name !== undefined ? s.name === current.name : sameTitle(s.title, current.title)));
    if (before !== undefined) used.add(before);
    return compareScenario(current, before, factor);
  });
  const figures = scenarios.flatMap((s) => s.tables.flatMap((t) => t.figures));
  return {
    dir: earlier.dir,
    source: earlier.source,
    scenarios,
    notRunNow: earlier.scenarios.filter((s) => !used.has(s)).map((s) => s.title),
    counts: {
      compared: figures.filter((f) => f.ratio !== undefined || f.verdict === 'same' || f.verdict === 'changed').length,
      regressed: figures.filter((f) => f.verdict === 'regressed').length,
      improved: figures.filter((f) => f.verdict === 'improved').length,
      unmatched: figures.filter((f) => f.verdict === 'new').length,
      goalsLost: scenarios.flatMap((s) => s.goals).filter((g) => g.verdict === 'regressed').length,
    },
  };
}

/** Titles match exactly, or with their numbering removed (scenarios get renumbered). */
function sameTitle(a: string, b: string): boolean {
  const bare = (s: string) => s.replace(/^\d+\.\s*/, '').trim().toLowerCase();
  return a === b || bare(a) === bare(b);
}

/** Table titles carry parameters ("100 sockets, 3 rounds"): exact first, then with the numbers blanked. */
function findTable(tables: RunTable[], title: string, used: Set<RunTable>): RunTable | undefined {
  const free = tables.filter((t) => !used.has(t));
  const exact = free.find((t) => t.title === title);
  if (exact !== undefined) return exact;
  const shape = (s: string) => s.replace(/[\d.,]+/g, '#');
  const similar = free.filter((t) => shape(t.title) === shape(title));
  return similar.length === 1 ? similar[0] : undefined;
}

function compareScenario(now: RunScenario, before: RunScenario | undefined, factor: number): ScenarioComparison {
  const used = new Set<RunTable>();
  const tables = now.tables.map((table) => {
    const earlier = before === undefined ? undefined : findTable(before.tables, table.title, used);
    if (earlier !== undefined) used.add(earlier);
    return compareTable(table, earlier, factor);
  });
  const goals = now.goals.map((goal) => {
    const match = before?.goals.find((g) => (g.text !== '' ? g.text === goal.text : g.line === goal.text || g.line.startsWith(`${goal.text} (`)));
    const verdict: Verdict = match === undefined ? 'new' : match.status === goal.status ? 'same' : match.status === 'met' ? 'regressed' : goal.status === 'met' ? 'improved' : 'changed';
    return { text: goal.text, now: goal.status, before: match?.status, verdict };
  });
  return { title: now.title, matched: before !== undefined, tables, goals };
}

/**
 * Rows are matched by peer; a table listing one peer several times (one row per load level, per
 * fan-out step) is matched by peer and its first column, which names the row.
 */
function rowKeys(table: RunTable, repeated: Set<string>): Map<string, RunTable['rows'][number]> {
  const keyed = new Map<string, RunTable['rows'][number]>();
  for (const row of table.rows) {
    const key = repeated.has(row.peer) ? `${row.peer} · ${row.cells[table.labels[0]]?.text ?? ''}` : row.peer;
    if (!keyed.has(key)) keyed.set(key, row);
  }
  return keyed;
}

function repeatedPeers(...tables: Array<RunTable | undefined>): Set<string> {
  const repeated = new Set<string>();
  for (const table of tables) {
    const seen = new Set<string>();
    for (const row of table?.rows ?? []) {
      if (seen.has(row.peer)) repeated.add(row.peer);
      seen.add(row.peer);
    }
  }
  return repeated;
}

function compareTable(now: RunTable, before: RunTable | undefined, factor: number): TableComparison {
  const repeated = repeatedPeers(now, before);
  const nowRows = rowKeys(now, repeated);
  const beforeRows = before === undefined ? new Map<string, RunTable['rows'][number]>() : rowKeys(before, repeated);
  // A repeated peer's first column names its row: it is not a figure.
  const figuresOf = (labels: string[]) => (repeated.size > 0 ? labels.slice(1) : labels);
  const figures: Figure[] = [];
  for (const [key, row] of nowRows) {
    const earlier = beforeRows.get(key);
    for (const label of figuresOf(now.labels)) {
      const cell = row.cells[label];
      const old = earlier?.cells[label];
      if ((cell === undefined || cell.value === null) && (old === undefined || old.value === null)) continue;
      figures.push(figure(key, label, cell, old, betterOf(label, now.better[label]), factor));
    }
  }
  for (const [key, row] of beforeRows) {
    if (nowRows.has(key)) continue;
    for (const label of figuresOf(before!.labels)) {
      const old = row.cells[label];
      if (old !== undefined && old.value !== null) figures.push({ row: key, column: label, now: '—', before: old.text, ratio: undefined, better: undefined, verdict: 'gone' });
    }
  }
  return { title: now.title, matched: before !== undefined, figures };
}

function figure(row: string, column: string, cell: Cell | undefined, old: Cell | undefined, better: 'higher' | 'lower' | undefined, factor: number): Figure {
  const now = cell?.text ?? '—';
  if (old === undefined) return { row, column, now, before: '—', ratio: undefined, better, verdict: 'new' };
  const base = { row, column, now, before: old.text, better };
  if (cell === undefined || cell.value === null) return { ...base, ratio: undefined, verdict: 'gone' };
  if (typeof cell.value !== 'number' || typeof old.value !== 'number') {
    return { ...base, ratio: undefined, verdict: cell.text === old.text ? 'same' : 'changed' };
  }
  if (old.value === 0) return { ...base, ratio: undefined, verdict: cell.value === 0 ? 'same' : 'changed' };
  const ratio = cell.value / old.value;
  if (better === undefined) return { ...base, ratio, verdict: '' };
  const worse = better === 'lower' ? ratio : 1 / ratio;
  return { ...base, ratio, verdict: worse > factor ? 'regressed' : worse < 1 / factor ? 'improved' : 'same' };
}

const VERDICT_TEXT: Record<Verdict, (f: Figure) => string> = {
  regressed: (f) => `REGRESSION (${f.better} is better)`,
  improved: () => 'better',
  same: () => '',
  changed: () => 'changed',
  new: () => 'no earlier figure',
  gone: () => 'not measured now',
  '': () => '',
};

function ratioText(f: Figure): string {
  if (f.ratio === undefined) return f.verdict === 'same' ? '=' : '—';
  return `${formatValue(f.ratio, 2)}×`;
}

function figureCells(f: Figure): string[] {
  return [f.row, f.column, f.now, f.before, ratioText(f), VERDICT_TEXT[f.verdict](f)];
}

const HEADER = ['row', 'figure', 'now', 'before', 'now/before', 'flag'];

function headline(c: Comparison): string {
  const n = c.counts;
  const source = c.source === 'summary' ? ' (its summary.md: figures as rounded there)' : '';
  return (
    `Compared with ${c.dir}${source}: ${n.compared} figures, ${n.regressed} regressed and ${n.improved} improved by more than ` +
    `${Math.round((REGRESSION_FACTOR - 1) * 100)}%, ${n.unmatched} without an earlier figure` +
    (n.goalsLost > 0 ? `; ${n.goalsLost} goal(s) met before and missed now` : '')
  );
}

function goalText(g: ScenarioComparison['goals'][number]): string {
  const was = g.before === undefined ? 'no earlier goal' : `was ${g.before}`;
  const flag = g.verdict === 'regressed' ? 'REGRESSION: ' : g.verdict === 'improved' ? 'now met: ' : '';
  return `${flag}${g.now} (${was}) — ${g.text}`;
}

/** The comparison for the terminal: per scenario, per table, one line per figure. */
export function renderComparison(c: Comparison): string {
  const out = ['', headline(c)];
  for (const s of c.scenarios) {
    out.push('', `${s.title}${s.matched ? '' : ' — not in the earlier run: no earlier figures'}`);
    for (const t of s.tables) {
      out.push('', `${t.title}${t.matched ? '' : ' — no earlier table of this title'}`);
      if (t.figures.length === 0) out.push('  (no figures)');
      else out.push(renderTable(HEADER, t.figures.map(figureCells)));
    }
    const changed = s.goals.filter((g) => g.verdict !== 'same');
    if (changed.length > 0) out.push('', 'Goals that changed:', ...changed.map((g) => `  ${goalText(g)}`));
  }
  if (c.notRunNow.length > 0) out.push('', `In the earlier run, not run now: ${c.notRunNow.join('; ')}.`);
  return out.join('\n');
}

/** The same as Markdown (`compare.md` in the results folder). */
export function comparisonMarkdown(c: Comparison): string {
  const out = [`# Bench comparison`, '', headline(c), ''];
  for (const s of c.scenarios) {
    out.push(`## ${s.title}`, '');
    if (!s.matched) out.push('Not in the earlier run: no earlier figures.', '');
    for (const t of s.tables) {
      out.push(`**${t.title}**${t.matched ? '' : ' (no earlier table of this title)'}`, '');
      if (t.figures.length > 0) out.push(markdownTable(HEADER, t.figures.map(figureCells)), '');
    }
    const changed = s.goals.filter((g) => g.verdict !== 'same');
    if (changed.length > 0) out.push('Goals that changed:', '', ...changed.map((g) => `- ${goalText(g)}`), '');
  }
  if (c.notRunNow.length > 0) out.push(`In the earlier run, not run now: ${c.notRunNow.join('; ')}.`, '');
  return out.join('\n');
}
