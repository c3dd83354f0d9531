/**
 * Broadcasts render once (D65): the views a topic message reaches render once per group of views
 * whose diff can only come out the same, and each still gets exactly its own diff — with its vid,
 * the statics its socket lacks, and a server-side tree that stays in step with the client's.
 */
import t, { type Test } from 'tap';
import { K_TEMPLATES, K_TOKEN } from '../../server/protocol/index.ts';
import { broadcastRoutes } from './fixtures/broadcast-views.ts';
import { getPage, LiveClient, startServer, type TestServer } from './harness.ts';

async function joined(t: Test, s: TestServer, path: string, cookie?: string) {
  const page = await getPage(s.url, path, cookie);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const reply = await client.join(1, page.view, page.token);
  t.equal(reply[1], 'r', `joined ${path}`);
  return { client, reply, page };
}

async function started(t: Test): Promise<TestServer> {
  const s = await startServer({ routes: broadcastRoutes });
  t.teardown(() => s.close());
  return s;
}

const renders = (s: TestServer) => s.server.app.livery.runtime.counters.renders;

/** A board's diff for a post of `value` (`n` = value) with its detail shown and offset 0. */
const shown = (value: string, total = value) => ({ 0: value, 1: { 0: value }, 2: total });

t.test('a broadcast to many views renders once, and every view gets the same frame', async (t) => {
  const s = await started(t);
  const boards = await Promise.all(Array.from({ length: 12 }, () => joined(t, s, '/board')));
  const { client: publisher } = await joined(t, s, '/publisher');
  let before = renders(s);
  // The pushes go out inside the publish, before the publisher's reply.
  t.same(await publisher.event(1, 'post', { value: '7', n: 7 }), [2, 'r', 2, 1]);
  t.equal(renders(s) - before, 1, 'one render for twelve subscribed views');
  for (const { client } of boards) t.same(await client.next(), [2, 'd', 1, shown('7')]);

  // Every tree took the shared diff: the same post again changes nothing on those boards, so the
  // next frame each gets is the one for 8. A board that joined meanwhile still shows "-": the same
  // post changes its slots, so it renders on its own and gets the whole change.
  const late = await joined(t, s, '/board');
  before = renders(s);
  await publisher.event(1, 'post', { value: '7', n: 7 });
  t.equal(renders(s) - before, 2, 'one render for the twelve (nothing to send), one for the late board');
  t.same(await late.client.next(), [2, 'd', 1, shown('7')]);
  before = renders(s);
  await publisher.event(1, 'post', { value: '8', n: 8 });
  t.equal(renders(s) - before, 1, 'all thirteen alike again: one render');
  for (const { client } of [...boards, late]) t.same(await client.next(), [2, 'd', 1, shown('8')], 'no frame for the repeated 7');
});

