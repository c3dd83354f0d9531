/** The end-of-run report in the terminal: each scenario's tables, goals and noise verdict. */
import type { ScenarioResult } from '../scenarios/types.ts';
import { goalLine, tableCells } from './format.ts';

const MAX_CELL = 60;

function clip(cell: string): string {
  return cell.length > MAX_CELL ? `${cell.slice(0, MAX_CELL - 1)}…` : cell;
}

export function renderTable(header: string[], body: string[][]): string {
  const rows = [header, ...body].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function renderScenario(result: ScenarioResult): string {
  const out: string[] = [`\n${result.title}`, '═'.repeat(result.title.length)];
  for (const table of result.tables) {
    const { header, body } = tableCells(table);
    out.push('', table.title, renderTable(header, body));
  }
  if (result.goals.length > 0) out.push('', 'Goals:', ...result.goals.map((g) => `  ${goalLine(g)}`));
  for (const note of result.notes) out.push(`  note: ${note}`);
  out.push(`  noise: ${result.noise.text}`);
  if (result.error) out.push(`  SCENARIO FAILED: ${result.error.split('\n')[0]}`);
  return out.join('\n');
}
