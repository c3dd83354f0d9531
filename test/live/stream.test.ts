/**
 * Streams over a real socket (D82): the first paint shows what `mount` streamed; the join reply
 * carries what `onJoin` streamed as a full stream node; events send item operations only; a
 * stream error (no key, unknown stream, bad option) undoes the handler's other work and the
 * socket keeps working; a reconnect's join re-streams from the view's own source. With the Redis
 * state backend (write-through), nothing of a stream is stored: the saved state is the counter.
 */
import t from 'tap';
import { mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { LiveryRedis } from '../../server/redis/index.ts';
import { RedisStateBackend, stateKey } from '../../server/state/index.ts';
import { SHARED_REDIS_URL } from '../redis/shared-redis.ts';
import { chatSource, resetChat, streamRoutes } from './fixtures/stream-views.ts';
import { getPage, LiveClient, startServer, type Frame } from './harness.ts';

const redis = new LiveryRedis(SHARED_REDIS_URL, { name: 'test-streams' });
t.teardown(() => redis.close());
const backend = new RedisStateBackend({ redis, ttlSeconds: 600 });
const s = await startServer({ routes: streamRoutes, stateBackend: backend, pubsub: 'memory' });
t.teardown(() => s.close());

/** A page's merged tree, as the browser client keeps it. */
class Page {
  readonly statics: StaticsCache = new Map();
  readonly rendered = new Rendered();
  merge(diff: unknown): void {
    if (diff === undefined || diff === null) return;
    mergeStatics(this.statics, diff as WireNode);
    this.rendered.merge(diff as WireNode, this.statics);
  }
  get messages(): string[] {
    return [...this.rendered.toHTML().matchAll(/<li id="msg-(\d+)"><span>([^<]*)/g)].map((m) => `${m[1]}:${m[2]}`);
  }
}

/** The stream's node in a diff: slot 1 of the root (the loop over `streams.messages`). */
const streamPart = (frame: Frame) => (frame[4] as Record<string, unknown>)[1];

t.test('first paint, join, inserts, deletes, replacement and reconnect', async (t) => {
  resetChat(5);
  const page = await getPage(s.url, '/chat');
  t.match(page.html, /<ul id="messages"><li id="msg-3">.*<li id="msg-4">.*<li id="msg-5">.*<\/ul>/s, 'the first paint shows what mount streamed');
  t.notMatch(page.html, /msg-2"/, 'and only that');
  const instance = /id="lv-([^"]+)" data-lv-view/.exec(page.html)![1];
  const key = stateKey('public', instance);
  t.teardown(() => redis.call('DEL', key));

  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  const view = new Page();
  const joined = await client.join(1, page.view, page.token);
  t.equal(joined[1], 'r');
  const token = (joined[4] as { t: string }).t;
  const node = streamPart(joined) as Record<string, unknown>;
  t.same([node.n, node.k], ['messages', ['1', '2', '3', '4', '5']], 'the join reply is a full stream node of what onJoin streamed');
  view.merge(joined[4]);
  t.same(view.messages, ['1:m1', '2:m2', '3:m3', '4:m4', '5:m5']);

  let reply = await client.event(1, 'send', { text: 'hello' });
  t.same(streamPart(reply), { i: [[-1, '6']], e: { 6: { 0: '6', 1: 'hello', 2: '6', 3: '6' } } }, 'an insert sends that item alone');
  view.merge(reply[4]);
  reply = await client.event(1, 'send', { text: 'first', at: 0 });
  view.merge(reply[4]);
  reply = await client.event(1, 'remove', { id: 3 });
  t.same(streamPart(reply), { d: ['3'] }, 'a delete sends the key');
  view.merge(reply[4]);
  reply = await client.event(1, 'edit', { id: 2, text: 'M2' });
  view.merge(reply[4]);
  t.same(view.messages, ['7:first', '1:m1', '2:M2', '4:m4', '5:m5', '6:hello'], 'prepended, deleted, replaced in place');
  reply = await client.event(1, 'send', { text: 'last', limit: -3 });
  t.same(streamPart(reply), { i: [[-1, '8']], e: { 8: { 0: '8', 1: 'last', 2: '8', 3: '8' } }, l: -3 });
  view.merge(reply[4]);
  t.same(view.messages, ['5:m5', '6:hello', '8:last'], 'the limit trims the page\'s items from the other end');

  const stored = JSON.parse((await backend.get(key))!) as unknown;
  t.same(stored, { count: 7 }, 'the stored state is the view\'s state only: nothing of the stream');

  // The socket drops; a new one joins with the latest token: onJoin streams the source again.
  await client.close();
  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  const rejoined = await again.join(1, page.view, token);
  const fresh = new Page();
  fresh.merge(rejoined[4]);
  t.same(fresh.messages, ['7:first', '1:m1', '2:M2', '4:m4', '5:m5', '6:hello', '8:last'], 'the reconnect re-streams from the view\'s own source');
  t.match(fresh.rendered.toHTML(), /<p id="count">7<\/p>/, 'and the state is the one saved');
});

t.test('stream errors undo the handler and leave the socket working', async (t) => {
  resetChat(2);
  const page = await getPage(s.url, '/chat');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  const view = new Page();
  view.merge((await client.join(1, page.view, page.token))[4]);
  const before = view.rendered.toHTML();
  for (const [event, code] of [['keyless', 'LV_STREAM_ITEM_KEY'], ['nosuch', 'LV_STREAM_UNKNOWN'], ['badAt', 'LV_STREAM_OPTIONS_INVALID']] as const) {
    const frame = await client.event(1, event);
    t.same([frame[1], frame[4]], ['x', code], `${event}: ${code}`);
  }
  t.ok(await client.silentFor(200), 'the undone changes (count, the item inserted before the failure) sent nothing');
  const reply = await client.event(1, 'send', { text: 'still here' });
  view.merge(reply[4]);
  t.equal(view.rendered.toHTML(), before.replace('<p id="count">2</p>', '<p id="count">3</p>').replace('</ul>', '<li id="msg-3"><span>still here</span> <input id="edit-3" name="t3"></li></ul>'), 'the next event works; the failed ones left no trace');
  t.same(chatSource.messages.map((m) => m.id), [1, 2, 3]);
  const people = await client.event(1, 'person', { email: 'a@x', name: 'Ann' });
  t.same((people[4] as Record<string, unknown>)[2], { i: [[0, 'a@x']], e: { 'a@x': { 0: 'a@x', 1: 'Ann' } } }, 'a declared key function keys the items');
});
