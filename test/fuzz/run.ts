/**
 * `npm run fuzz` — the fuzzer at full size: a million generated and mutated frames at a real
 * socket, then the template compiler, the diff engine and the client's merge. Method and last
 * results: docs/reliability.md. The CI runs a small fixed-seed slice (test/fuzz/fuzz.test.ts).
 *
 *   npm run fuzz                                  everything, a fresh seed (printed)
 *   npm run fuzz -- --frames 50000 --seed 7       a shorter, repeatable run
 *   npm run fuzz -- --only socket --seed 7 --path 12   replay one failure, as printed
 */
import { parseArgs } from 'node:util';
import { fuzzSocket } from './socket-fuzz.ts';
import { fuzzTemplates } from './template-fuzz.ts';

const USAGE = `usage: npm run fuzz -- [options]
  --frames N        socket frames to send (default 1000000)
  --templates N     templates to compile, and to render and diff (default 100000 each)
  --diffs N         damaged diffs to merge, and made-up ones (default 200000 each)
  --seed N          fast-check seed (default: from the clock, printed)
  --only NAME       socket | compile | diff | merge | wire
  --path P          replay one failing case (with --only and --seed, as printed)
  --concurrency N   socket runs in flight at once (default 8)
  --max-frames N    frames per socket run, at most (default 40)
  --sessions N      browser sessions the socket runs share (default 6)
  --max-heap MiB    fail when the server's heap after a full GC passes this (default 512)
  --shrink          shrink a failing socket run (slow: each step is a run)
  --json FILE       also write the result as JSON`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      frames: { type: 'string', default: '1000000' },
      templates: { type: 'string', default: '100000' },
      diffs: { type: 'string', default: '200000' },
      seed: { type: 'string' },
      only: { type: 'string' },
      path: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'max-frames': { type: 'string', default: '40' },
      sessions: { type: 'string', default: '6' },
      'max-heap': { type: 'string', default: '512' },
      shrink: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const only = values.only;
if (only !== undefined && !['socket', 'compile', 'diff', 'merge', 'wire'].includes(only)) {
  process.stderr.write(`--only ${only}: not one of socket, compile, diff, merge, wire\n`);
  process.exit(2);
}
const int = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} ${text}: not a whole number\n`);
    process.exit(2);
  }
  return n;
};
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : int('seed', values.seed);
const started = new Date();
process.stdout.write(`livery fuzz — seed ${seed}, ${started.toISOString()}\n`);

const report: Record<string, unknown> = { seed, startedAt: started.toISOString() };
let failed = 0;
const fmt = (n: number) => n.toLocaleString('en-US');

if (only === undefined || only === 'socket') {
  const frames = int('frames', values.frames);
  let lastPrint = 0;
  const socketStarted = performance.now();
  const result = await fuzzSocket({
    frames,
    seed,
    ...(values.path === undefined ? {} : { path: values.path }),
    concurrency: int('concurrency', values.concurrency),
    maxFrames: int('max-frames', values['max-frames']),
    sessions: int('sessions', values.sessions),
    maxHeapBytes: int('max-heap', values['max-heap']) * 2 ** 20,
    shrink: values.shrink,
    progress: (done, total) => {
      if (performance.now() - lastPrint < 10_000) return;
      lastPrint = performance.now();
      const elapsed = (performance.now() - socketStarted) / 1000;
      process.stdout.write(`  socket: ${fmt(done)} / ${fmt(total)} frames, ${fmt(Math.round(done / elapsed))} frames/s\n`);
    },
  });
  const seconds = result.elapsedMs / 1000;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  process.stdout.write([
    `socket: ${fmt(result.frames)} frames in ${fmt(result.runs)} runs, ${seconds.toFixed(0)} s, ${fmt(Math.round(result.frames / seconds))} frames/s; ${fmt(result.answered)} server frames received`,
    `  bystander: ${fmt(result.bystander.replies)} replies, slowest ${result.bystander.maxLatencyMs.toFixed(0)} ms`,
    `  server memory after full GC: heap ${mib(result.memory.first.heapUsed)} → ${result.memory.last === undefined ? '?' : mib(result.memory.last.heapUsed)} (peak ${mib(result.memory.peakHeapUsed)}); RSS ${mib(result.memory.first.rss)} → ${result.memory.last === undefined ? '?' : mib(result.memory.last.rss)} (peak ${mib(result.memory.peakRss)})`,
    `  live counts at the end: ${JSON.stringify(result.memory.last?.counts)}`,
    `  server warnings: ${JSON.stringify(result.warnings)}`,
    `  failures: ${result.failures.length}`,
    '',
  ].join('\n'));
  for (const failure of result.failures) {
    process.stdout.write(`\n✗ ${failure.what}\n${failure.reproduce === undefined ? '' : `  reproduce: npm run fuzz -- ${failure.reproduce}\n`}`);
  }
  failed += result.failures.length;
  report.socket = { ...result, frameRate: result.frames / seconds };
}

if (only !== 'socket') {
  const results = fuzzTemplates({
    templates: int('templates', values.templates),
    diffs: int('diffs', values.diffs),
    seed,
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(only === undefined ? {} : { only: only as 'compile' | 'diff' | 'merge' | 'wire' }),
  });
  for (const result of results) {
    const cases = values.path === undefined ? `${fmt(result.runs)} cases` : 'one case replayed';
    process.stdout.write(`${result.name}: ${cases}, ${(result.elapsedMs / 1000).toFixed(0)} s, ${result.failure === undefined ? 'no failure' : 'FAILED'}\n`);
    if (result.failure !== undefined) {
      failed++;
      process.stdout.write(`\n✗ ${result.failure.what}\n  reproduce: npm run fuzz -- ${result.failure.reproduce}\n\n`);
    }
  }
  report.templates = results;
}

report.finishedAt = new Date().toISOString();
if (values.json !== undefined) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(values.json, JSON.stringify(report, null, 2));
}
process.stdout.write(`\n${failed === 0 ? 'no failures' : `${failed} failure(s)`} — seed ${seed}\n`);
process.exit(failed === 0 ? 0 : 1);
