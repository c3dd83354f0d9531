/**
 * Live navigation through the test client (`livery/testing`): URL params reaching mount and
 * handleParams, lv-patch and lv-navigate links, pushPatch / pushNavigate / redirect, history with
 * back and forward, page titles and flash messages — against a real server and socket.
 */
import t from 'tap';
import { LiveryError } from '../../server/errors.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { ItemsView, routes, templatesDir } from './fixtures/views.ts';

const app = await createTestApp({ routes, templatesDir });
t.teardown(() => app.close());

const heading = (view: { find(s: string): { text: string } | null }) => view.find('#heading')?.text;
const items = (view: { findAll(s: string): Array<{ text: string }> }) => view.findAll('#items li').map((li) => li.text);

t.test('query and path params reach mount and handleParams; handleParams runs once per page view', async (t) => {
  ItemsView.params = [];
  const view = await app.mount('/items?page=2&sort=name&page=9');
  t.equal(heading(view), 'Items, page 2 by name', 'the first value of a repeated name');
  t.same(items(view), ['Echo', 'Delta', 'Charlie']);
  t.equal(view.title, 'Items 2', 'pageTitle set while rendering is the <title>');
  t.same(ItemsView.params, [{ params: { page: '2', sort: 'name' }, url: '/items?page=2&sort=name&page=9' }],
    'the join adopted a state rendered at that very URL: handleParams did not run again');
  const detail = await app.mount('/items/:id', { params: { id: '4' } });
  t.equal(detail.find('#name')?.text, 'Delta', 'path params too');
  t.equal(detail.title, 'Delta');
  await view.close();
  await detail.close();
});

t.test('an lv-patch link changes the URL and runs handleParams, without a remount', async (t) => {
  const view = await app.mount('/items');
  const mounts = ItemsView.mounts;
  await view.clickLink('#next');
  t.equal(view.url, '/items?page=2&sort=id');
  t.equal(heading(view), 'Items, page 2 by id');
  t.equal(view.title, 'Items 2', 'the title follows');
  t.same(view.history, ['/items', '/items?page=2&sort=id'], 'a new history entry');
  t.equal(ItemsView.mounts, mounts, 'no mount');
  await view.clickLink('#by-name');
  t.same(view.history, ['/items', '/items?sort=name'], 'lv-replace replaces the entry');
  t.equal(heading(view), 'Items, page 1 by name');
  t.equal(view.find('#calls')?.text, '3', 'handleParams ran for the render and each patch');
  t.same(view.errors, []);
  await view.close();
});

t.test('back and forward walk the history: a patch within the view, a navigate across views', async (t) => {
  const view = await app.mount('/items');
  await view.clickLink('#next');
  await view.clickLink('#items li:first-child a');
  t.equal(view.name, 'ItemView', 'lv-navigate put another view in the container');
  t.equal(view.url, '/items/4');
  t.equal(view.title, 'Delta');
  t.same(view.history, ['/items', '/items?page=2&sort=id', '/items/4']);
  const mounts = ItemsView.mounts;
  await view.back();
  t.equal(view.name, 'ItemsView', 'back across the navigate: the list again');
  t.equal(heading(view), 'Items, page 2 by id');
  t.equal(view.title, 'Items 2');
  t.equal(ItemsView.mounts, mounts + 1, 'mounted afresh, as a page load would');
  await view.back();
  t.equal(heading(view), 'Items, page 1 by id', 'back to the first entry');
  t.equal(view.url, '/items');
  await view.forward();
  t.equal(heading(view), 'Items, page 2 by id');
  await view.forward();
  t.equal(view.name, 'ItemView');
  t.equal(view.find('#name')?.text, 'Delta');
  await t.rejects(view.forward(), { code: 'LV_TEST_ACTION_INVALID' });
  await view.clickLink('#back');
  t.equal(view.name, 'ItemsView', 'a relative lv-navigate link (../items)');
  t.equal(view.url, '/items');
  t.same(view.errors, []);
  await view.close();
});

t.test('pushPatch from a handler; a patch to another view\'s URL navigates; handleParams normalizing the URL', async (t) => {
  const view = await app.mount('/items');
  await view.click('#bump');
  t.equal(view.url, '/items?page=2&sort=id');
  t.equal(heading(view), 'Items, page 2 by id');
  await view.clickLink('#to-item');
  t.equal(view.name, 'ItemView', 'an lv-patch to another view\'s URL becomes a navigate');
  t.equal(view.url, '/items/2');
  await view.patch('/items?page=0');
  t.equal(view.name, 'ItemsView');
  t.equal(view.url, '/items?sort=id', 'handleParams patched ?page=0 away (replace)');
  t.equal(heading(view), 'Items, page 1 by id');
  await view.close();
});

