/**
 * An app's `static/` folder served at `/static/`: the right type, an ETag that revalidates to a
 * 304, a 404 (in the app's layout) for anything missing — and nothing outside the folder reachable:
 * no `..` in any spelling, no dot-file, no symbolic link out of it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { routes, templatesDir } from '../navigation/fixtures/views.ts';

const root = mkdtempSync(join(tmpdir(), 'lv-static-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const staticDir = join(root, 'static');
mkdirSync(join(staticDir, 'img'), { recursive: true });
writeFileSync(join(staticDir, 'app.css'), 'body { color: red }\n');
writeFileSync(join(staticDir, 'img', 'dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
writeFileSync(join(staticDir, '.env'), 'SECRET=1');
writeFileSync(join(root, 'outside.txt'), 'not yours');
symlinkSync(join(root, 'outside.txt'), join(staticDir, 'link.txt'));

const app = await createTestApp({ routes, templatesDir, staticDir });
t.teardown(() => app.close());

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

t.test('a file is served with its type and an ETag; the same ETag revalidates to 304', async (t) => {
  const css = await get('/static/app.css');
  t.equal(css.status, 200);
  t.equal(css.body, 'body { color: red }\n');
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  t.equal(css.headers['cache-control'], 'no-cache');
  t.equal(css.headers['x-content-type-options'], 'nosniff');
  const again = await get('/static/app.css', { 'if-none-match': String(css.headers.etag) });
  t.equal(again.status, 304);
  t.equal(again.body, '');
  const svg = await get('/static/img/dot.svg');
  t.equal(svg.status, 200);
  t.equal(svg.headers['content-type'], 'image/svg+xml');
});

t.test('a missing file is the 404 page', async (t) => {
  const missing = await get('/static/nope.css');
  t.equal(missing.status, 404);
  t.match(missing.body, 'LV_ROUTE_NOT_FOUND');
  t.equal((await get('/static/img')).status, 404, 'a folder is not a file');
});

t.test('nothing outside the folder, and no hidden file, is reachable', async (t) => {
  for (const path of ['/static/../outside.txt', '/static/%2e%2e/outside.txt', '/static/img/%2e%2e/%2e%2e/outside.txt', '/static/..%2foutside.txt',
    '/static/..%5coutside.txt', '/static/.env', '/static/img/..%2f.env', '/static/link.txt', '/static/%00app.css', '/static//app.css']) {
    const res = await get(path);
    t.equal(res.status, 404, path);
    t.notMatch(res.body, /not yours|SECRET/, `${path} leaks nothing`);
  }
});

t.test('an app without a static folder serves nothing there', async (t) => {
  const bare = await createTestApp({ routes, templatesDir, staticDir: join(root, 'none') });
  t.teardown(() => bare.close());
  const res = await fetch(`${bare.url}/static/app.css`);
  t.equal(res.status, 404);
});
