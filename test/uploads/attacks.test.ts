/**
 * Each bad upload input is refused with its stable code and changes nothing (docs/security.md):
 * another tenant's or session's upload, a forged or foreign token, a chunk past the declared
 * length, a wrong offset, a file too large or of a refused type (by name and by content), a
 * path-traversal name, too many files, the tenant's quota, "done" before the last byte.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp, tusRequest, type TestView } from '../../server/testing/index.ts';
import { uploadsApp } from './fixtures/views.ts';

const dir = mkdtempSync(join(tmpdir(), 'lv-upload-attacks-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const app = await createTestApp(uploadsApp, {
  options: { uploads: { dir, tenantQuotaBytes: 40 * 1024 * 1024 }, tenancy: { resolver: 'subdomain', mainDomain: 'localhost' } },
});
t.teardown(() => app.close());

const MB = 1024 * 1024;
const png = (size: number) => {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
};
const tus = { 'tus-resumable': '1.0.0' };
const head = async (view: TestView, url: string, token: string) => {
  const answer = await tusRequest(app.port, 'HEAD', url, { ...view.requestHeaders, ...tus, authorization: `Bearer ${token}` });
  return Number(answer.headers['upload-offset']);
};
/** An upload of `size` bytes cut off after 1 MiB: its URL, token and stored offset. */
const partial = async (view: TestView, size = 3 * MB) => {
  const result = await view.upload('attachment', { name: 'p.png', bytes: png(size) }, { dropAfter: MB + 1000 });
  t.ok(result.interrupted);
  return { ...result, url: result.url!, token: result.token!, offset: await head(view, result.url!, result.token!) };
};
const expectCode = (t: { equal(found: unknown, wanted: unknown, message: string): unknown }, answer: { status: number; headers: Record<string, unknown> }, code: string, status: number) => {
  t.equal(answer.headers['livery-error'], code, `answered ${code}`);
  t.equal(answer.status, status, `HTTP ${status}`);
};

t.test('another tenant\'s upload: its token or its id from another tenant is refused', async (t) => {
  const acme = await app.mount('/files', { tenant: 'acme' });
  const globex = await app.mount('/files', { tenant: 'globex' });
  t.teardown(() => Promise.all([acme.close(), globex.close()]));
  const victim = await partial(acme);
  // acme's token and URL, sent from globex's host with globex's session.
  const stolen = await tusRequest(app.port, 'PATCH', victim.url, { ...globex.requestHeaders, ...tus, authorization: `Bearer ${victim.token}`, 'upload-offset': String(victim.offset), 'content-type': 'application/offset+octet-stream' }, png(1000));
  expectCode(t, stolen, 'LV_UPLOAD_FORBIDDEN', 403);
  // globex's own valid token, aimed at acme's upload id.
  const own = await globex.upload('attachment', { name: 'g.png', bytes: png(10_000) }, { dropAfter: 5000 });
  const aimed = await tusRequest(app.port, 'HEAD', victim.url, { ...globex.requestHeaders, ...tus, authorization: `Bearer ${own.token}` });
  expectCode(t, aimed, 'LV_UPLOAD_FORBIDDEN', 403);
  // Over the socket: globex's view asking to resume or finish acme's upload.
  const resumed = await globex.upload('attachment', { name: 'p.png', bytes: png(3 * MB) }, { resume: victim.ref, dropAfter: 10 });
  t.not(resumed.ref, victim.ref, 'a resume naming another tenant\'s id starts a new upload');
  await globex.event('lv:upload-done', { ref: victim.ref });
  t.equal(globex.errors.at(-1)?.code, 'LV_UPLOAD_NOT_FOUND');
  t.equal(await head(acme, victim.url, victim.token), victim.offset, 'the victim\'s upload is unchanged');
  t.same(readdirSync(join(dir, 'globex')).sort(), [own.ref, resumed.ref].sort(), 'nothing of acme\'s landed in globex\'s directory');
});

