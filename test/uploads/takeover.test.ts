/**
 * A resume while the old request still holds the upload (D58): the old PATCH sent part of its
 * body and stalled with its connection open, so the server still holds its write lock. A resume
 * from another connection asks it to let go and continues — not refused, not waiting for a lock
 * expiry — and the file ends byte-identical (the old request recorded exactly what it stored).
 * A request not authorized for the upload cannot make the holder let go.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp, tusRequest } from '../../server/testing/index.ts';
import { stalledPatch } from './fixtures/stalled.ts';
import { uploadsApp } from './fixtures/views.ts';

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lv-uploads-takeover-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const app = await createTestApp(uploadsApp, { options: { uploads: { dir, chunkBytes: 4 * MB } } });
t.teardown(() => app.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const png = (size: number) => {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
};

t.test('a resume while the old request stalls with its connection open takes over, byte-identical', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  const bytes = png(6 * MB);
  const created = await view.upload('attachment', { name: 'stall.png', bytes }, { dropAfter: 0 });
  const auth = { ...view.requestHeaders, 'tus-resumable': '1.0.0', authorization: `Bearer ${created.token}` };
  // 2.5 MiB sent, at least 2 MiB recorded; the rest never comes and the connection stays open.
  const stalled = await stalledPatch(app.port, created.url!, auth, bytes, 2.5 * MB, 2 * MB);
  t.teardown(() => stalled.close());
  await view.reconnect();
  const resumed = await view.upload('attachment', { name: 'stall.png', bytes }, { resume: created.ref });
  t.equal(resumed.ref, created.ref, 'the same upload continued');
  t.equal(resumed.error, undefined, 'the resume was not refused');
  t.match(view.find('#files')?.text, `stall.png image/png ${sha(bytes)}`, 'the handled file is byte-identical');
  if (resumed.error !== undefined) stalled.close(); // else its answer would never come
  const old = await stalled.answer;
  t.equal(old?.headers['livery-error'], 'LV_UPLOAD_LOCKED', 'the stalled request is told a newer one took over');
});

t.test('a request not authorized for the upload cannot make its holder let go', async (t) => {
  const view = await app.mount('/files');
  const other = await app.mount('/files');
  t.teardown(() => Promise.all([view.close(), other.close()]));
  const bytes = png(3 * MB);
  const created = await view.upload('attachment', { name: 'mine.png', bytes }, { dropAfter: 0 });
  const auth = { ...view.requestHeaders, 'tus-resumable': '1.0.0', authorization: `Bearer ${created.token}` };
  const stalled = await stalledPatch(app.port, created.url!, auth, bytes, 1.5 * MB, MB);
  t.teardown(() => stalled.close());
  const patch = { 'tus-resumable': '1.0.0', 'upload-offset': String(MB), 'content-type': 'application/offset+octet-stream' };
  // Another session with this upload's token, and with a token of its own aimed at this upload.
  const stolen = await tusRequest(app.port, 'PATCH', created.url!, { ...other.requestHeaders, ...patch, authorization: `Bearer ${created.token}` }, bytes.subarray(MB, 2 * MB));
  t.equal(stolen.headers['livery-error'], 'LV_UPLOAD_FORBIDDEN');
  const own = await other.upload('attachment', { name: 'theirs.png', bytes: png(10_000) }, { dropAfter: 0 });
  const aimed = await tusRequest(app.port, 'PATCH', created.url!, { ...other.requestHeaders, ...patch, authorization: `Bearer ${own.token}` }, bytes.subarray(MB, 2 * MB));
  t.equal(aimed.headers['livery-error'], 'LV_UPLOAD_FORBIDDEN');
  stalled.finish();
  const answer = await stalled.answer;
  t.equal(answer?.status, 204, 'the holder kept the upload and finished its chunk');
  t.equal(answer?.headers['upload-offset'], String(bytes.byteLength));
});

t.test('a cancel (tus DELETE) while a request still writes stops it first: nothing lands after the removal', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  const bytes = png(3 * MB);
  const created = await view.upload('attachment', { name: 'gone.png', bytes }, { dropAfter: 0 });
  const auth = { ...view.requestHeaders, 'tus-resumable': '1.0.0', authorization: `Bearer ${created.token}` };
  const stalled = await stalledPatch(app.port, created.url!, auth, bytes, 1.5 * MB, MB);
  t.teardown(() => stalled.close());
  const deleted = await tusRequest(app.port, 'DELETE', created.url!, auth);
  t.equal(deleted.status, 204);
  const old = await stalled.answer;
  t.equal(old?.headers['livery-error'], 'LV_UPLOAD_LOCKED', 'the writer was asked to stop before the removal');
  t.notOk(existsSync(join(dir, 'public', created.ref)), 'no bytes left behind');
  const head = await tusRequest(app.port, 'HEAD', created.url!, auth);
  t.equal(head.headers['livery-error'], 'LV_UPLOAD_NOT_FOUND', 'and no record came back');
});
