/**
 * The test client itself (`livery/testing`): it must send what the browser client sends, show
 * what the browser would show, and fail loudly where a browser user would get nothing.
 */
import t, { type Test } from 'tap';
import { LiveryError } from '../../server/errors.ts';
import { createTestApp, mountView } from '../../server/testing/index.ts';
import { fixtureApp } from './fixtures/views.ts';

const app = await createTestApp(fixtureApp);
t.teardown(() => app.close());

const last = (view: { find(s: string): { text: string } | null }) => JSON.parse(view.find('#last')!.text);

/** Asserts a promise rejects with a registry code. */
async function rejectsWith(t: Test, promise: Promise<unknown> | (() => unknown), code: string, detail: RegExp) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    t.fail(`expected ${code}`);
  } catch (error) {
    t.ok(error instanceof LiveryError, 'a LiveryError');
    t.equal((error as LiveryError).code, code);
    t.match((error as LiveryError).message, detail);
  }
}

t.test('the mounted HTML is what the server renders for the page', async (t) => {
  const view = await app.mount('/form');
  const page = await fetch(`${app.url}/form`).then((r) => r.text());
  const container = /<div id="lv-[^"]+" data-lv-view="FormView" data-lv-token="[^"]+">([\s\S]*)<\/div>/.exec(page)![1];
  t.equal(view.html(), container, 'the join reply merged by client/rendered.ts equals the first paint');
  t.equal(view.find('#who')?.text.trim(), 'anonymous');
  t.same(view.errors, []);
  await view.close();
});

t.test('click: the lv-click of the element or its ancestor, with lv-value-*', async (t) => {
  const view = await app.mount('/form');
  await view.click('#inner');
  t.same(last(view), { event: 'pick', payload: { id: '7' } });
  await rejectsWith(t, () => view.click('#unbound'), 'LV_TEST_ACTION_INVALID', /neither it nor an ancestor has lv-click/);
  await rejectsWith(t, () => view.click('#nowhere'), 'LV_TEST_ACTION_INVALID', /no element matches "#nowhere"/);
  await view.close();
});

t.test('submit: the form\'s fields as FormData sends them, with what the test typed', async (t) => {
  const view = await app.mount('/form');
  await view.submit('#edit');
  t.same(last(view), {
    event: 'save',
    payload: { title: 'draft', urgent: 'yes', tags: ['a', 'b'], kind: 'idea', notes: 'first line', form: 'edit' },
  }, 'disabled fields, buttons and the like are left out; a repeated name is an array');
  await view.submit('#edit input[name=title]', { title: 'Ship it', tags: ['b'] });
  // One value, as FormData gives it: a string, not an array of one.
  t.same(last(view).payload, { title: 'Ship it', urgent: 'yes', tags: 'b', kind: 'idea', notes: 'first line', form: 'edit' });
  await rejectsWith(t, () => view.submit('#edit', { nosuch: 'x' }), 'LV_TEST_ACTION_INVALID', /the form has no field named "nosuch"/);
  await rejectsWith(t, () => view.submit('#label'), 'LV_TEST_ACTION_INVALID', /not inside a form with lv-submit/);
  await view.close();
});

t.test('change: a bound form sends all its fields and _target; a bound field only itself', async (t) => {
  const view = await app.mount('/form');
  await view.change('#filters input[name=q]', { q: 'ra' });
  t.same(last(view), { event: 'filter', payload: { q: 'ra', page: '1', _target: 'q' } });
  await view.change('#label', { label: 'new' });
  t.same(last(view), { event: 'rename', payload: { label: 'new' } });
  await rejectsWith(t, () => view.change('#label', { other: 'x' }), 'LV_TEST_ACTION_INVALID', /cannot set "other"/);
  await view.close();
});

t.test('event by name; refusals and handler failures land in view.errors', async (t) => {
  const view = await app.mount('/form');
  await view.event('pick', { id: 'by-name' });
  t.same(last(view).payload, { id: 'by-name' });
  const before = view.html();
  await view.event('boom');
  await view.event('nosuch');
  t.same(view.errors.map((e) => [e.code, e.ref]), [['LV_HANDLER_FAILED', 3], ['LV_EVENT_UNKNOWN', 4]]);
  t.equal(view.html(), before, 'the failed handler changed nothing');
  t.match(app.logs.at(-1), { msg: 'FormView.boom failed: LV_HANDLER_FAILED' }, 'the server log is kept in app.logs');
  await view.close();
});

t.test('session and params reach mount', async (t) => {
  const view = await app.mount('/items/:id', { params: { id: 'a b' }, session: { userId: 'wile' } });
  t.equal(view.find('#who')?.text.trim(), 'wile a b');
  await view.close();
  await rejectsWith(t, app.mount('/items/:id'), 'LV_TEST_SETUP_INVALID', /no value for :id/);
  await rejectsWith(t, app.mount('/form', { params: { id: '1' } }), 'LV_TEST_SETUP_INVALID', /params id name no :segment/);
});

t.test('tick, info and broadcast run on the server and their diffs are merged when they resolve', async (t) => {
  const view = await app.mount('/ticks');
  const other = await app.mount('/ticks');
  await view.tick();
  await view.tick();
  t.equal(view.find('#n')?.text, '2');
  await view.info({ hello: 'info' });
  t.same(view.findAll('#log li').map((li) => li.text), ['{"hello":"info"}']);
  await view.broadcast('news', 'extra');
  t.same(view.findAll('#log li').map((li) => li.text), ['{"hello":"info"}', '"extra"']);
  await other.nextPush();
  t.same(other.findAll('#log li').map((li) => li.text), ['"extra"'], 'another tab subscribed to the topic got it as a push');
  t.equal(other.find('#n')?.text, '0', 'ticks are per view');
  await rejectsWith(t, other.nextPush(100), 'LV_TEST_TIMEOUT', /no push to TicksView within 100 ms/);
  const form = await app.mount('/form');
  await rejectsWith(t, () => form.tick(), 'LV_TEST_ACTION_INVALID', /FormView has no tick\(\)/);
  await Promise.all([view.close(), other.close(), form.close()]);
});

t.test('waitFor awaits pushes until the condition holds', async (t) => {
  const view = await app.mount('/ticks');
  const other = await app.mount('/ticks');
  setTimeout(() => void view.broadcast('news', 1).then(() => view.broadcast('news', 2)), 20);
  await other.waitFor(() => other.findAll('#log li').length === 2);
  t.same(other.findAll('#log li').map((li) => li.text), ['1', '2']);
  await Promise.all([view.close(), other.close()]);
});

t.test('a page that does not render fails the mount with its status and code', async (t) => {
  await rejectsWith(t, app.mount('/nosuch'), 'LV_TEST_MOUNT_FAILED', /GET \/nosuch: HTTP 404/);
  await rejectsWith(t, app.mount('/form', { tenant: 'acme' }), 'LV_TEST_SETUP_INVALID', /the app has no tenancy/);
});

t.test('mountView is a test app of its own, closed with the view', async (t) => {
  const view = await mountView(fixtureApp, '/form');
  await view.click('#inner');
  t.same(last(view).payload, { id: '7' });
  await view.close();
  t.pass('closed without leaving a server behind (tap would time out otherwise)');
});
