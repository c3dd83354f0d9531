/**
 * A handler that throws changes nothing (issue 9, part 6): whatever it wrote to its state before
 * throwing is rolled back — sync or async event, tick, info, presence — no diff goes out for it,
 * the client gets LV_HANDLER_FAILED for the ref, and the log names view, handler, tenant and a
 * hashed session, with the stack. The state is read back through a second socket's join (a
 * takeover adopts the live view's newest state and renders it in full).
 */
import Fastify, { LogController } from 'fastify';
import t from 'tap';
import { livery, serverFactory } from '../../server/index.ts';
import { mergeStatics, Rendered, type WireNode } from '../../client/rendered.ts';
import { throwingRoutes } from './fixtures/throwing-views.ts';
import { FIXTURE_TEMPLATES, getPage, LiveClient, type Frame, type Page } from './harness.ts';

const logs: string[] = [];
const app = Fastify({
  serverFactory,
  logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } },
  logController: new LogController({ disableRequestLogging: true }),
});
await app.register(livery, { routes: throwingRoutes, templatesDir: FIXTURE_TEMPLATES, secret: 'test-secret-test-secret-test-secret-0123' });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
t.teardown(() => app.close());

interface Joined {
  page: Page;
  client: LiveClient;
  token: string;
}

async function joined(path: string): Promise<Joined> {
  const page = await getPage(base, path);
  const client = await LiveClient.open(base, { cookie: page.cookie });
  const reply = await client.join(1, page.view, page.token);
  return { page, client, token: (reply[4] as { t: string }).t };
}

/** The view's state as HTML: a second socket takes the view over and renders it in full. */
async function renderedNow(j: Joined): Promise<string> {
  const other = await LiveClient.open(base, { cookie: j.page.cookie });
  try {
    const reply = await other.join(1, j.page.view, j.token);
    const diff = reply[4] as WireNode;
    const statics = new Map<string, readonly string[]>();
    mergeStatics(statics, diff);
    const rendered = new Rendered();
    rendered.merge(diff, statics);
    return rendered.toHTML();
  } finally {
    await other.close();
  }
}

const BEFORE = '<p id="count">10</p>\n<ul id="items"><li>a</li><li>b</li></ul>\n<p id="meta">1</p>\n';

const isHandlerError = (frame: Frame, ref: number) =>
  frame[1] === 'x' && frame[2] === ref && frame[3] === 1 && frame[4] === 'LV_HANDLER_FAILED';

t.test('a sync handler that does count -= 1 and throws leaves 10 as 10, and sends no diff', async (t) => {
  const j = await joined('/throwing');
  t.teardown(() => j.client.close());
  const error = await j.client.event(1, 'decThenThrow');
  t.ok(isHandlerError(error, 2), `the client gets LV_HANDLER_FAILED for ref 2: ${JSON.stringify(error)}`);
  t.same(await j.client.event(1, 'inc'), [2, 'r', 3, 1, { 0: '11' }], 'the next event starts from 10: 10 + 1 = 11, and nothing came between');
  t.same(await j.client.event(1, 'dec'), [2, 'r', 4, 1, { 0: '10' }], 'a handler that does not throw still changes state');
});

t.test('an async handler that throws after an await is rolled back too', async (t) => {
  const j = await joined('/throwing');
  t.teardown(() => j.client.close());
  t.ok(isHandlerError(await j.client.event(1, 'asyncThrow'), 2));
  t.equal(await renderedNow(j), BEFORE, 'count 10 and items a, b: both writes undone');
});

t.test('writes, in-place mutations of nested data, new keys and deletes are all undone', async (t) => {
  const j = await joined('/throwing');
  t.teardown(() => j.client.close());
  t.ok(isHandlerError(await j.client.event(1, 'mutateAllThenThrow'), 2));
  t.equal(await renderedNow(j), BEFORE, 'exactly the state before the event');
});