t.test('views whose state, vid or statics differ each get their own correct diff', async (t) => {
  const s = await started(t);
  const a = await joined(t, s, '/board');
  const detailFp = ((a.reply[4] as Record<string, Record<string, string>>)['1']).s;
  const offset = await joined(t, s, '/board');
  t.same(await offset.client.event(1, 'offset', { by: 5 }), [2, 'r', 2, 1]);
  const hidden = await joined(t, s, '/board');
  t.same(await hidden.client.event(1, 'toggle'), [2, 'r', 2, 1, { 1: '' }]);
  const noted = await joined(t, s, '/board');
  t.same(await noted.client.event(1, 'note', { text: 'x' }), [2, 'r', 2, 1, { 1: { 1: 'x' } }]);
  // A second board on a's socket (vid 2), and one mounted hidden whose socket never got the detail's statics.
  const second = await getPage(s.url, '/board', a.page.cookie);
  t.equal((await a.client.join(2, second.view, second.token))[1], 'r');
  const never = await joined(t, s, '/board-hidden');
  t.notOk(JSON.stringify(never.reply).includes(detailFp), 'the hidden board has not received the detail block');
  const { client: publisher } = await joined(t, s, '/publisher');

  let before = renders(s);
  await publisher.event(1, 'post', { value: '3', n: 3 });
  t.same(await a.client.next(), [2, 'd', 1, shown('3')]);
  t.same(await a.client.next(), [2, 'd', 2, shown('3')], 'the same diff under its own vid');
  t.same(await offset.client.next(), [2, 'd', 1, shown('3', '8')], 'its own total');
  t.same(await hidden.client.next(), [2, 'd', 1, { 0: '3', 2: '3' }], 'nothing for the hidden detail');
  t.same(await noted.client.next(), [2, 'd', 1, shown('3')]);
  t.same(await never.client.next(), [2, 'd', 1, { 0: '3', 2: '3' }]);
  // a's two boards share a render, and so do the two hidden ones; the offset board and the one
  // with another note (its detail reads `note`) differ in an input their diffs read.
  t.equal(renders(s) - before, 4, 'one render per group of equal inputs, not per view');

  // Showing the detail builds a block for the hidden boards: each renders on its own, and only the
  // socket that never had the block's statics gets them.
  before = renders(s);
  await publisher.event(1, 'post', { value: '4', n: 4, show: true });
  t.same(await a.client.next(), [2, 'd', 1, shown('4')]);
  t.same(await a.client.next(), [2, 'd', 2, shown('4')]);
  t.same(await offset.client.next(), [2, 'd', 1, shown('4', '9')]);
  t.same(await noted.client.next(), [2, 'd', 1, shown('4')]);
  const block = { s: detailFp, 0: '4', 1: 'n' };
  t.same(await hidden.client.next(), [2, 'd', 1, { 0: '4', 1: block, 2: '4' }], 'statics it already has are not sent again');
  const first = await never.client.next();
  t.same(first.slice(0, 3), [2, 'd', 1]);
  t.match(first[3], { 0: '4', 1: block, 2: '4', [K_TEMPLATES]: { [detailFp]: Array } }, 'the statics its socket lacks travel with its diff');
  t.equal(renders(s) - before, 5, 'a and its second board share; the others differ');
});

t.test('a reconnecting socket gets its statics again, then the shared frames', async (t) => {
  const s = await started(t);
  const a = await joined(t, s, '/board');
  const b = await joined(t, s, '/board');
  const { client: publisher } = await joined(t, s, '/publisher');
  await publisher.event(1, 'post', { value: '1', n: 1 });
  t.same(await a.client.next(), [2, 'd', 1, shown('1')]);
  t.same(await b.client.next(), [2, 'd', 1, shown('1')]);

  await a.client.close();
  const again = await LiveClient.open(s.url, { cookie: a.page.cookie });
  t.teardown(() => again.close());
  const token = (a.reply[4] as Record<string, string>)[K_TOKEN];
  const rejoined = await again.join(1, a.page.view, token);
  t.equal(rejoined[1], 'r', 'rejoined');
  const root = rejoined[4] as Record<string, unknown>;
  t.match(root, { 0: '1', 1: { 0: '1', 1: 'n' }, 2: '1' }, 'the state it had');
  t.equal(Object.keys(root[K_TEMPLATES] as object).length, 2, 'a new socket gets every fingerprint again (D3): the root and the detail');

  const before = renders(s);
  await publisher.event(1, 'post', { value: '2', n: 2 });
  t.same(await again.next(), [2, 'd', 1, shown('2')]);
  t.same(await b.client.next(), [2, 'd', 1, shown('2')]);
  t.equal(renders(s) - before, 1, 'the rejoined view shares the render again');
});

t.test('a view busy when the message arrives handles it after, with its own correct diff', async (t) => {
  const s = await started(t);
  const poster = await joined(t, s, '/board');
  const other = await joined(t, s, '/board');
  const before = renders(s);
  // The poster's own handler is running (awaiting the publish) when the message reaches it.
  t.same(await poster.client.event(1, 'post', { value: '5', n: 5 }), [2, 'r', 2, 1], 'the post is answered first');
  t.same(await poster.client.next(), [2, 'd', 1, shown('5')], 'then the message it queued behind it');
  t.same(await other.client.next(), [2, 'd', 1, shown('5')]);
  t.equal(renders(s) - before, 2, 'the busy view renders on its own, after its handler');
});

t.test('a message JSON cannot carry still fails the handler that broadcasts it', async (t) => {
  const s = await started(t);
  const board = await joined(t, s, '/board');
  const { client: publisher } = await joined(t, s, '/publisher');
  const failed = await publisher.event(1, 'unsendable');
  t.same(failed.slice(0, 5), [2, 'x', 2, 1, 'LV_HANDLER_FAILED'], 'the handler saw the rejection (and its change was rolled back)');
  t.ok(await board.client.silentFor(100), 'nothing reached the board');
});

