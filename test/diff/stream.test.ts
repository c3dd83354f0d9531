/**
 * Streams in the diff engine (D82): a loop over `streams.<name>` renders only the pending
 * operations — a full node (with `n`) the first time and for a reset, item operations (`d`, `i`,
 * `e`, `l`) after that — keeps no items in the server's tree, and the client's merge of those
 * frames gives the page the expected items in the expected order. Exact wire throughout.
 */
import t from 'tap';
import { mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, Stream, updateBlock, type RBlock } from '../../server/diff/index.ts';
import { compileTemplate, createScope, renderToString } from '../../server/template/index.ts';

const template = compileTemplate('<ul>{% for m in streams.messages %}<li id="m-{{ m.id }}">{{ m.text }}</li>{% endfor %}</ul><p>{{ title }}</p>', { name: 'stream.html' });
const body = (template.root.slots[0] as unknown as { body: { fp: string } }).body.fp;
const root = template.root.fp;

function setup() {
  const stream = new Stream('messages');
  const state = { title: 'T' };
  const scope = createScope(state, { streams: { messages: stream } });
  const statics = new StaticsCollector();
  const cache: StaticsCache = new Map();
  const client = new Rendered();
  const receive = (diff: WireNode | undefined) => {
    if (diff === undefined) return;
    mergeStatics(cache, diff);
    client.merge(diff, cache);
  };
  return { stream, state, scope, statics, client, receive };
}

const msg = (id: number, text: string) => ({ id, text });
const ids = (html: string) => [...html.matchAll(/id="m-(\d+)">([^<]*)/g)].map((m) => `${m[1]}:${m[2]}`);

t.test('first render, inserts, deletes, replacement, limit and reset on the wire', async (t) => {
  const { stream, scope, statics, client, receive, state } = setup();
  stream.insert('1', msg(1, 'a'), -1, undefined);
  stream.insert('2', msg(2, 'b'), -1, undefined);
  t.equal(renderToString(template, scope), '<ul><li id="m-1">a</li><li id="m-2">b</li></ul><p>T</p>', 'the first paint shows the pending items');
  const tree: RBlock = renderBlock(template.root, scope);
  const full = statics.attachTo(encodeRoot(tree, statics))!;
  stream.clear();
  t.same(full, {
    s: root,
    0: { s: body, k: ['1', '2'], e: { 1: { 0: '1', 1: 'a' }, 2: { 0: '2', 1: 'b' } }, n: 'messages' },
    1: 'T',
    p: full.p,
  });
  t.same(Object.keys(full.p as object).sort(), [root, body].sort());
  receive(full);
  t.same(ids(client.toHTML()), ['1:a', '2:b']);
  t.same(tree.values[0], { streamBody: template.root.slots[0] && (template.root.slots[0] as never as { body: unknown }).body, name: 'messages', fresh: undefined }, 'the tree keeps no items');

  const changed = new Set(['streams']);
  t.equal(updateBlock(tree, scope, changed, statics), undefined, 'no operations: no diff');
  state.title = 'U';
  t.same(updateBlock(tree, scope, new Set(['title']), statics), { 1: 'U' }, 'other slots diff as before');

  stream.insert('3', msg(3, 'c'), 0, undefined);
  stream.delete('1');
  let diff = updateBlock(tree, scope, changed, statics);
  stream.clear();
  t.same(diff, { 0: { d: ['1'], i: [[0, '3']], e: { 3: { 0: '3', 1: 'c' } } } }, 'prepend and delete');
  receive(diff);
  t.same(ids(client.toHTML()), ['3:c', '2:b']);

  stream.insert('2', msg(2, 'B'), -1, undefined);
  stream.insert('4', msg(4, 'd'), 1, undefined);
  diff = updateBlock(tree, scope, changed, statics);
  stream.clear();
  t.same(diff, { 0: { i: [[-1, '2'], [1, '4']], e: { 2: { 0: '2', 1: 'B' }, 4: { 0: '4', 1: 'd' } } } }, 'a key the client holds is sent as an insert');
  receive(diff);
  t.same(ids(client.toHTML()), ['3:c', '4:d', '2:B'], 'replaced where it stands; inserted at an index');

  stream.insert('5', msg(5, 'e'), -1, -2);
  diff = updateBlock(tree, scope, changed, statics);
  stream.clear();
  t.same(diff, { 0: { i: [[-1, '5']], e: { 5: { 0: '5', 1: 'e' } }, l: -2 } }, 'limit travels as l');
  receive(diff);
  t.same(ids(client.toHTML()), ['2:B', '5:e'], 'a negative limit keeps the last items');

  stream.insert('6', msg(6, 'f'), 0, 2);
  receive(updateBlock(tree, scope, changed, statics));
  stream.clear();
  t.same(ids(client.toHTML()), ['6:f', '2:B'], 'a positive limit keeps the first items');

  stream.insert('7', msg(7, 'g'), -1, undefined);
  stream.reset();
  stream.insert('8', msg(8, 'h'), -1, undefined);
  stream.insert('9', msg(9, 'i'), 0, undefined);
  diff = updateBlock(tree, scope, changed, statics);
  stream.clear();
  t.same(diff, { 0: { s: body, k: ['9', '8'], e: { 8: { 0: '8', 1: 'h' }, 9: { 0: '9', 1: 'i' } }, n: 'messages' } }, 'a reset is a full node of what follows it');
  receive(diff);
  t.same(ids(client.toHTML()), ['9:i', '8:h']);
  t.same(tree.values[0], { streamBody: (template.root.slots[0] as never as { body: unknown }).body, name: 'messages', fresh: undefined }, 'still no items on the server');
});

