/**
 * Writes a run's report into its folder: `<scenario>.json` per scenario (with the machine and the
 * raw encoded histograms), the SVG charts, and `summary.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenarios/types.ts';
import type { Machine } from '../runner/machine.ts';
import { chartSvg } from './svg.ts';
import { summaryMarkdown } from './summary.ts';

export function writeScenario(dir: string, result: ScenarioResult, machine: Machine): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.scenario}.json`), `${JSON.stringify({ ...result, machine }, null, 2)}\n`);
  for (const chart of result.charts) writeFileSync(join(dir, chart.file), chartSvg(chart));
}

export function writeSummary(dir: string, results: ScenarioResult[], machine: Machine, startedAt: string): string {
  const file = join(dir, 'summary.md');
  writeFileSync(file, summaryMarkdown(results, machine, startedAt));
  return file;
}
