/**
 * Upload configuration fails at startup with its check (docs/checks.md): an unwritable upload
 * directory (C061), upload settings out of range (C062), a bad `static uploads` (C063). And the
 * docs' example view is the example app's.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LiveView, route, StartupError } from '../../server/index.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { uploadsApp } from './fixtures/views.ts';

const ids = async (options: Parameters<typeof createTestApp>[1], app = uploadsApp) => {
  try {
    const started = await createTestApp(app, options);
    await started.close();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((p) => p.id);
  }
};

t.test('C061: the upload directory cannot be written', async (t) => {
  // Root writes through any permission bits, but not into sysfs: there mkdir fails for everyone.
  if (process.getuid?.() === 0) {
    t.same(await ids({ options: { uploads: { dir: '/sys/livery-uploads' } } }), ['livery.C061']);
    return;
  }
  const parent = mkdtempSync(join(tmpdir(), 'lv-c061-'));
  t.teardown(() => {
    chmodSync(parent, 0o755);
    rmSync(parent, { recursive: true, force: true });
  });
  chmodSync(parent, 0o500);
  t.same(await ids({ options: { uploads: { dir: join(parent, 'uploads') } } }), ['livery.C061']);
});

t.test('C061: a path that is a file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lv-c061-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'taken');
  (await import('node:fs')).writeFileSync(file, 'x');
  t.same(await ids({ options: { uploads: { dir: join(file, 'uploads') } } }), ['livery.C061']);
});

t.test('C062: upload settings out of range', async (t) => {
  const problems = await ids({ options: { uploads: { expireSeconds: 5, chunkBytes: 10, tenantQuotaBytes: 0 } } });
  t.same(problems, ['livery.C062', 'livery.C062', 'livery.C062']);
});

t.test('C063: a bad upload declaration', async (t) => {
  class NoHandler extends LiveView<object> {
    static template = 'files.html';
    static uploads = { 'bad name': { maxSize: 0, accept: [] }, ok: { accept: ['.nope', 'image/*'] } };
    mount() { return {}; }
  }
  const problems = await ids({}, { ...uploadsApp, routes: [route('/x', NoHandler)] });
  t.ok(problems.length >= 5 && problems.every((id) => id === 'livery.C063'), problems.join(', '));
});

t.test('docs/uploads.md shows the example app\'s view as it is', async (t) => {
  const doc = readFileSync(new URL('../../docs/uploads.md', import.meta.url), 'utf8');
  const source = ['project.ts', 'attachments.ts'].map((file) => readFileSync(new URL(`../../views/${file}`, import.meta.url), 'utf8')).join('\n');
  const block = /```ts fragment\n(import \{ createHash[\s\S]*?)```/.exec(doc)![1];
  for (const line of block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('import'))) t.ok(source.includes(line), line);
  const types = readFileSync(new URL('../../server/uploads/types.ts', import.meta.url), 'utf8');
  const signatures = /```ts signatures\n([\s\S]*?)```/.exec(doc)![1];
  for (const line of signatures.split('\n').filter(Boolean)) t.ok(types.includes(line.trim()), line);
});
