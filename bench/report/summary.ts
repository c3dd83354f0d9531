/** `summary.md`: the run in Markdown — machine, each scenario's tables, goals, noise and charts. */
import type { ScenarioResult } from '../scenarios/types.ts';
import type { Machine } from '../runner/machine.ts';
import { goalLine, tableCells } from './format.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Numbers align right; the peer and note columns (first and `note`) left. */
export function markdownTable(header: string[], body: string[][]): string {
  const line = (r: string[]) => `| ${r.map(cell).join(' | ')} |`;
  const rule = header.map((h, i) => (i === 0 || h === 'note' ? ' --- ' : ' ---: ')).join('|');
  return [line(header), `|${rule}|`, ...body.map(line)].join('\n');
}

export function scenarioMarkdown(r: ScenarioResult): string {
  const out = [`## ${r.title}`, '', r.what, ''];
  for (const table of r.tables) {
    const { header, body } = tableCells(table);
    out.push(`**${table.title}**`, '', markdownTable(header, body), '');
  }
  if (r.goals.length > 0) out.push('Goals:', '', ...r.goals.map((g) => `- ${goalLine(g)}`), '');
  for (const note of r.notes) out.push(`> ${note}`, '');
  out.push(`Noise guard: ${r.noise.text}.`, '');
  for (const chart of r.charts) out.push(`![${chart.title}](${chart.file})`, '');
  if (r.error) out.push('```', `scenario failed: ${r.error}`, '```', '');
  return out.join('\n');
}

export function summaryMarkdown(results: ScenarioResult[], machine: Machine, startedAt: string): string {
  return [
    `# Livery bench — ${startedAt}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cpus} CPUs, Linux ${machine.kernel}, Node ${machine.node}; ` +
      `${machine.pinned ? 'server pinned to CPU 0, load generator to CPU 1' : 'no CPU pinning (taskset unavailable or one CPU)'}; ` +
      `open-file limit ${machine.fileLimit}; load average at start ${machine.loadAverage}.`,
    '',
    'Numbers from one machine wander; compare ratios within this run. Method: docs/benchmarks.md.',
    '',
    ...results.map(scenarioMarkdown),
  ].join('\n');
}
