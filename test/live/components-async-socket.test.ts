/**
 * Async live components on the wire (D84), frame by frame: the page's HTML already shows what an
 * async mount loaded; on the socket a new one arrives loading in the event's reply, and its data
 * comes in a push of its own diff only (root `c`); an event for it meanwhile is answered
 * LV_COMPONENT_LOADING; a failed load is an error frame LV_COMPONENT_FAILED (ref 0) and a push
 * showing `failed`, after which the view's and the other component's events still work; one
 * removed while loading sends nothing when its load ends.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { componentRoutes, components, hold } from './fixtures/components.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

const s = await startServer({ routes: componentRoutes, components, templatesDir: fileURLToPath(new URL('./fixtures/components/', import.meta.url)) });
t.teardown(() => s.close());

/** The cids a diff's `c` carries. */
const cids = (diff: unknown): number[] => Object.keys((diff as { c?: object }).c ?? {}).map(Number);
const text = (value: unknown): string => JSON.stringify(value);

t.test('frames', async (t) => {
  const page = await getPage(s.url, '/async');
  t.match(page.html, /<li>first-1<\/li><li>first-2<\/li>/, 'the first paint shows the loaded items');
  t.notMatch(page.html, /Loading/, 'and no loading state');
  const firstCid = Number(/lv-component="(\d+)"/.exec(page.html)?.[1]);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  await client.join(1, page.view, page.token);

  // A new component on the socket: loading in the reply, its data in a push of its own.
  const load = hold('w1');
  const shown = await client.event(1, 'show', { key: 'w1' });
  const [cid] = cids(shown[4]);
  t.ok(cid > 0, 'the reply brings the new component');
  t.match(text(shown[4]), /Loading/);
  client.send([2, 'e', client.nextRef(), 1, 'more', {}, cid]);
  const refused = await client.next();
  t.same([refused[1], refused[4]], ['x', 'LV_COMPONENT_LOADING'], 'an event while it loads is refused');
  load.release();
  const pushed = await client.next();
  t.equal(pushed[1], 'd', 'a push');
  t.same(Object.keys(pushed[3] as object), ['c'], 'only the component\'s diff');
  t.same(cids(pushed[3]), [cid]);
  t.match(text(pushed[3]), /w1-1/);
  client.send([2, 'e', client.nextRef(), 1, 'more', {}, cid]);
  t.equal((await client.next())[1], 'r', 'loaded: its event runs');

  // A failed load: an error frame with the code, then the component shows it; the rest goes on.
  await client.event(1, 'rekey', { key: 'w1' }); // no change of attributes: nothing happens
  await client.event(1, 'hide');
  const bad = await client.event(1, 'show', { key: 'bad-w' });
  const [badCid] = cids(bad[4]);
  const error = await client.next();
  t.same([error[1], error[2], error[4]], ['x', 0, 'LV_COMPONENT_FAILED']);
  const failed = await client.next();
  t.same(cids(failed[3]), [badCid]);
  t.match(text(failed[3]), /LV_COMPONENT_FAILED/, 'the component shows failed');
  t.equal((await client.event(1, 'inc'))[1], 'r', 'the view keeps working');
  client.send([2, 'e', client.nextRef(), 1, 'more', {}, firstCid]);
  t.equal((await client.next())[1], 'r', 'and so does the other component');

  // Removed while loading: its load ends, and nothing is sent for it.
  await client.event(1, 'hide');
  const late = hold('w2');
  const again = await client.event(1, 'show', { key: 'w2' });
  const [lateCid] = cids(again[4]);
  const hidden = await client.event(1, 'hide');
  t.same((hidden[4] as { c?: object }).c, { [lateCid]: null }, 'removed');
  late.release();
  const next = await client.event(1, 'inc');
  t.equal(next[1], 'r', 'the next frame is the reply to the next event: nothing for the removed component');
  t.notOk('c' in ((next[4] ?? {}) as object));
});
