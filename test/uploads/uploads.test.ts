/**
 * Uploads with the test client: a file offered to the view, sent over tus, handled by the view
 * (its SHA-256 is what was sent); progress from stored bytes; a resumed upload after a dropped
 * connection and socket ends byte-identical; cancel removes the bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { uploadsApp } from './fixtures/views.ts';

const dir = mkdtempSync(join(tmpdir(), 'lv-uploads-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const app = await createTestApp(uploadsApp, { options: { uploads: { dir, chunkBytes: 4 * 1024 * 1024 } } });
t.teardown(() => app.close());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const png = (size: number) => {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
};

t.test('a small text file is offered, uploaded and handled', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  t.match(view.find('input[lv-upload]')?.getAttribute('accept'), 'image/png,.pdf,text/plain');
  const bytes = Buffer.from('hello, uploads\n');
  const result = await view.upload('attachment', { name: 'hello.txt', bytes, type: 'text/plain' });
  t.equal(result.error, undefined);
  t.match(view.find('#files')?.text, `hello.txt text/plain ${sha(bytes)}`);
  t.equal(view.find(`#e-${result.ref}`)?.getAttribute('data-done'), 'True');
  t.match(view.find(`#e-${result.ref}`)?.text, '100%');
  t.same(readdirSync(join(dir, 'public')), [], 'the handled upload\'s bytes are gone');
});

t.test('a 20 MB upload interrupted by a dropped connection and socket resumes byte-identical', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  const bytes = png(20 * 1024 * 1024);
  const first = await view.upload('attachment', { name: 'big.png', bytes, type: 'image/png' }, { dropAfter: 9 * 1024 * 1024 });
  t.ok(first.interrupted, 'the first attempt was cut off');
  const progress = Number(/(\d+)%/.exec(view.find(`#e-${first.ref}`)?.text ?? '')?.[1]);
  t.ok(progress > 0 && progress < 100, `progress shows what was stored before the drop (${progress}%)`);
  await view.reconnect();
  t.ok(existsSync(join(dir, 'public', first.ref)), 'the partial upload is kept');
  const resumed = await view.upload('attachment', { name: 'big.png', bytes, type: 'image/png' }, { resume: first.ref });
  t.equal(resumed.ref, first.ref, 'the same upload continued');
  t.equal(resumed.error, undefined);
  t.match(view.find('#files')?.text, `big.png image/png ${sha(bytes)}`, 'the handled file is byte-identical');
  t.equal(view.findAll('#entries li').length, 1, 'one entry, not two');
});

t.test('cancel removes the entry and the partial bytes', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  const bytes = png(3 * 1024 * 1024);
  const first = await view.upload('attachment', { name: 'c.png', bytes }, { dropAfter: 2 * 1024 * 1024 });
  t.ok(existsSync(join(dir, 'public', first.ref)));
  await view.event('lv:upload-cancel', { ref: first.ref });
  t.equal(view.find(`#e-${first.ref}`), null);
  t.notOk(existsSync(join(dir, 'public', first.ref)), 'the bytes are gone');
});

t.test('an empty file is a file too: offered, created with no bytes to send, handled', async (t) => {
  const view = await app.mount('/files');
  t.teardown(() => view.close());
  const bytes = Buffer.alloc(0);
  const result = await view.upload('attachment', { name: 'empty.txt', bytes, type: 'text/plain' });
  t.equal(result.error, undefined);
  t.match(view.find('#files')?.text, `empty.txt text/plain ${sha(bytes)}`);
  t.match(view.find(`#e-${result.ref}`)?.text, '100%');
});
