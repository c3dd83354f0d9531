/**
 * `npm run bench` — runs the scenarios, prints a table per scenario, and writes the report to
 * `bench/results/<timestamp>/` (or --out); with `--compare <dir>`, then every figure beside an
 * earlier run's. Method and scenarios: docs/benchmarks.md.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRuns, comparisonMarkdown, fromResult, loadRun, renderComparison, renderScenario, writeScenario, writeSummary } from './report/index.ts';
import type { EarlierRun } from './report/index.ts';
import { ScenarioContext, USAGE, createProgress, describeMachine, parseCli, startLoad } from './runner/index.ts';
import { SCENARIOS } from './scenarios/index.ts';
import type { ScenarioResult } from './scenarios/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2), SCENARIOS.map((s) => s.name));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.what}`).join('\n')}\n`);
    return 0;
  }
  if (!existsSync('/proc/stat')) {
    process.stderr.write('The bench reads CPU and memory accounting from /proc: it runs on Linux only.\n');
    return 2;
  }
  // Read the earlier run first: a wrong folder should fail now, not after five minutes of bench.
  let earlier: EarlierRun | undefined;
  try {
    earlier = cli.compare === undefined ? undefined : loadRun(resolve(cli.compare));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const outDir = resolve(cli.out ?? resolve(root, 'bench/results', startedAt.replace(/[:.]/g, '-')));
  const machine = describeMachine();
  const load = await startLoad(root);
  const results: ScenarioResult[] = [];
  let active: ScenarioContext | undefined;
  const interrupt = async () => {
    await active?.stopAll();
    await load.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    for (const scenario of SCENARIOS.filter((s) => cli.scenarios.includes(s.name))) {
      const progress = createProgress(scenario.name);
      const ctx = new ScenarioContext(scenario, { root, durationMs: cli.durationMs, sessions: cli.sessions, rounds: cli.rounds, peers: cli.peers, retries: cli.retries, fileLimit: machine.fileLimit }, load, progress);
      active = ctx;
      let failure: unknown;
      try {
        await scenario.run(ctx);
      } catch (err) {
        failure = err;
        await ctx.stopAll();
      }
      progress.done();
      const result = ctx.finish(failure);
      results.push(result);
      writeScenario(outDir, result, machine);
      process.stdout.write(`${renderScenario(result)}\n`);
    }
  } finally {
    await load.stop();
  }
  const summary = writeSummary(outDir, results, machine, startedAt);
  process.stdout.write(`\nReport: ${summary}\n`);
  if (earlier !== undefined) {
    // Regressions are printed, like missed goals: never a failed run.
    const comparison = compareRuns(results.map(fromResult), earlier);
    writeFileSync(resolve(outDir, 'compare.md'), comparisonMarkdown(comparison));
    process.stdout.write(`${renderComparison(comparison)}\n\nComparison: ${resolve(outDir, 'compare.md')}\n`);
  }
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

// Exit explicitly: a stray keep-alive socket must not keep a finished run alive.
process.exit(await main());
