import { fuzzSocket } from './test/fuzz/socket-fuzz.ts';
const r = await fuzzSocket({ frames: Number(process.argv[2] ?? 3000), seed: Number(process.argv[3] ?? 1), concurrency: Number(process.argv[4] ?? 4), maxFrames: 40, sessions: 6, maxHeapBytes: 512 * 2 ** 20, shrink: false, progress: (d, t) => process.stderr.write(`${d}/${t}\n`) });
console.log(JSON.stringify({ ...r, failures: r.failures.length, rate: (r.frames / r.elapsedMs * 1000).toFixed(0) }, null, 1));
for (const f of r.failures.slice(0, 8)) console.log("---", f.what.slice(0, 1200), f.reproduce);
process.exit(0);
