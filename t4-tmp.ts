import { fuzzTemplates } from './test/fuzz/template-fuzz.ts';
const only = process.argv[3] as never;
for (const r of fuzzTemplates({ templates: Number(process.argv[2] ?? 200), diffs: Number(process.argv[2] ?? 200), seed: Number(process.argv[4] ?? 1), only })) {
  console.log(r.name, r.runs, r.elapsedMs.toFixed(0), 'ms');
  if (r.failure) console.log(r.failure.what.slice(0, 3000), '\n', r.failure.reproduce);
}
