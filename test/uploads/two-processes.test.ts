/**
 * An upload started on one server resumes on another: two servers sharing Redis (state,
 * sessions, pub/sub, upload records) and the upload directory, as two processes of one machine.
 * The first server's connection and socket drop mid-upload; the tab reconnects to the second,
 * which continues from the last stored byte and hands the view a byte-identical file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp, tusRequest } from '../../server/testing/index.ts';
import { uploadsApp } from './fixtures/views.ts';

const dir = mkdtempSync(join(tmpdir(), 'lv-uploads-2p-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const shared = {
  uploads: { dir }, secret: randomBytes(32).toString('base64url'),
  state: { backend: 'redis' }, pubsub: 'redis', redisUrl: 'redis://127.0.0.1:6379/9',
};
const first = await createTestApp(uploadsApp, { options: shared });
t.teardown(() => first.close());
const second = await createTestApp(uploadsApp, { options: shared });
t.teardown(() => second.close());

t.test('a 20 MB upload dropped on one process resumes on the other, byte-identical', async (t) => {
  const view = await first.mount('/files');
  t.teardown(() => view.close());
  const bytes = randomBytes(20 * 1024 * 1024);
  Buffer.from('%PDF-1.7\n').copy(bytes);
  const interrupted = await view.upload('attachment', { name: 'report.pdf', bytes, type: 'application/pdf' }, { dropAfter: 12 * 1024 * 1024 });
  t.ok(interrupted.interrupted);
  const auth = { ...view.requestHeaders, 'tus-resumable': '1.0.0', authorization: `Bearer ${interrupted.token}` };
  const atSecond = await tusRequest(second.port, 'HEAD', interrupted.url!, auth);
  t.equal(atSecond.status, 200, 'the second process knows the upload');
  const stored = Number(atSecond.headers['upload-offset']);
  t.ok(stored >= 11 * 1024 * 1024 && stored <= 12 * 1024 * 1024, `it resumes from the last stored byte (${stored})`);
  await view.reconnect({ port: second.port });
  const resumed = await view.upload('attachment', { name: 'report.pdf', bytes, type: 'application/pdf' }, { resume: interrupted.ref });
  t.equal(resumed.ref, interrupted.ref);
  t.equal(resumed.error, undefined);
  const sha = createHash('sha256').update(bytes).digest('hex');
  t.match(view.find('#files')?.text, `report.pdf application/pdf ${sha}`, 'handled on the second process, byte-identical');
  const gone = await tusRequest(first.port, 'HEAD', interrupted.url!, auth);
  t.equal(gone.headers['livery-error'], 'LV_UPLOAD_NOT_FOUND', 'handled uploads are gone for every process');
});