t.test('a tick that changes state and throws changes nothing and pushes nothing', async (t) => {
  const j = await joined('/throwing-tick');
  t.teardown(() => j.client.close());
  t.same(await j.client.event(1, 'arm'), [2, 'r', 2, 1]);
  const error = await j.client.next();
  t.same(error.slice(0, 5), [2, 'x', 0, 1, 'LV_HANDLER_FAILED'], 'the tick failure reaches the client (ref 0: no event asked for it)');
  j.client.send([2, 'e', 3, 1, 'disarm', {}]);
  let frame = await j.client.next();
  for (; frame[1] === 'x'; frame = await j.client.next()) t.equal(frame[4], 'LV_HANDLER_FAILED', 'only more tick failures meanwhile');
  t.same(frame, [2, 'r', 3, 1], 'no diff ever went out for the failed ticks');
  t.equal(await renderedNow(j), BEFORE);
});

t.test('infos that throw (sync and async handleInfo) are rolled back', async (t) => {
  const j = await joined('/throwing');
  t.teardown(() => j.client.close());
  t.same(await j.client.event(1, 'failInfo'), [2, 'r', 2, 1]);
  t.same((await j.client.next()).slice(0, 5), [2, 'x', 0, 1, 'LV_HANDLER_FAILED']);
  t.same(await j.client.event(1, 'failAsyncInfo'), [2, 'r', 3, 1]);
  t.same((await j.client.next()).slice(0, 5), [2, 'x', 0, 1, 'LV_HANDLER_FAILED']);
  t.same(await j.client.event(1, 'inc'), [2, 'r', 4, 1, { 0: '11' }], 'both decrements undone: 10 + 1');
});

t.test('onPresence that throws is rolled back', async (t) => {
  const first = await joined('/throwing-presence');
  t.teardown(() => first.client.close());
  const second = await joined('/throwing-presence');
  t.teardown(() => second.client.close());
  const error = await first.client.next();
  t.same(error.slice(0, 5), [2, 'x', 0, 1, 'LV_HANDLER_FAILED'], 'the second visitor\'s arrival made onPresence throw');
  t.same(await first.client.event(1, 'inc'), [2, 'r', 2, 1, { 0: '11' }]);
});

t.test('the log line names view, handler, tenant and a hashed session, with the stack', async (t) => {
  const from = logs.length;
  const j = await joined('/throwing');
  t.teardown(() => j.client.close());
  await j.client.event(1, 'decThenThrow');
  const sessionId = j.page.cookie.slice('lv_sid='.length);
  const lines = logs.slice(from).map((line) => JSON.parse(line) as Record<string, any>);
  const line = lines.find((l) => l.handler === 'decThenThrow');
  t.ok(line, 'one line for the failure');
  t.equal(line?.view, 'ThrowingView');
  t.equal(line?.code, 'LV_HANDLER_FAILED');
  t.equal(line?.msg, 'ThrowingView.decThenThrow failed: LV_HANDLER_FAILED');
  t.equal(line?.tenant, 'public', 'the tenant (the single implicit one here)');
  t.match(line?.session, /^[\w-]{16}$/, 'a session tag');
  t.match(line?.err?.stack, /sync handler exploded\n\s+at ThrowingView\.decThenThrow/, 'the stack, with the handler\'s frame');
  t.notOk(logs.slice(from).some((l) => l.includes(sessionId)), 'the raw session id (the cookie) is in no log line');
});

t.test('a join whose onJoin throws is refused and leaves nothing behind: no view, subscription or presence entry; the next join works', async (t) => {
  const { ThrowingJoinView } = await import('./fixtures/throwing-views.ts');
  const runtime = app.livery.runtime;
  const before = runtime.counts();
  const page = await getPage(base, '/throwing-join');
  const client = await LiveClient.open(base, { cookie: page.cookie });
  t.teardown(() => client.close());
  const refused = await client.join(1, page.view, page.token);
  t.same(refused.slice(0, 5), [2, 'x', 1, 1, 'LV_MOUNT_FAILED'], 'the join is answered with an error');
  const after = runtime.counts();
  t.same({ views: after.views, subscriptions: after.subscriptions, presence: after.presence }, { views: before.views, subscriptions: before.subscriptions, presence: before.presence },
    'no view stays registered, subscribed or present');
  ThrowingJoinView.fail = false;
  t.teardown(() => { ThrowingJoinView.fail = true; });
  const joinedNow = await client.join(1, page.view, page.token);
  t.equal(joinedNow[1], 'r', 'a join after it works (the state was kept for it)');
  t.same(await client.event(1, 'inc'), [2, 'r', 3, 1, { 0: '11' }]);
});