t.test('coalescing within one render: insert then delete, delete then insert', async (t) => {
  const { stream, scope, statics, receive, client } = setup();
  const tree = renderBlock(template.root, scope);
  receive(statics.attachTo(encodeRoot(tree, statics)));
  stream.insert('1', msg(1, 'a'), -1, undefined);
  stream.insert('2', msg(2, 'b'), -1, undefined);
  receive(updateBlock(tree, scope, new Set(['streams']), statics));
  stream.clear();
  stream.insert('3', msg(3, 'c'), -1, undefined);
  stream.delete('3');
  stream.delete('1');
  stream.insert('1', msg(1, 'A'), -1, undefined);
  const diff = updateBlock(tree, scope, new Set(['streams']), statics);
  t.same(diff, { 0: { d: ['3', '1'], i: [[-1, '1']], e: { 1: { 0: '1', 1: 'A' } } } });
  receive(diff);
  t.same(ids(client.toHTML()), ['2:b', '1:A'], 'deleted, then appended anew');
});

t.test('the client refuses malformed stream diffs before changing anything', async (t) => {
  const { stream, scope, statics, receive, client } = setup();
  stream.insert('1', msg(1, 'a'), -1, undefined);
  const tree = renderBlock(template.root, scope);
  receive(statics.attachTo(encodeRoot(tree, statics)));
  const before = client.toHTML();
  const cache: StaticsCache = new Map([[root, template.root.statics], [body, (template.root.slots[0] as never as { body: { statics: readonly string[] } }).body.statics]]);
  for (const bad of [
    { i: [[-2, '2']], e: { 2: { 0: '2', 1: 'x' } } },
    { i: [[0, '2']] },
    { i: [5], e: {} },
    { i: [[0, 2]], e: { 2: { 0: '2', 1: 'x' } } },
    { d: [1] },
    { i: [], l: 1.5 },
    { i: [[0, 'constructor']], e: {} },
  ]) {
    t.throws(() => client.merge({ 0: bad }, cache), { code: 'LV_CLIENT_BAD_DIFF' }, JSON.stringify(bad));
    t.equal(client.toHTML(), before, 'unchanged');
  }
});
