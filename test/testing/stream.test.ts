/**
 * The test client shows streams (D82): `view.stream(name)` is the page's copy of a stream's
 * items — keys and HTML, in order — built from the frames it received, since the server keeps
 * none of them; `reconnect()` re-joins and the view's `onJoin` streams them again.
 */
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { FIXTURE_TEMPLATES } from '../live/harness.ts';
import { resetChat, streamRoutes } from '../live/fixtures/stream-views.ts';

const app = await createTestApp({ routes: streamRoutes, templatesDir: FIXTURE_TEMPLATES });
t.teardown(() => app.close());

t.test('stream(name): keys and HTML of the items the page holds', async (t) => {
  resetChat(3);
  const view = await app.mount('/chat');
  t.same(view.stream('messages').map((item) => item.key), ['1', '2', '3'], 'what onJoin streamed');
  t.equal(view.stream('messages')[0].html, '<li id="msg-1"><span>m1</span> <input id="edit-1" name="t1"></li>');
  await view.event('send', { text: 'hi', at: 0 });
  await view.event('remove', { id: 2 });
  t.same(view.stream('messages').map((item) => item.key), ['4', '1', '3']);
  t.equal(view.find('#msg-4 span')?.text, 'hi', 'the HTML shows them too');
  await view.event('person', { email: 'b@x', name: 'Bo' });
  t.same(view.stream('people'), [{ key: 'b@x', html: '<li id="p-b@x">Bo</li>' }]);
  t.same(view.stream('nosuch'), [], 'a stream the page does not show has no items');
  await view.event('keyless');
  t.same(view.errors.map((e) => e.code), ['LV_STREAM_ITEM_KEY']);
  t.same(view.stream('messages').map((item) => item.key), ['4', '1', '3'], 'the failed handler inserted nothing');

  await view.reconnect();
  t.same(view.stream('messages').map((item) => item.key), ['4', '1', '3'], 'after a reconnect, onJoin re-streamed the source');
  t.same(view.stream('people'), [], 'a stream the view does not re-stream is empty after a reconnect');
  await view.close();
});
