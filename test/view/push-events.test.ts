/**
 * Server-pushed events and event replies (D77) through the test client, which reads frames as
 * the browser client does: `this.pushEvent` travels with the frame of the handler's changes (the
 * join reply for `onJoin`, a push for a tick or an info), a failing handler sends none of its
 * events, a handler's plain-object return value is the reply's `rv`, and an event the view does
 * not declare is refused without harming the socket. Also `static commands` rendered by `js`.
 */
import t from 'tap';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { JS, LiveView, route } from '../../server/index.ts';
import { createTestApp } from '../../server/testing/index.ts';

class PushesView extends LiveView<{ count: number }> {
  static template = 'pushes.html';
  static events = { bump: null, fail: null, bad: null, ask: z.object({ n: z.number() }), entity: null, quiet: null };
  static commands = { open: JS.show({ to: '#menu' }).push('bump', { value: { via: 'menu' } }) };
  mount() {
    return { count: 0 };
  }
  onJoin() {
    this.pushEvent('joined', { at: 'join' });
  }
  handleInfo(message: unknown) {
    this.pushEvent('info', { message });
  }
  bump() {
    this.state.count += 1;
    this.pushEvent('bumped', { count: this.state.count });
    this.pushEvent('again', {});
  }
  fail() {
    this.state.count += 100;
    this.pushEvent('never', {});
    throw new Error('after pushing');
  }
  bad() {
    this.pushEvent('not json', {});
  }
  ask({ n }: { n: number }) {
    return { double: n * 2, nested: { ok: true } };
  }
  /** A class instance is not a reply: nothing is sent by accident. */
  entity() {
    return new Date(0);
  }
  quiet() {
    return 42;
  }
}

const app = await createTestApp({
  routes: [route('/pushes', PushesView)],
  templatesDir: fileURLToPath(new URL('./fixtures/hooks/', import.meta.url)),
});
t.teardown(() => app.close());

t.test('events pushed in onJoin arrive with the join reply; a handler\'s with its reply, in order', async (t) => {
  const view = await app.mount('/pushes');
  t.same(view.pushedEvents, [['joined', { at: 'join' }]]);
  await view.event('bump');
  t.same(view.pushedEvents.slice(1), [['bumped', { count: 1 }], ['again', {}]]);
  t.equal(view.find('#count')?.text, '1');
  await view.info('hello');
  t.same(view.pushedEvents.at(-1), ['info', { message: 'hello' }], 'an info\'s push carries its events');
  await view.close();
});

t.test('a failing handler sends none of its events; a bad event name fails the handler', async (t) => {
  const view = await app.mount('/pushes');
  const before = view.pushedEvents.length;
  await view.event('fail');
  t.same(view.errors.map((e) => e.code), ['LV_HANDLER_FAILED']);
  t.equal(view.pushedEvents.length, before, 'nothing pushed');
  t.equal(view.find('#count')?.text, '0', 'its state change undone');
  await view.event('bad');
  t.same(view.errors.map((e) => e.code), ['LV_HANDLER_FAILED', 'LV_PUSH_EVENT_INVALID']);
  await view.event('bump');
  t.equal(view.find('#count')?.text, '1', 'the view keeps working');
  await view.close();
});

t.test('a handler that returns a plain object replies with it; anything else replies with nothing', async (t) => {
  const view = await app.mount('/pushes');
  t.same(await view.event('ask', { n: 21 }), { double: 42, nested: { ok: true } });
  t.equal(await view.event('entity'), undefined);
  t.equal(await view.event('quiet'), undefined);
  t.equal(await view.event('bump'), undefined);
  t.same(view.errors, []);
  await view.close();
});

t.test('an event the view does not declare (a hook pushing one) gets LV_EVENT_UNKNOWN; the socket keeps working', async (t) => {
  const view = await app.mount('/pushes');
  t.equal(await view.event('chartClicked', { x: 1 }), undefined);
  t.same(view.errors.map((e) => e.code), ['LV_EVENT_UNKNOWN']);
  await view.event('bump');
  t.equal(view.find('#count')?.text, '1');
  await view.close();
});

t.test('static commands render as the attribute value through `js`', async (t) => {
  const view = await app.mount('/pushes');
  const value = view.find('#open')?.attributes['lv-click'];
  t.same(JSON.parse(String(value)), [['show', { to: '#menu' }], ['push', { value: { via: 'menu' }, event: 'bump' }]]);
  t.equal(String(JS.toggle({ to: '#a' }).addClass('x y')), '[["toggle",{"to":"#a"}],["add_class",{"names":"x y"}]]');
  t.equal(JS.commands.length, 0, 'the shared start is never changed');
  await view.click('#open');
  t.equal(view.find('#count')?.text, '1', 'a click on commands sends what their push sends');
  t.same(view.pushedEvents.slice(-2), [['bumped', { count: 1 }], ['again', {}]]);
  await t.rejects(async () => view.click('#show-only'), { code: 'LV_TEST_ACTION_INVALID', message: /push no event/ }, 'commands that push nothing send nothing: the test is told');
  await view.close();
});