t.test('another session\'s upload in the same tenant is refused', async (t) => {
  const alice = await app.mount('/files', { tenant: 'acme' });
  const mallory = await app.mount('/files', { tenant: 'acme' });
  t.teardown(() => Promise.all([alice.close(), mallory.close()]));
  const victim = await partial(alice);
  const withHerToken = await tusRequest(app.port, 'PATCH', victim.url, { ...mallory.requestHeaders, ...tus, authorization: `Bearer ${victim.token}`, 'upload-offset': String(victim.offset), 'content-type': 'application/offset+octet-stream' }, png(10));
  expectCode(t, withHerToken, 'LV_UPLOAD_FORBIDDEN', 403);
  const deleted = await tusRequest(app.port, 'DELETE', victim.url, { ...mallory.requestHeaders, ...tus, authorization: `Bearer ${victim.token}` });
  expectCode(t, deleted, 'LV_UPLOAD_FORBIDDEN', 403);
  await mallory.event('lv:upload-cancel', { ref: victim.ref });
  t.equal(mallory.errors.at(-1)?.code, 'LV_UPLOAD_NOT_FOUND', 'her view has no such entry');
  t.equal(await head(alice, victim.url, victim.token), victim.offset, 'unchanged');
});

t.test('a forged, expired-looking or join token is refused', async (t) => {
  const view = await app.mount('/files', { tenant: 'acme' });
  t.teardown(() => view.close());
  const up = await partial(view);
  const forged = up.token.slice(0, -2) + (up.token.endsWith('A') ? 'BB' : 'AA');
  const answer = await tusRequest(app.port, 'HEAD', up.url, { ...view.requestHeaders, ...tus, authorization: `Bearer ${forged}` });
  expectCode(t, answer, 'LV_UPLOAD_TOKEN_INVALID', 401);
  const none = await tusRequest(app.port, 'HEAD', up.url, { ...view.requestHeaders, ...tus });
  expectCode(t, none, 'LV_UPLOAD_TOKEN_INVALID', 401);
  const joinToken = /data-lv-token="([^"]+)"/.exec(await (await fetch(`${app.url}/files`, { headers: { host: `acme.localhost:${app.port}` } })).text())?.[1];
  const asJoin = await tusRequest(app.port, 'HEAD', up.url, { ...view.requestHeaders, ...tus, authorization: `Bearer ${joinToken}` });
  expectCode(t, asJoin, 'LV_UPLOAD_TOKEN_INVALID', 401);
  const noVersion = await tusRequest(app.port, 'HEAD', up.url, { ...view.requestHeaders, authorization: `Bearer ${up.token}` });
  expectCode(t, noVersion, 'LV_UPLOAD_VERSION', 412);
});

t.test('a chunk past the declared length or at the wrong offset writes nothing', async (t) => {
  const view = await app.mount('/files', { tenant: 'acme' });
  t.teardown(() => view.close());
  const up = await partial(view, 2 * MB);
  const file = join(dir, 'acme', up.ref);
  const sizeBefore = statSync(file).size;
  const auth = { ...view.requestHeaders, ...tus, authorization: `Bearer ${up.token}`, 'content-type': 'application/offset+octet-stream' };
  const past = await tusRequest(app.port, 'PATCH', up.url, { ...auth, 'upload-offset': String(up.offset) }, randomBytes(2 * MB - up.offset + 1));
  expectCode(t, past, 'LV_UPLOAD_PAST_LENGTH', 413);
  const wrong = await tusRequest(app.port, 'PATCH', up.url, { ...auth, 'upload-offset': String(up.offset + 10) }, randomBytes(10));
  expectCode(t, wrong, 'LV_UPLOAD_OFFSET_MISMATCH', 409);
  const behind = await tusRequest(app.port, 'PATCH', up.url, { ...auth, 'upload-offset': '0' }, randomBytes(10));
  expectCode(t, behind, 'LV_UPLOAD_OFFSET_MISMATCH', 409);
  t.equal(await head(view, up.url, up.token), up.offset, 'the offset did not move');
  t.equal(statSync(file).size, sizeBefore, 'no byte was written');
  await view.event('lv:upload-done', { ref: up.ref });
  t.equal(view.errors.at(-1)?.code, 'LV_UPLOAD_INCOMPLETE', '"done" before the last byte is refused');
  t.equal(view.findAll('#files li').length, 0, 'handleUpload did not run');
});

