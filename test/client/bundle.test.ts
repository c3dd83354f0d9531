import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { buildClient, CLIENT_BUDGET_GZIP_BYTES, type ClientManifest } from '../../client/build.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('../../client/build.ts', import.meta.url));

t.test('the build writes one hashed bundle and a manifest that describes it', async (t) => {
  const outDir = await mkdtemp(join(tmpdir(), 'livery-client-'));
  t.teardown(() => rm(outDir, { recursive: true, force: true }));
  await writeFile(join(outDir, 'livery.deadbeef.js'), 'old bundle');

  const { manifest } = await buildClient({ outDir });
  const onDisk = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as ClientManifest;
  t.same(onDisk, manifest);
  t.match(manifest.file, /^livery\.[0-9a-f]{8}\.js$/);
  t.same((await readdir(outDir)).sort(), [manifest.file, 'manifest.json'].sort(), 'older bundles are cleaned');

  const code = await readFile(join(outDir, manifest.file));
  t.equal(manifest.bytes, code.byteLength);
  t.equal(manifest.gzipBytes, gzipSync(code, { level: 9 }).byteLength);
  t.ok(manifest.gzipBytes <= CLIENT_BUDGET_GZIP_BYTES, `min+gzip ${manifest.gzipBytes} B is within ${CLIENT_BUDGET_GZIP_BYTES} B`);
  t.notMatch(code.toString(), /\bimport\s*[{*]|\bexport\s*[{*]/, 'a self-contained script, no module syntax');

  const again = await buildClient({ outDir });
  t.equal(again.manifest.file, manifest.file, 'the name is a content hash: same input, same name');
});

t.test('the CLI prints the sizes and exits 0 within the budget', async (t) => {
  const outDir = await mkdtemp(join(tmpdir(), 'livery-client-cli-'));
  t.teardown(() => rm(outDir, { recursive: true, force: true }));
  const { stdout } = await promisify(execFile)(process.execPath, [BUILD_SCRIPT, '--outdir', outDir]);
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as ClientManifest;
  t.match(stdout, manifest.file);
  t.match(stdout, /min\+gzip/);
});

t.test('watch mode reports its first build and closes', async (t) => {
  const outDir = await mkdtemp(join(tmpdir(), 'livery-client-watch-'));
  const seen: ClientManifest[] = [];
  const build = await buildClient({ outDir, watch: true, onBuild: (m) => seen.push(m) });
  t.teardown(async () => {
    await build.close();
    await rm(outDir, { recursive: true, force: true });
  });
  t.equal(seen.length, 1, 'the first build is reported');
  t.same(seen[0], build.manifest);
});
