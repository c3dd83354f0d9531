/**
 * The test client drives nested live views (D81) as the browser client does: each on the page's
 * one socket with its own vid and token, joined when its container appears (on the page, or in a
 * live re-render), left when it goes, and joined again on a reconnect.
 */
import t, { type Test } from 'tap';
import { LiveryError } from '../../server/errors.ts';
import { createTestApp, type TestView } from '../../server/testing/index.ts';
import { route } from '../../server/index.ts';
import { NestedParentView, nestedRoutes, nestedViews } from '../live/fixtures/nested.ts';

/** The fixture's parent, told by a message (not an event) to show its extra child. */
class InfoParentView extends NestedParentView {
  handleInfo(message: unknown) {
    this.state.extra = message === 'extra';
  }
}

const app = await createTestApp({
  routes: [...nestedRoutes, route('/info-parent', InfoParentView)],
  templatesDir: new URL('../live/fixtures/nested-templates/', import.meta.url),
  options: { views: nestedViews },
});
t.teardown(() => app.close());

const childCount = (view: TestView) => view.find('.child-count')?.text;
const parentCount = (view: TestView) => view.find('#parent-count')?.text;

async function rejectsWith(t: Test, run: () => unknown, code: string, detail: RegExp) {
  try {
    await run();
    t.fail(`expected ${code}`);
  } catch (error) {
    t.ok(error instanceof LiveryError, 'a LiveryError');
    t.equal((error as LiveryError).code, code);
    t.match((error as LiveryError).message, detail);
  }
}

t.test('nested(id) is the child view, joined on the page\'s socket; each view handles its own events', async (t) => {
  const view = await app.mount('/nested');
  t.teardown(() => view.close());
  const child = view.nested('child');
  t.equal(child.name, 'NestedChildView');
  t.equal(child.find('.child-label')?.text, 'first', 'the child mounted with the tag\'s params');
  t.equal(childCount(child), '0');
  t.equal(view.find('.child-count'), null, 'the parent\'s HTML holds the child\'s container, not its content');
  t.ok(view.find('.slot > div[data-lv-view=NestedChildView]'), 'the container is there');
  t.equal(view.nested('child'), child, 'the same child each time');

  await child.click('.child-inc');
  await child.click('.child-inc');
  t.equal(childCount(child), '2');
  t.equal(parentCount(view), '0', 'the child\'s events change the child only');
  await view.click('#parent-inc');
  t.equal(parentCount(view), '1');
  t.equal(childCount(child), '2', 'and the parent\'s the parent only');

  await child.click('.child-inc');
  t.equal(childCount(child), '3', 'the parent\'s re-render left the child joined');
  await child.event('boom');
  t.same(child.errors.map((e) => e.code), ['LV_HANDLER_FAILED'], 'a child\'s error frame is the child\'s');
  t.same(view.errors, [], 'the parent saw none');
  await view.click('#parent-inc');
  t.equal(parentCount(view), '2', 'and goes on');

  await rejectsWith(t, () => view.nested('nosuch'), 'LV_TEST_ACTION_INVALID', /NestedParentView shows no nested view "nosuch" \(it shows "child"\)/);
  await rejectsWith(t, () => child.nested('child'), 'LV_TEST_ACTION_INVALID', /it shows none/);
});

t.test('a child a live re-render adds is joined; one it removes is left, and comes back new', async (t) => {
  const view = await app.mount('/nested');
  t.teardown(() => view.close());
  await rejectsWith(t, () => view.nested('extra'), 'LV_TEST_ACTION_INVALID', /no nested view "extra"/);
  await view.click('#add-extra');
  const extra = view.nested('extra');
  t.equal(extra.find('.child-label')?.text, 'extra', 'joined (and mounted) when the re-render added its container');
  await extra.click('.child-inc');
  t.equal(childCount(extra), '1');
  t.equal(childCount(view.nested('child')), '0', 'the other child is its own view');

  await view.click('#drop-extra');
  await rejectsWith(t, () => view.nested('extra'), 'LV_TEST_ACTION_INVALID', /it shows "child"/);
  await rejectsWith(t, () => extra.click('.child-inc'), 'LV_TEST_ACTION_INVALID', /no longer on the page/);

  await view.click('#add-extra');
  t.not(view.nested('extra'), extra, 'a new child under the same id');
  t.equal(childCount(view.nested('extra')), '0', 'the left child\'s state was dropped: it mounted afresh');
});

t.test('a reconnect joins every view on the page again, each with its own state', async (t) => {
  const view = await app.mount('/nested');
  t.teardown(() => view.close());
  await view.click('#add-extra');
  await view.nested('child').click('.child-inc');
  await view.nested('extra').click('.child-inc');
  await view.nested('extra').click('.child-inc');
  await view.click('#parent-inc');

  await view.reconnect();
  t.equal(parentCount(view), '1');
  t.equal(childCount(view.nested('child')), '1');
  t.equal(childCount(view.nested('extra')), '2');
  await view.nested('extra').click('.child-inc');
  t.equal(childCount(view.nested('extra')), '3', 'the children take events after it');

  // The socket is the page's: a reconnect asked of a child is the same.
  await view.nested('child').reconnect();
  t.equal(childCount(view.nested('child')), '1');
  await view.click('#parent-inc');
  t.equal(parentCount(view), '2');
  t.same([view, view.nested('child'), view.nested('extra')].flatMap((v) => v.errors), []);
});

t.test('navigation from a nested view moves the page: its top-level view goes', async (t) => {
  const view = await app.mount('/nested');
  t.teardown(() => view.close());
  const child = view.nested('child');
  t.equal(child.url, '/nested', 'a nested view has no URL of its own: the page\'s');
  await child.clickLink('.child-nav');
  t.equal(view.name, 'NestedChildView', 'the top-level view was replaced');
  t.equal(view.url, '/child?label=linked');
  t.equal(view.find('.child-label')?.text, 'linked');
  await rejectsWith(t, () => child.click('.child-inc'), 'LV_TEST_ACTION_INVALID', /no longer on the page/);

  const again = await app.mount('/nested');
  t.teardown(() => again.close());
  await again.nested('child').click('.child-away');
  t.equal(again.name, 'NestedChildView', 'a nested view\'s pushNavigate navigates the page');
  t.equal(again.url, '/child?label=pushed');
  t.same(again.history, ['/nested', '/child?label=pushed']);
});

t.test('a child a pushed diff adds (an info, not an event) is joined before the push counts as arrived', async (t) => {
  const view = await app.mount('/info-parent');
  t.teardown(() => view.close());
  await view.info('extra');
  t.equal(view.nested('extra').find('.child-label')?.text, 'extra');
  await view.nested('extra').click('.child-inc');
  t.equal(childCount(view.nested('extra')), '1');
  await view.info('none');
  await rejectsWith(t, () => view.nested('extra'), 'LV_TEST_ACTION_INVALID', /it shows "child"/);
});