t.test('a file over the limit, of a refused type or with a path in its name is refused', async (t) => {
  const view = await app.mount('/files', { tenant: 'acme' });
  t.teardown(() => view.close());
  const big = await view.upload('attachment', { name: 'big.png', bytes: png(33 * MB) });
  t.equal(big.error, 'LV_UPLOAD_TOO_LARGE');
  const exe = await view.upload('attachment', { name: 'tool.exe', bytes: randomBytes(100) });
  t.equal(exe.error, 'LV_UPLOAD_TYPE_REFUSED', 'refused by name');
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(10_000)]);
  const disguised = await view.upload('attachment', { name: 'photo.png', bytes: elf });
  t.equal(disguised.error, 'LV_UPLOAD_TYPE_REFUSED', 'refused by content (magic bytes)');
  t.equal(await head(view, disguised.url!, disguised.token!), 0, 'none of its bytes were kept');
  t.equal(statSync(join(dir, 'acme', disguised.ref)).size, 0);
  t.equal(view.find(`#e-${disguised.ref}`)?.getAttribute('data-error'), 'LV_UPLOAD_TYPE_REFUSED', 'the entry shows why');
  const binaryTxt = await view.upload('attachment', { name: 'notes.txt', bytes: Buffer.from([0x00, 0x01, 0x02, 0xff]) });
  t.equal(binaryTxt.error, 'LV_UPLOAD_TYPE_REFUSED', 'binary content named .txt');
  for (const name of ['../../etc/passwd.txt', '..\\..\\boot.txt', 'a/b.txt', '..', ' lead.txt']) {
    const traversal = await view.upload('attachment', { name, bytes: Buffer.from('x') });
    t.equal(traversal.error, 'LV_UPLOAD_NAME_INVALID', `${JSON.stringify(name)} refused`);
  }
  // A NUL in the name never reaches the view: the socket refuses the offer's payload.
  await t.rejects(view.upload('attachment', { name: 'nul\u0000.txt', bytes: Buffer.from('x') }), /LV_EVENT_PAYLOAD_INVALID/, '"nul\\u0000.txt" refused');
  // A POST whose metadata names another file than the view granted.
  const ok = await view.upload('attachment', { name: 'fine.txt', bytes: Buffer.from('0123456789') }, { dropAfter: 0 });
  const tenantDirs = readdirSync(dir).sort();
  t.same(tenantDirs, ['acme', 'globex'], 'uploads land only in tenant directories');
  for (const tenant of tenantDirs) for (const id of readdirSync(join(dir, tenant))) t.match(id, /^[A-Za-z0-9_-]{22}$/, 'stored under ids only');
  t.ok(ok.interrupted);
});

t.test('too many files at once, and the tenant\'s quota', async (t) => {
  const view = await app.mount('/files', { tenant: 'initech' });
  t.teardown(() => view.close());
  const one = await view.upload('attachment', { name: '1.png', bytes: png(20 * MB) }, { dropAfter: MB });
  const two = await view.upload('attachment', { name: '2.png', bytes: png(10 * MB) }, { dropAfter: MB });
  t.ok(one.interrupted && two.interrupted);
  const three = await view.upload('attachment', { name: '3.png', bytes: png(1000) });
  t.equal(three.error, 'LV_UPLOAD_TOO_MANY_FILES', 'maxFiles 2');
  const other = await app.mount('/files', { tenant: 'initech' });
  t.teardown(() => other.close());
  const over = await other.upload('attachment', { name: '4.png', bytes: png(11 * MB) });
  t.equal(over.error, 'LV_UPLOAD_QUOTA_EXCEEDED', '30 MiB held + 11 MiB > the 40 MiB quota');
  await view.event('lv:upload-cancel', { ref: one.ref });
  const fits = await other.upload('attachment', { name: '4.png', bytes: png(11 * MB) });
  t.equal(fits.error, undefined, 'a cancelled upload frees its share');
});
