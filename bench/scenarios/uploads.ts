/**
 * Scenario 8 — resumable uploads. One file (100 MB by default; `--sessions N` makes it N MB) is
 * uploaded to Livery over tus on loopback — offered to a live view over its socket, sent in
 * 8 MiB PATCHes, handed to `handleUpload` — next to a plain HTTP PUT of the same bytes into a file
 * (node:http piping to disk, in its own process). The server's RSS is sampled every 20 ms during
 * Livery's upload: the body streams to disk with backpressure, so it must stay within a few chunk
 * sizes of where it started, not grow with the file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import WebSocket from 'ws';
import { decodeServerFrame, encodeEvent, encodeJoin } from '../../server/protocol/codec.ts';
import { runUpload } from '../../server/testing/test-upload.ts';
import { PEERS } from '../runner/peers.ts';
import type { ServerHandle } from '../runner/server-process.ts';
import { errorRow, failedRow, judgeGoal, okRow } from './common.ts';
import type { Scenario } from './types.ts';

const MB = 1024 * 1024;
const CHUNK = 8 * MB;

export const uploads: Scenario = {
  name: 'uploads',
  title: '8. Resumable uploads',
  what: 'Throughput of a resumable (tus) upload through a live view on loopback next to a plain HTTP PUT of the same file, and the server\'s memory while it streams a 100 MB file.',
  async run(ctx) {
    const size = Math.max(4, Math.min(1024, ctx.sessions(100))) * MB;
    ctx.result.options = { fileMB: size / MB, chunkMB: CHUNK / MB };
    ctx.progress.plan(3);
    const bytes = randomBytes(size);
    const table = ctx.table('One upload on loopback (MB/s = 2^20 bytes per second); server RSS above its level before the upload, in MB', [
      { key: 'how', label: 'how' },
      { key: 'seconds', label: 'seconds', digits: 2 },
      { key: 'mbps', label: 'MB/s', digits: 0 },
      { key: 'ratio', label: 'vs PUT', digits: 2 },
      { key: 'rssPeak', label: 'RSS peak +MB', digits: 1 },
    ]);
    ctx.progress.step('plain HTTP PUT');
    const put = await plainPut(bytes);
    table.rows.push(okRow('node:http PUT → file', { how: 'one PUT', seconds: put.seconds, mbps: size / MB / put.seconds, ratio: 1, rssPeak: put.rssPeakMB }));
    ctx.progress.step('start livery');
    const started = await ctx.start('livery', ['files']);
    if (!started.ok) {
      table.rows.push(failedRow(PEERS.livery.label, started));
      judgeGoal(ctx, 'Server RSS growth during the upload within 2 chunk sizes of a plain PUT\'s', table.rows.at(-1), undefined, () => ({ met: false, detail: '' }));
      return;
    }
    ctx.progress.step('livery: tus upload');
    let row;
    try {
      const tus = await tusUpload(started.server, bytes);
      row = okRow(PEERS.livery.label, { how: `tus, ${CHUNK / MB} MiB PATCHes`, seconds: tus.seconds, mbps: size / MB / tus.seconds, ratio: put.seconds / tus.seconds, rssPeak: tus.rssPeakMB });
      ctx.note(`Livery's RSS: ${tus.rssBeforeMB.toFixed(1)} MB before, peak ${(tus.rssBeforeMB + tus.rssPeakMB).toFixed(1)} MB during the ${size / MB} MB upload (${tus.samples} samples).`);
    } catch (err) {
      row = errorRow(PEERS.livery.label, (err as Error).message);
    }
    table.rows.push(row);
    await ctx.stop(started.server);
    // RSS moves with V8's and the allocator's slack even for a plain streaming PUT (≈ 33 MB here,
    // the same for 100 MB as for 400 MB): Livery's growth is judged against that baseline.
    judgeGoal(ctx, `Server RSS growth during a ${size / MB} MB upload within 2 chunk sizes (${(2 * CHUNK) / MB} MB) of a plain streaming PUT's`, row, undefined, () => ({
      met: Number(row.values.rssPeak) <= put.rssPeakMB + (2 * CHUNK) / MB,
      detail: `+${Number(row.values.rssPeak).toFixed(1)} MB against the PUT's +${put.rssPeakMB.toFixed(1)} MB`,
    }));
    judgeGoal(ctx, 'Resumable throughput on loopback reported next to a plain PUT', row, undefined, () => ({ met: true, detail: `${Number(row.values.mbps).toFixed(0)} MB/s (${Number(row.values.ratio).toFixed(2)}× the PUT's)` }));
  },
};

/** The page, the socket, the offer, then tus — the test client's upload, timed, RSS sampled. */
async function tusUpload(server: ServerHandle, bytes: Buffer): Promise<{ seconds: number; rssBeforeMB: number; rssPeakMB: number; samples: number }> {
  const page = await get(server.port, '/files');
  const token = /data-lv-token="([^"]+)"/.exec(page.body)?.[1];
  const view = /data-lv-view="([^"]+)"/.exec(page.body)?.[1];
  if (token === undefined || view === undefined) throw new Error(`no live view at /files (HTTP ${page.status})`);
  const cookie = page.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live`, { headers: { cookie } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let ref = 0;
  const waiting = new Map<number, (frame: ReturnType<typeof decodeServerFrame>) => void>();
  ws.on('message', (data) => {
    const frame = decodeServerFrame(String(data));
    if (frame !== undefined && 'ref' in frame) waiting.get(frame.ref)?.(frame);
  });
  const send = (build: (r: number) => string) => new Promise<ReturnType<typeof decodeServerFrame>>((resolve) => {
    const r = ++ref;
    waiting.set(r, resolve);
    ws.send(build(r));
  });
  await send((r) => encodeJoin(r, 1, view, token));
  const before = server.rssBytes();
  let peak = before;
  let samples = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.rssBytes());
    samples++;
  }, 20);
  const started = performance.now();
  try {
    const result = await runUpload({
      port: server.port, headers: { cookie },
      event: async (name, payload) => {
        const frame = await send((r) => encodeEvent(r, 1, name, payload));
        return frame?.type === 'error' ? { error: frame.code } : { diff: frame?.type === 'reply' ? (frame.diff as Record<string, unknown>) : undefined };
      },
    }, 'file', { name: 'bench.bin', bytes }, { chunkBytes: CHUNK });
    if (result.error !== undefined) throw new Error(`upload refused: ${result.error}`);
  } finally {
    clearInterval(sampler);
    ws.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rssBeforeMB: before / MB, rssPeakMB: (peak - before) / MB, samples };
}

function get(port: number, path: string): Promise<{ status: number; body: string; cookie: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] }));
    }).on('error', reject).end();
  });
}

/** A node:http server in its own process that pipes a PUT body into a temporary file. */
const PUT_SERVER = `
const http = require('node:http'); const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
const file = path.join(os.tmpdir(), 'livery-bench-put-' + process.pid);
const server = http.createServer((req, res) => {
  if (req.url === '/rss') return res.end(String(process.memoryUsage().rss));
  req.pipe(fs.createWriteStream(file)).on('finish', () => { res.statusCode = 204; res.end(); fs.rmSync(file, { force: true }); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function plainPut(bytes: Buffer): Promise<{ seconds: number; rssPeakMB: number }> {
  const child = spawn(process.execPath, ['-e', PUT_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    const rss = async () => Number((await get(port, '/rss')).body);
    const before = await rss();
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/', headers: { 'content-length': bytes.byteLength } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(bytes);
    });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rssPeakMB: ((await rss()) - before) / MB };
  } finally {
    child.kill();
  }
}
