/**
 * What a scenario produces. One `ScenarioResult` becomes `<scenario>.json` in the results folder
 * (raw histograms included), a section of `summary.md`, a table in the terminal and its charts.
 * Values are numbers (formatted by the report) or short strings ("overloaded", "≥ 10000").
 */
import type { NoiseReport, NoiseVerdict } from '../runner/noise-guard.ts';
import type { ScenarioContext } from '../runner/context.ts';

export type RowStatus = 'ok' | 'not-yet-available' | 'error' | 'skipped';

export interface Column {
  key: string;
  label: string;
  /** Decimal places for numbers (default 0). */
  digits?: number;
  /**
   * Which way is better, for `--compare` ('neither': a setting or a utilization, not a figure of
   * merit; absent: guessed from the label, see report/compare.ts).
   */
  better?: 'higher' | 'lower' | 'neither';
}

export type Value = number | string | null;

export interface Row {
  peer: string;
  status: RowStatus;
  /** Why a row has no numbers (not yet available, error, skipped). */
  reason?: string;
  values: Record<string, Value>;
}

export interface Table {
  title: string;
  columns: Column[];
  rows: Row[];
}

export type GoalStatus = 'met' | 'missed' | 'not-yet-available' | 'not-measured';

export interface Goal {
  text: string;
  status: GoalStatus;
  detail: string;
}

export interface BarChart {
  kind: 'bars';
  file: string;
  title: string;
  unit: string;
  log?: boolean;
  /** Groups along the x axis (peers), each with one bar per series. */
  groups: { label: string; values: number[] }[];
  series: string[];
}

export interface LineChart {
  kind: 'lines';
  file: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: { label: string; points: [number, number][] }[];
}

export type Chart = BarChart | LineChart;

export interface ScenarioResult {
  scenario: string;
  title: string;
  /** One sentence: what is measured and why. */
  what: string;
  startedAt: string;
  finishedAt: string;
  options: Record<string, number | string>;
  tables: Table[];
  goals: Goal[];
  noise: NoiseVerdict & { reports: NoiseReport[] };
  /** Raw HDR histograms (compressed base64, microseconds), keyed `<peer>/<measurement>`. */
  histograms: Record<string, string>;
  charts: Chart[];
  notes: string[];
  /** What servers logged (the tail), for diagnosing an error row. */
  serverLogs: { peer: string; tail: string }[];
  /** Set when the scenario itself failed; its tables hold what was measured before. */
  error?: string;
}

export interface Scenario {
  name: string;
  title: string;
  what: string;
  /** Fills `ctx.result` (tables, goals, charts); throws only when the scenario itself breaks. */
  run(ctx: ScenarioContext): Promise<void>;
}
