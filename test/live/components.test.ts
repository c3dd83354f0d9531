/**
 * Live components (D80) through the test client, which merges frames with the browser client's
 * own Rendered: a component's events (`lv-target`) reach its handler and send only its tree; the
 * parent's own events still reach the parent; unchanged attributes leave a component alone,
 * changed ones call `update`; keyed loops keep each component's state across moves; removed
 * components are dropped; state survives a reconnect; bad input gets stable codes.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../../server/testing/index.ts';
import { componentRoutes, components } from './fixtures/components.ts';

const app = await createTestApp({
  routes: componentRoutes,
  templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)),
  options: { components },
});
t.teardown(() => app.close());

t.test('the first paint shows the component with its cid; its own counter and the parent\'s both work', async (t) => {
  const view = await app.mount('/parent');
  t.equal(view.find('#counter-c1 .count')?.text, '5');
  t.match(view.find('#counter-c1')?.getAttribute('lv-component') ?? '', /^\d+$/);
  t.equal(view.find('#counter-c1 .label')?.text, 'first');
  await view.click('#counter-c1 .inc');
  t.equal(view.find('#counter-c1 .count')?.text, '6');
  t.equal(view.find('#parent-count')?.text, '0');
  await view.click('#parent-inc');
  t.equal(view.find('#parent-count')?.text, '1');
  t.equal(view.find('#counter-c1 .count')?.text, '6', 'the parent\'s render leaves the component as it was');
  // Inside the component but without lv-target: the parent's event.
  await view.click('#counter-c1 .parent-inc');
  t.equal(view.find('#parent-count')?.text, '2');
  t.equal(view.find('#counter-c1 .count')?.text, '6');
  await view.click('#counter-c1 .set');
  t.equal(view.find('#counter-c1 .count')?.text, '100', 'the component\'s payload schema ran');
  t.same(view.errors, []);
  await view.close();
});

t.test('changed attributes call update and re-render the slots reading attrs; the state stays', async (t) => {
  const view = await app.mount('/parent');
  await view.click('#counter-c1 .inc');
  await view.event('inc');
  t.equal(view.find('#counter-c1 .updates')?.text, '0', 'equal attributes: update is not called');
  await view.event('relabel');
  t.equal(view.find('#counter-c1 .label')?.text, 'renamed');
  t.equal(view.find('#counter-c1 .count')?.text, '6');
  t.equal(view.find('#counter-c1 .updates')?.text, '1', 'update ran once');
  await view.event('relabel');
  t.equal(view.find('#counter-c1 .updates')?.text, '1', 'the same label again: no update');
  await view.close();
});

t.test('components appear and go with the parent\'s template; a removed one is dropped, state and all', async (t) => {
  const view = await app.mount('/parent');
  t.equal(view.find('#counter-c2'), null);
  await view.event('toggle');
  t.equal(view.find('#counter-c2 .count')?.text, '1');
  await view.click('#counter-c2 .inc');
  t.equal(view.find('#counter-c2 .count')?.text, '2');
  await view.event('toggle');
  t.equal(view.find('#counter-c2'), null);
  await view.event('toggle');
  t.equal(view.find('#counter-c2 .count')?.text, '1', 'shown again: mounted afresh');
  t.same(view.errors, []);
  await view.close();
});

t.test('components in a keyed loop keep their state across moves', async (t) => {
  const view = await app.mount('/parent');
  await view.click('#row-b button');
  await view.click('#row-b button');
  await view.click('#row-c button');
  const stars = () => view.findAll('li.row').map((li) => `${li.id}=${li.querySelector('b')?.text}`);
  t.same(stars(), ['row-a=0', 'row-b=2', 'row-c=1']);
  await view.event('reverse');
  t.same(stars(), ['row-c=1', 'row-b=2', 'row-a=0']);
  await view.event('drop');
  t.same(stars(), ['row-b=2', 'row-a=0']);
  await view.event('add');
  t.same(stars(), ['row-b=2', 'row-a=0', 'row-d=0']);
  await view.click('#row-a button');
  t.same(stars(), ['row-b=2', 'row-a=1', 'row-d=0']);
  await view.close();
});

t.test('sendParent reaches the parent\'s handleComponentMessage', async (t) => {
  const view = await app.mount('/parent');
  await view.click('#counter-c1 .inc');
  await view.click('#counter-c1 .tell');
  await view.waitFor(() => view.find('#last')?.text !== '');
  t.equal(view.find('#last')?.text, 'c1: {"count":6}');
  await view.close();
});

t.test('component state is saved with the view and restored on reconnect', async (t) => {
  const view = await app.mount('/parent');
  await view.click('#counter-c1 .inc');
  await view.click('#parent-inc');
  await view.click('#row-b button');
  await view.reconnect();
  t.equal(view.find('#counter-c1 .count')?.text, '6');
  t.equal(view.find('#parent-count')?.text, '1');
  t.equal(view.find('#row-b b')?.text, '1');
  await view.click('#counter-c1 .inc');
  t.equal(view.find('#counter-c1 .count')?.text, '7');
  await view.close();
});

t.test('bad input: unknown component, undeclared event, invalid payload, a failing handler; the view keeps working', async (t) => {
  const view = await app.mount('/parent');
  await view.componentEvent('nope', 'inc');
  t.equal(view.errors.at(-1)?.code, 'LV_COMPONENT_UNKNOWN');
  await view.componentEvent('c1', 'mount');
  t.equal(view.errors.at(-1)?.code, 'LV_EVENT_UNKNOWN');
  await view.componentEvent('c1', 'set', { to: 'many' });
  t.equal(view.errors.at(-1)?.code, 'LV_EVENT_PAYLOAD_INVALID');
  await view.componentEvent('c1', 'boom');
  t.equal(view.errors.at(-1)?.code, 'LV_HANDLER_FAILED');
  t.equal(view.find('#counter-c1 .count')?.text, '5', 'the failed handler\'s change was rolled back');
  await view.click('#counter-c1 .inc');
  t.equal(view.find('#counter-c1 .count')?.text, '6');
  await view.close();
});

t.test('two components with one id in one render: LV_COMPONENT_DUPLICATE_ID', async (t) => {
  const view = await app.mount('/duplicate');
  await view.click('#twice');
  t.ok(view.errors.some((e) => e.code === 'LV_COMPONENT_DUPLICATE_ID'), JSON.stringify(view.errors));
  await view.close();
});

t.test('an empty id (a name the scope lacks) or one over 128 characters: LV_COMPONENT_ID_INVALID, and the view keeps working', async (t) => {
  const view = await app.mount('/duplicate');
  await view.click('#blank');
  t.equal(view.errors.at(-1)?.code, 'LV_COMPONENT_ID_INVALID', JSON.stringify(view.errors));
  t.notOk(view.find('[lv-component]:nth-of-type(2)'), 'no component was shown for it');
  await view.close();
});

t.test('inside a function component (its template and its slot) and an include … only, components work and keep their state', async (t) => {
  const view = await app.mount('/mixed');
  t.equal(view.find('#counter-f1 .count')?.text, '1');
  t.equal(view.find('#counter-only .count')?.text, '2');
  await view.click('#counter-f1 .inc');
  await view.click('#counter-f2 .inc');
  await view.click('#counter-f2 .inc');
  await view.click('#counter-only .inc');
  await view.click('#row-in-slot button');
  const counts = () => ['#counter-f1 .count', '#counter-f2 .count', '#counter-only .count', '#row-in-slot b'].map((s) => view.find(s)?.text);
  t.same(counts(), ['2', '3', '3', '1']);
  await view.reconnect();
  t.same(counts(), ['2', '3', '3', '1'], 'restored');
  t.same(view.errors, []);
  await view.close();
});