t.test('over HTTP, a view that asks to be elsewhere while rendering is a real redirect, its flash kept for the next page', async (t) => {
  const normalized = await fetch(`${app.url}/items?page=0`, { redirect: 'manual' });
  t.equal(normalized.status, 302);
  t.equal(normalized.headers.get('location'), '/items?sort=id');
  const view = await app.mount('/items/99');
  t.equal(view.url, '/items', 'the test client followed the 302');
  t.same(view.flash, { error: 'No item 99' }, 'the flash waited in the session');
  t.equal(view.name, 'ItemsView');
  const again = await view.followRedirect().catch((error: unknown) => error);
  t.ok(again instanceof LiveryError, 'nothing to follow');
  await view.close();
});

t.test('flash: shown at once, carried to the next page, gone after that; dismissed ones are not carried', async (t) => {
  const view = await app.mount('/items');
  await view.click('#say');
  t.same(view.flash, { error: 'Something <odd>' });
  await view.clickLink('#items li:nth-child(2) a');
  t.same(view.flash, { error: 'Something <odd>' }, 'survives one navigation');
  await view.click('#save');
  t.same(view.flash, { error: 'Something <odd>', info: 'Saved Bravo' });
  await view.clickLink('#back');
  t.same(view.flash, { info: 'Saved Bravo' }, 'the old message is gone, the fresh one came along');
  await view.click('#go');
  t.equal(view.name, 'ItemView', 'pushNavigate');
  t.same(view.flash, { info: 'Off we go' }, 'a flash set with pushNavigate shows on the new page');
  await view.click('#save');
  await view.dismissFlash('info');
  await view.clickLink('#back');
  t.same(view.flash, {}, 'a dismissed message is not carried');
  t.same(view.errors, []);
  await view.close();
});

t.test('redirect from a live view: a full page load with the flash kept in the session, shown once', async (t) => {
  const view = await app.mount('/items');
  await view.click('#away');
  t.equal(view.redirectedTo, '/plain');
  const next = await view.followRedirect();
  t.equal(next.name, 'PlainView');
  t.same(next.flash, { info: 'Bye' });
  await next.close();
  const reload = await fetch(`${app.url}/plain`).then((r) => r.text());
  t.notMatch(reload, 'Bye', 'another page load (another session here) never sees it');
});

t.test('a navigate to a URL no live view serves is a full page load; an unknown path is a 404 page', async (t) => {
  const view = await app.mount('/items');
  await view.navigate('/nowhere');
  t.equal(view.redirectedTo, '/nowhere');
  t.equal(view.name, 'ItemsView', 'the view stays until the browser leaves');
  await t.rejects(view.followRedirect(), { code: 'LV_TEST_MOUNT_FAILED', message: /HTTP 404, LV_ROUTE_NOT_FOUND/ });
  const page = await fetch(`${app.url}/nowhere`);
  t.equal(page.status, 404);
  t.match(await page.text(), /<title>404 LV_ROUTE_NOT_FOUND<\/title>[\s\S]*id="lv-flash"/, 'in the layout, flash region included');
  const view2 = await app.mount('/items');
  await view2.clickLink('#plain');
  t.equal(view2.redirectedTo, '/elsewhere', 'a plain link loads a page');
  await view2.close();
});

t.test('a handler that throws after flash, pageTitle and pushPatch changes none of them', async (t) => {
  const view = await app.mount('/items');
  await view.click('#fail');
  t.same(view.errors.map((e) => e.code), ['LV_HANDLER_FAILED']);
  t.equal(view.url, '/items');
  t.same(view.flash, {});
  t.equal(view.title, 'Items 1');
  await view.clickLink('#next');
  t.equal(view.url, '/items?page=2&sort=id', 'and the view goes on');
  await view.close();
});

t.test('a handleParams that keeps patching is stopped with LV_NAV_LOOP', async (t) => {
  const view = await app.mount('/loop');
  await view.event('spin');
  t.ok(view.errors.some((e) => e.code === 'LV_NAV_LOOP'), 'LV_NAV_LOOP');
  t.equal(view.url, '/loop', 'the URL did not move');
  await view.patch('/loop?n=1');
  t.ok(view.errors.filter((e) => e.code === 'LV_NAV_LOOP').length >= 2, 'a patch frame too');
  await view.close();
});
