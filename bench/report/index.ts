/** The report: terminal tables, result files, charts and the Markdown summary. */
export { renderScenario, renderTable } from './terminal.ts';
export { writeScenario, writeSummary } from './write.ts';
export { chartSvg } from './svg.ts';
export { markdownTable, scenarioMarkdown, summaryMarkdown } from './summary.ts';
export { compareRuns, comparisonMarkdown, fromResult, loadRun, renderComparison, type Comparison, type EarlierRun } from './compare.ts';
