import t from 'tap';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer, type TestServer } from './harness.ts';

async function joined(s: TestServer, path: string) {
  const page = await getPage(s.url, path);
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  const reply = await client.join(1, page.view, page.token);
  return { client, reply, page };
}

t.test('events: replies carry only changed slots; a no-op sends a bare reply', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const { client } = await joined(s, '/counter');
  t.teardown(() => client.close());
  t.same(await client.event(1, 'inc'), [2, 'r', 2, 1, { 0: '1' }]);
  t.same(await client.event(1, 'noop'), [2, 'r', 3, 1], 'nothing changed: reply without a diff');
  t.same(await client.event(1, 'set', { value: '42' }), [2, 'r', 4, 1, { 0: '42' }], 'payload parsed by the declared schema');
});

t.test('an async handler blocks neither the socket nor other views, and ticks never overlap it', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const { client } = await joined(s, '/slow');
  t.teardown(() => client.close());
  client.send([2, 'e', 2, 1, 'slow', {}]);
  client.send([2, 'e', 3, 1, 'fast', {}]);
  const first = await client.next();
  const second = await client.next();
  t.equal(first[2], 2, 'the slow event is answered first');
  t.equal(second[2], 3, 'the fast event queued behind it, not dropped');
  const html = JSON.stringify([first, second]);
  t.notMatch(html, 'TICK-DURING-SLOW', 'no tick ran while the handler was in flight');
});

t.test('ticks push diffs; a tick that changes nothing sends nothing', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const { client } = await joined(s, '/ticker');
  t.teardown(() => client.close());
  const push = await client.next();
  t.equal(push[1], 'd', 'a tick diff');
  t.equal(push[2], 1, 'for view 1');
  t.same(Object.keys(push[3] as object), ['0'], 'only the changed slot');
  const reply = await client.event(1, 'freeze');
  // Drain ticks that raced the freeze, then expect silence.
  let frame = reply;
  while (frame[1] === 'd') frame = await client.next();
  t.same(frame.slice(0, 2), [2, 'r']);
  t.ok(await client.silentFor(200), 'ticks that change nothing send no frames');
});

t.test('sendSelf delivers to handleInfo and pushes the diff', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const { client } = await joined(s, '/info');
  t.teardown(() => client.close());
  t.same(await client.event(1, 'later'), [2, 'r', 2, 1]);
  const push = await client.next();
  t.same(push.slice(0, 3), [2, 'd', 1]);
  t.match(JSON.stringify(push[3]), 'hello');
});

t.test('keyed lists send only inserted, removed, moved and changed rows', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const { client, reply } = await joined(s, '/list');
  t.teardown(() => client.close());
  const root = reply[4] as Record<string, { k: string[] }>;
  t.same(root['0'].k, ['1', '2', '3'], 'keys in order');
  t.same(await client.event(1, 'insert', { at: 1, id: 4, name: 'Delta' }), [2, 'r', 2, 1, { 0: { m: [[1, '4']], e: { 4: { 0: '4', 1: 'Delta' } } } }]);
  t.same(await client.event(1, 'remove', { id: 2 }), [2, 'r', 3, 1, { 0: { d: ['2'] } }]);
  t.same(await client.event(1, 'move', { id: 3, to: 0 }), [2, 'r', 4, 1, { 0: { m: [[0, '3']] } }]);
  t.same(await client.event(1, 'rename', { id: 4, name: 'Delta²' }), [2, 'r', 5, 1, { 0: { e: { 4: { 1: 'Delta²' } } } }]);
});
