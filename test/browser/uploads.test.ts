/// <reference lib="dom" />
/**
 * The example's attachment area in Chromium: a file picked in the file input uploads with
 * progress shown from the bytes the server stored; a connection that keeps failing mid-upload
 * leaves the stored part, and after a reload picking the same file again resumes from there
 * (the first PATCH starts at the stored offset, not 0) to a byte-identical file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { launchChromium } from './chromium.ts';
import { startExampleApp } from './example-server.ts';

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lv-browser-uploads-'));
const s = await startExampleApp({ uploads: { dir, chunkBytes: MB } });
const browser = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await s.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const png = randomBytes(6 * MB);
Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
// A file on disk, as a user picks it: the same file keeps its modification time across picks.
const file = join(dir, 'diagram.png');
writeFileSync(file, png);
const sha = createHash('sha256').update(png).digest('hex');

t.test('an upload shows progress, survives failing connections and resumes after a reload', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const patches: number[] = [];
  let passed = 0;
  // The network fails after two chunks: every later PATCH is cut off.
  await page.route('**/_livery/uploads/**', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    patches.push(Number(route.request().headers()['upload-offset']));
    if (passed++ < 2) return route.continue();
    return route.abort('connectionreset');
  });
  await page.goto(`http://localhost:${s.port}/files`);
  await page.waitForSelector('[data-lv-view].lv-connected');
  await page.setInputFiles('#attachment-input', file);
  await page.waitForFunction(() => document.querySelector('#uploads .pct')?.textContent === '33%', undefined, { timeout: 15000 });
  t.equal(await page.textContent('#uploads .name'), 'diagram.png');
  t.equal(await page.getAttribute('#uploads progress', 'value'), '33', '2 of 6 MiB stored');
  t.ok(await page.$eval('#uploads img', (img) => (img as HTMLImageElement).src.startsWith('blob:')), 'the picked image is previewed');
  await page.waitForFunction(() => true);
  t.ok(patches.length >= 3, 'the client kept retrying the failing chunk');
  t.same(new Set(patches.slice(2)), new Set([2 * MB]), 'each retry resends from the stored offset');

  // Reload, then mend the network and pick the same file again: it resumes. The network is mended
  // only once the old page is gone — a retry of the old page let through just before the reload
  // would store part of a chunk, and the resume rightly starts after it.
  await page.reload();
  await page.waitForSelector('[data-lv-view].lv-connected');
  await page.unroute('**/_livery/uploads/**');
  const offsets: number[] = [];
  page.on('request', (request) => {
    if (request.method() === 'PATCH') offsets.push(Number(request.headers()['upload-offset']));
  });
  await page.setInputFiles('#attachment-input', file);
  await page.waitForSelector('#files .sha', { timeout: 15000 });
  t.equal(offsets[0], 2 * MB, `the first chunk after the reload starts at the stored offset (${offsets.join(',')})`);
  t.equal(await page.textContent('#files .sha'), sha, 'the uploaded file is byte-identical');
  t.equal(await page.textContent('#uploads .pct'), '100%');
  t.same(errors, []);
  await context.close();
});

t.test('a file refused by content shows its error in the entry', async (t) => {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${s.port}/files`);
  await page.waitForSelector('[data-lv-view].lv-connected');
  await page.setInputFiles('#attachment-input', { name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('MZ this is not an image at all') });
  await page.waitForSelector('#uploads .error');
  t.equal(await page.textContent('#uploads .error'), 'LV_UPLOAD_TYPE_REFUSED');
  await page.close();
});

t.test('a PATCH answered 423 is retried after a HEAD; an upload that stays locked shows LV_UPLOAD_LOCKED', async (t) => {
  const page = await browser.newPage();
  const methods: string[] = [];
  let locked = 2;
  // As the server answers while another request still holds the upload and does not let go in time.
  await page.route('**/_livery/uploads/**', async (route) => {
    const method = route.request().method();
    methods.push(method);
    if (method === 'PATCH' && locked-- > 0) return route.fulfill({ status: 423, headers: { 'Tus-Resumable': '1.0.0', 'Livery-Error': 'LV_UPLOAD_LOCKED' }, body: '' });
    return route.continue();
  });
  await page.goto(`http://localhost:${s.port}/files`);
  await page.waitForSelector('[data-lv-view].lv-connected');
  const small = png.subarray(0, MB / 2);
  await page.setInputFiles('#attachment-input', { name: 'locked.png', mimeType: 'image/png', buffer: small });
  await page.waitForSelector('#files .sha', { timeout: 15000 });
  t.equal(await page.textContent('#files .sha'), createHash('sha256').update(small).digest('hex'), 'uploaded, byte-identical');
  t.same(methods, ['PATCH', 'HEAD', 'PATCH', 'HEAD', 'PATCH'], 'each 423 was followed by a HEAD and the PATCH again');

  locked = Infinity;
  await page.setInputFiles('#attachment-input', { name: 'stuck.png', mimeType: 'image/png', buffer: small });
  await page.waitForSelector('#uploads .error', { timeout: 15000 });
  t.equal(await page.textContent('#uploads .error'), 'LV_UPLOAD_LOCKED', 'a bounded number of retries, then the entry shows why');
  await page.close();
});
