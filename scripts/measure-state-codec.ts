/**
 * `npx node scripts/measure-state-codec.ts`: JSON against MessagePack (@msgpack/msgpack) for
 * view states of typical shapes, to choose how RedisStateBackend stores state.
 *
 * Per state and codec: bytes stored, and the time of one encode and one decode. JSON is
 * measured twice: as a string (what ioredis sends and returns; it converts to UTF-8 itself) and
 * with the UTF-8 conversion done here, so both columns end in bytes like msgpack's. Each figure
 * is the best of 15 rounds, the codecs taking turns (see timeInTurns). Results and the decision: docs/state-codec.md.
 */
import { decode, encode } from '@msgpack/msgpack';

type State = Record<string, unknown>;

function makeStates(): Record<string, State> {
  const counter = { count: 42 };
  const form: State = {
    user: { id: 'u_1842', name: 'Ada Lovelace', email: 'ada@acme.test', role: 'admin', locale: 'en-GB' },
    draft: { title: 'Quarterly planning', body: 'Agenda: review goals, staffing, budget. '.repeat(19), tags: ['planning', 'q3', 'team'] },
    errors: {}, dirty: true, step: 3, savedAt: '2026-11-03T10:15:00.000Z',
  };
  const statuses = ['open', 'closed', 'pending', 'archived'];
  const rows = Array.from({ length: 100 }, (_, i) => ({
    id: 1000 + i, name: `Project ${i}`, owner: `user${i % 17}@acme.test`, status: statuses[i % 4],
    createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), budget: 1234.5 + i * 17.25, done: i % 3 === 0, tags: ['a', 'b'].slice(0, i % 3),
  }));
  const results = Array.from({ length: 600 }, (_, i) => ({
    id: `doc-${i}`, title: `Result number ${i} for the query`, score: 1 / (i + 1),
    snippet: 'A short excerpt of the matching document with the query terms highlighted …', url: `/docs/${i}`, rank: i + 1,
  }));
  return {
    counter,
    '1 KB form': form,
    '100-row list': { page: 1, sort: 'name', rows },
    '600-item search': { query: 'quarterly report', total: 600, results },
  };
}

/** How many calls of `fn` take about 20 ms (also the warm-up). */
function batchSize(fn: () => unknown): number {
  let batch = 1;
  for (let start = performance.now(); performance.now() - start < 20; batch *= 2) for (let i = 0; i < batch; i++) fn();
  return batch;
}

function nsPerCall(fn: () => unknown, batch: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) fn();
  return Number(process.hrtime.bigint() - start) / batch;
}

/**
 * Best nanoseconds per call of each function over 15 rounds, the functions taking turns in
 * every round: on a shared machine the minimum is the least disturbed run, and taking turns
 * spreads any disturbance over all codecs alike.
 */
function timeInTurns(fns: Array<() => unknown>): number[] {
  const batches = fns.map(batchSize);
  const best = fns.map(() => Infinity);
  for (let round = 0; round < 15; round++) {
    fns.forEach((fn, i) => (best[i] = Math.min(best[i], nsPerCall(fn, batches[i]))));
  }
  return best;
}

const micros = (ns: number) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 1);

const header = ['state', 'codec', 'bytes', 'encode µs', 'decode µs', 'enc+dec µs'];
const rows: string[][] = [];
for (const [name, state] of Object.entries(makeStates())) {
  const json = JSON.stringify(state);
  const utf8 = Buffer.from(json);
  const packed = encode(state);
  const codecs: Array<[string, number, () => unknown, () => unknown]> = [
    ['JSON (string)', utf8.length, () => JSON.stringify(state), () => JSON.parse(json)],
    ['JSON (UTF-8 bytes)', utf8.length, () => Buffer.from(JSON.stringify(state)), () => JSON.parse(utf8.toString())],
    ['msgpack', packed.length, () => encode(state), () => decode(packed)],
  ];
  const times = timeInTurns(codecs.flatMap(([, , enc, dec]) => [enc, dec]));
  codecs.forEach(([codec, bytes], i) => {
    const [e, d] = [times[2 * i], times[2 * i + 1]];
    rows.push([name, codec, String(bytes), micros(e), micros(d), micros(e + d)]);
  });
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log(`Node ${process.version}, @msgpack/msgpack 3.1.3`);
console.log(line(header));
console.log(`| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
for (const row of rows) console.log(line(row));
