import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import t from 'tap';
import { createServer, livery, MemoryStateBackend, serverFactory, StartupError } from '../../server/index.ts';
import { CounterView, routes } from './fixtures/views.ts';
import { FIXTURE_TEMPLATES, getPage, LiveClient, startServer } from './harness.ts';
import { LiveView, route } from '../../server/index.ts';

async function startupProblems(options: Parameters<typeof createServer>[0]): Promise<string[]> {
  try {
    const server = await createServer({ templatesDir: FIXTURE_TEMPLATES, handleSignals: false, logLevel: 'silent', ...options });
    await server.close();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((p) => `${p.id} ${p.detail}`);
  }
}

t.test('livery.C005: a template error names file, line and column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lv-tpl-'));
  writeFileSync(join(dir, 'counter.html'), '<p>\n  {% if %}x{% endif %}</p>');
  const problems = await startupProblems({ routes: [route('/c', CounterView)], templatesDir: dir });
  t.equal(problems.length, 1);
  t.match(problems[0], /^livery\.C005 .*counter\.html:2:3/);
});

t.test('livery.C005: a view naming a missing template', async (t) => {
  class Lost extends LiveView<{ a: number }> {
    static template = 'nowhere.html';
    mount() { return { a: 1 }; }
  }
  const problems = await startupProblems({ routes: [route('/lost', Lost)] });
  t.match(problems.join('\n'), /livery\.C005 .*nowhere\.html/);
});

t.test('livery.C006: invalid view declarations are all reported', async (t) => {
  class NoHandler extends LiveView<{ a: number }> {
    static template = 'counter.html';
    static events = { missing: null };
    mount() { return { a: 1 }; }
  }
  class Reserved extends LiveView<{ a: number }> {
    static template = 'counter.html';
    static events = { mount: null };
    mount() { return { a: 1 }; }
  }
  class NoTick extends LiveView<{ a: number }> {
    static template = 'counter.html';
    static tickInterval = 100;
    mount() { return { a: 1 }; }
  }
  const problems = await startupProblems({
    // Type-checked routes would reject NoHandler at compile time; the cast shows the runtime check.
    routes: [route('/a', NoHandler as never), route('/b', Reserved as never), route('/c', NoTick)],
  });
  const text = problems.join('\n');
  t.match(text, /livery\.C006 .*NoHandler.*"missing" is declared but the class has no missing\(\) method/);
  t.match(text, /livery\.C006 .*Reserved.*"mount" cannot be an event name/);
  t.match(text, /livery\.C006 .*NoTick.*no tick\(\) method/);
});

t.test('livery.C058 and C059: every route path names one view, and is a path of the app\'s own', async (t) => {
  class Other extends LiveView<{ a: number }> {
    static template = 'counter.html';
    mount() { return { a: 1 }; }
  }
  const problems = await startupProblems({
    routes: [
      route('/items/:id', CounterView), route('/items/:slug', Other), route('/a', Other), route('/a', CounterView),
      route('items', Other), route('/q?x=1', Other), route('//evil', Other), route('/live', Other), route('/_livery/metrics', Other),
      route('/ok/:id?', Other),
    ],
  });
  const text = problems.join('\n');
  t.match(text, /livery\.C058 route \/items\/:slug → Other: \/items\/:id → CounterView is already routed at this path/);
  t.match(text, /livery\.C058 route \/a → CounterView: \/a → Other is already routed/);
  for (const path of ['items', '/q?x=1', '//evil']) t.match(text, `livery.C059 route ${path} → Other: not a path`);
  t.match(text, /livery\.C059 route \/live → Other: \/live is Livery's own/);
  t.match(text, /livery\.C059 route \/_livery\/metrics → Other: \/_livery is Livery's own/);
  t.notMatch(text, '/ok/:id?', 'an optional last param is a path');
  t.equal(problems.length, 7);
});

t.test('livery.C008: registering in a Fastify app that is not on uWebSockets.js', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await t.rejects(async () => {
    await app.register(livery, { routes, templatesDir: FIXTURE_TEMPLATES, logLevel: 'silent' });
    await app.ready();
  }, /livery\.C008/);
});

t.test('plugin mode: app.register(livery) inside an existing Fastify app, one port', async (t) => {
  const app = Fastify({ serverFactory });
  app.get('/own', async () => ({ mine: true }));
  await app.register(livery, { routes, templatesDir: FIXTURE_TEMPLATES, secret: 'plugin-secret-plugin-secret-plugin-secret' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  t.same(await (await fetch(base + '/own')).json(), { mine: true }, 'the app keeps its own routes');
  const page = await getPage(base, '/counter');
  const client = await LiveClient.open(base, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.same((await client.join(1, page.view, page.token)).slice(0, 2), [2, 'r'], 'the live socket works on the same port');
  t.equal(app.livery.runtime.connections.size, 1, 'fastify.livery exposes the runtime');
});

t.test('healthz and the fingerprinted, long-cached client bundle', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const health = await (await fetch(s.url + '/healthz')).json();
  t.same(health, { status: 'ok' }, 'health says healthy, nothing about load (counts: test/live/health-metrics.test.ts)');
  const page = await getPage(s.url, '/counter');
  const src = /<script defer src="(\/_livery\/livery\.[a-z0-9]+\.js)"><\/script>/.exec(page.html)?.[1];
  t.ok(src, 'the page loads the fingerprinted bundle');
  const bundle = await fetch(s.url + src);
  t.equal(bundle.status, 200);
  t.equal(bundle.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.equal((await fetch(s.url + '/_livery/livery.00000000.js')).status, 404, 'other names are not served');
  t.equal((await fetch(s.url + '/live')).status, 404, 'a plain GET /live is not a page');
});

t.test('graceful shutdown: sockets closed with 1001 after their state is saved', async (t) => {
  const backend = new MemoryStateBackend({ ttlSeconds: 60, maxEntries: 100 });
  const s = await startServer({ routes, stateBackend: backend });
  const page = await getPage(s.url, '/counter');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  await client.join(1, page.view, page.token);
  await client.event(1, 'inc');
  await client.event(1, 'inc');
  await s.close();
  t.equal(await client.closed, 1001, 'going away');
  t.equal(backend.size, 1);
  const instance = /id="lv-([^"]+)" data-lv-view/.exec(page.html)![1];
  t.equal(await backend.get(`lv:{public}:view:${instance}`), '{"count":2}', 'the latest state was saved');
});

t.test('SIGTERM: the example app saves, closes sockets with 1001 and exits 0', async (t) => {
  const child = spawn(process.execPath, ['server/cli/livery.js', 'start'], {
    cwd: new URL('../../', import.meta.url).pathname,
    // Its own embedded database: never the checkout's .livery/pglite, which `npm start` may hold.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LIVERY_LOG_LEVEL: 'info', LIVERY_PGLITE_DIR: mkdtempSync(join(tmpdir(), 'livery-sigterm-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /Livery example app: (http:\/\/[^\s"]+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const page = await getPage(url, '/counter');
  const client = await LiveClient.open(url, { cookie: page.cookie });
  await client.join(1, page.view, page.token);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await client.closed, 1001);
  t.equal(await exited, 0, 'exit code 0');
});
