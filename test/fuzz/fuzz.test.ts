/**
 * The fuzzer's CI slice: the same properties as `npm run fuzz` (docs/reliability.md), with a
 * fixed seed and a few thousand cases, so a run is repeatable and a failure here reproduces with
 * the printed command. The million-frame run is `npm run fuzz`.
 */
import t from 'tap';
import { fuzzSocket } from './socket-fuzz.ts';
import { fuzzTemplates } from './template-fuzz.ts';

const SEED = 20_261_124;

t.test('socket: generated and mutated frames are each answered as the protocol says; the server survives, a bystander is served', async (t) => {
  const result = await fuzzSocket({
    frames: 1_500, seed: SEED, concurrency: 4, maxFrames: 40, sessions: 4, maxHeapBytes: 512 * 2 ** 20, shrink: false,
  });
  t.ok(result.frames >= 1_500, `${result.frames} frames in ${result.runs} runs`);
  t.same(result.failures.map((f) => `${f.what}\n  reproduce: npm run fuzz -- ${f.reproduce ?? ''}`), [], 'no failures');
  t.ok(result.bystander.replies > 0, `the bystander got ${result.bystander.replies} replies, all in order`);
  t.same(
    { connections: result.memory.last?.counts.connections, views: result.memory.last?.counts.views, ticks: result.memory.last?.counts.ticks },
    { connections: 0, views: 0, ticks: 0 },
    'every fuzzing socket and the bystander gone, nothing they held is left live',
  );
});

t.test('templates, diffs and the client merge', async (t) => {
  for (const result of fuzzTemplates({ templates: 300, diffs: 1_500, seed: SEED })) {
    t.equal(result.failure?.what, undefined, `${result.name}: ${result.runs} cases${result.failure === undefined ? '' : `; reproduce: npm run fuzz -- ${result.failure.reproduce}`}`);
  }
});
