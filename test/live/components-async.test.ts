/**
 * Live components whose mount or update is async (D84), through the test client: the page render
 * waits for them (the first paint shows what they loaded); on the socket a new one shows its
 * placeholder with `loading`, then its data, applied in the parent's mailbox; an event for it
 * meanwhile is refused LV_COMPONENT_LOADING; a failed load shows `failed` and reports
 * LV_COMPONENT_FAILED while the view and the other component go on; one removed while loading
 * is forgotten; a restored one is not mounted again; one that had not loaded is.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../../server/testing/index.ts';
import { componentRoutes, components, hold, mounts } from './fixtures/components.ts';

const app = await createTestApp({
  routes: componentRoutes,
  templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)),
  options: { components },
});
t.teardown(() => app.close());

const items = (view: Awaited<ReturnType<typeof app.mount>>, id: string) => view.findAll(`#loader-${id} li`).map((li) => li.text);

t.test('the first paint shows what an async mount loaded', async (t) => {
  const view = await app.mount('/async');
  t.same(items(view, 'first'), ['first-1', 'first-2']);
  t.equal(view.find('#loader-first .loading'), null);
  t.equal(view.find('#loader-first .tenant')?.text, 'public', 'the parent\'s tenant');
  t.same(view.errors, []);
  await view.close();
});

t.test('on the socket: loading with the placeholder, then the data; an event meanwhile is refused; the parent goes on', async (t) => {
  const view = await app.mount('/async');
  const load = hold('k1');
  await view.event('show', { key: 'k1' });
  t.equal(view.find('#loader-second .loading')?.text, 'Loading k1…', 'the placeholder state, loading');
  t.same(items(view, 'second'), []);
  await view.click('#loader-second .more');
  t.equal(view.errors.at(-1)?.code, 'LV_COMPONENT_LOADING');
  await view.event('inc');
  t.equal(view.find('#count')?.text, '1', 'the parent\'s events run while the component loads');
  await view.click('#loader-first .more');
  t.equal(view.find('#loader-first .extra')?.text, '1', 'and so do the other component\'s');
  load.release();
  await view.awaitAsync();
  t.same(items(view, 'second'), ['k1-1', 'k1-2']);
  t.equal(view.find('#loader-second .loading'), null);
  t.equal(view.find('#loader-second .extra')?.text, '0');
  await view.click('#loader-second .more');
  t.equal(view.find('#loader-second .extra')?.text, '1', 'loaded: its events run');
  t.equal(view.errors.length, 1, JSON.stringify(view.errors));
  await view.close();
});

t.test('a failed mount shows failed and reports LV_COMPONENT_FAILED; the view and the other component keep working', async (t) => {
  const view = await app.mount('/async');
  await view.event('show', { key: 'bad-1' });
  await view.awaitAsync();
  t.equal(view.find('#loader-second .failed')?.text, 'LV_COMPONENT_FAILED');
  t.equal(view.find('#loader-second .loading'), null);
  t.equal(view.errors.at(-1)?.code, 'LV_COMPONENT_FAILED');
  await view.event('inc');
  t.equal(view.find('#count')?.text, '1');
  await view.click('#loader-first .more');
  t.equal(view.find('#loader-first .extra')?.text, '1');
  // A failed component never joined the view's state: a reconnect mounts it again.
  const before = mounts.get('bad-1');
  await view.reconnect();
  await view.awaitAsync();
  t.equal(mounts.get('bad-1'), (before ?? 0) + 1, 'mounted again after the reconnect');
  t.equal(view.find('#loader-first .extra')?.text, '1', 'the loaded one was restored');
  await view.close();
});

t.test('a component removed while its mount is pending is forgotten: its late result changes nothing', async (t) => {
  const view = await app.mount('/async');
  const load = hold('k2');
  await view.event('show', { key: 'k2' });
  t.ok(view.find('#loader-second .loading'));
  await view.event('hide');
  t.equal(view.find('#loader-second'), null);
  load.release();
  await view.awaitAsync();
  t.equal(view.find('#loader-second'), null);
  t.same(view.errors, []);
  await view.reconnect();
  t.equal(view.find('#loader-second'), null, 'nothing of it was saved');
  await view.event('show', { key: 'k2' });
  await view.awaitAsync();
  t.same(items(view, 'second'), ['k2-1', 'k2-2'], 'shown again: mounted afresh');
  await view.close();
});

t.test('a restored component is not mounted again; one that had not loaded is', async (t) => {
  const view = await app.mount('/async');
  await view.event('show', { key: 'k3' });
  await view.awaitAsync();
  const loaded = mounts.get('k3');
  await view.reconnect();
  t.same(items(view, 'second'), ['k3-1', 'k3-2']);
  t.equal(mounts.get('k3'), loaded, 'restored, not mounted');
  const load = hold('k4');
  await view.event('rekey', { key: 'k4' });
  t.ok(view.find('#loader-second .loading'), 'an async update shows loading too');
  t.same(items(view, 'second'), ['k3-1', 'k3-2'], 'with the state it had');
  load.release();
  await view.awaitAsync();
  t.same(items(view, 'second'), ['k4-1'], 'what the update resolved with was merged');
  t.equal(view.find('#loader-second .loading'), null);
  t.same(view.errors, []);
  await view.close();
});

t.test('attributes changed while the mount loads: it loads for the new ones, the old result is dropped', async (t) => {
  const view = await app.mount('/async');
  const first = hold('k5');
  await view.event('show', { key: 'k5' });
  await view.event('rekey', { key: 'k6' });
  first.release();
  await view.awaitAsync();
  t.same(items(view, 'second'), ['k6-1', 'k6-2']);
  t.same(view.errors, []);
  await view.close();
});

t.test('a load that would make the state too large: LV_STATE_OVER_LIMIT, the component shows it, nothing of it is saved', async (t) => {
  const small = await createTestApp({
    routes: componentRoutes,
    templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)),
    options: { components, state: { maxBytes: 2048 } },
  });
  t.teardown(() => small.close());
  const view = await small.mount('/async');
  await view.event('show', { key: 'big-1' });
  await view.awaitAsync();
  t.equal(view.errors.at(-1)?.code, 'LV_STATE_OVER_LIMIT');
  t.equal(view.find('#loader-second .failed')?.text, 'LV_STATE_OVER_LIMIT');
  t.equal(view.find('#loader-second .loading'), null, 'not loading forever');
  t.same(items(view, 'second'), []);
  const before = mounts.get('big-1');
  await view.reconnect();
  await view.awaitAsync();
  t.equal(mounts.get('big-1'), (before ?? 0) + 1, 'not saved: mounted again at the rejoin');
  await view.event('inc');
  t.equal(view.find('#count')?.text, '1', 'the view goes on');
  await view.close();
});
