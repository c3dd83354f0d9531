/**
 * Diffs of the wrong shape fail the merge with the client's own error (found by the fuzzer,
 * test/fuzz/template-fuzz.ts). A RenderedError makes the client drop the socket and rejoin for a
 * fresh tree; any other exception escaped the frame handler and left the view stuck.
 */
import t from 'tap';
import { E_BAD_DIFF, mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';

function joined(): { r: Rendered; statics: StaticsCache } {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  const root: WireNode = { p: { page: ['<ul>', '</ul>'], row: ['<li>', '</li>'] }, s: 'page', 0: { s: 'row', k: ['a', 'b'], e: { a: { 0: 'A' }, b: { 0: 'B' } } } };
  mergeStatics(statics, root);
  r.merge(root, statics);
  return { r, statics };
}

t.test('list diffs of the wrong shape', async (t) => {
  const cases: Array<[string, WireNode]> = [
    ['m is not a list', { 0: { m: 7 } }],
    ['an m entry is not a pair', { 0: { m: ['a'] } }],
    ['an m index is not a whole number', { 0: { m: [['x', 'a']] } }],
    ['an m index is negative', { 0: { m: [[-1, 'a']] } }],
    ['an m key is not a string', { 0: { m: [[0, 1]] } }],
    ['d is not a list', { 0: { d: 'a' } }],
    ['a d key is not a string', { 0: { d: [{}] } }],
    ['e is not an object', { 0: { e: ['x'] } }],
    ['a full list\'s keys are not strings', { 0: { s: 'row', k: [null], e: {} } }],
    // The order forms of protocol 2 (D63): runs over the old order, and the whole new order.
    ['r is not a list', { 0: { r: 1 } }],
    ['an r run is negative', { 0: { r: [0, -1] } }],
    ['an r run is not a whole number', { 0: { r: [0.5, 1] } }],
    ['an r run is a string', { 0: { r: ['1'] } }],
    ['r runs past the end of the list', { 0: { r: [1, 2] } }],
    ['r beside d', { 0: { r: [0, 1], d: ['a'] } }],
    ['k keys are not strings', { 0: { k: [1] } }],
    ['k beside m', { 0: { k: ['a', 'b'], m: [[0, 'a']] } }],
    ['k beside d', { 0: { k: ['a'], d: ['b'] } }],
    ['k beside r', { 0: { k: ['a'], r: [1, 1] } }],
    ['a key twice in k', { 0: { k: ['a', 'a'] } }],
    ['a new key in k without an entry', { 0: { k: ['a', 'b', 'c'] } }],
    ['a new key in k whose entry is only inherited', { 0: { k: ['a', 'constructor'] } }],
    ['a key placed twice', { 0: { m: [[0, 'b'], [1, 'b']] } }],
    ['a key placed past the end', { 0: { m: [[5, 'c']], e: { c: { 0: 'C' } } } }],
    ['an entry for a key that d removed', { 0: { d: ['a'], e: { a: { 0: 'A2' } } } }],
    ['an entry for a key that r removed', { 0: { r: [0, 1], e: { a: { 0: 'A2' } } } }],
    ['an entry for a key k left out', { 0: { k: ['b'], e: { a: { 0: 'A2' } } } }],
    ['an entry for a key the list never had', { 0: { e: { zz: { 0: 'Z' } } } }],
    ['an entry that is not an object', { 0: { e: { a: 'A2' } } }],
  ];
  for (const [what, diff] of cases) {
    const { r, statics } = joined();
    t.throws(() => r.merge(diff, statics), { code: E_BAD_DIFF }, what);
    t.equal(r.toHTML(), '<ul><li>A</li><li>B</li></ul>', `${what}: the list is as it was`);
  }
});

t.test('statics that are not strings', async (t) => {
  for (const p of [{ f: [null] }, { f: [] }, { f: [1, 2] }, { f: [{}] }]) {
    t.throws(() => mergeStatics(new Map(), { p }), { code: E_BAD_DIFF }, JSON.stringify(p));
  }
});

t.test('well-formed diffs still merge', async (t) => {
  const { r, statics } = joined();
  r.merge({ 0: { d: ['a'], m: [[1, 'c']], e: { c: { 0: 'C' } } } }, statics);
  t.equal(r.toHTML(), '<ul><li>B</li><li>C</li></ul>');
  r.merge({ 0: { r: [0, 1], m: [[1, 'd']], e: { d: { 0: 'D' } } } }, statics);
  t.equal(r.toHTML(), '<ul><li>C</li><li>D</li></ul>', 'r drops by position');
  r.merge({ 0: { k: ['e', 'd'], e: { e: { 0: 'E' }, d: { 0: 'D2' } } } }, statics);
  t.equal(r.toHTML(), '<ul><li>E</li><li>D2</li></ul>', 'k: the whole order, a new entry in full and a changed one');
});

t.test('stream diffs of the wrong shape (D82)', async (t) => {
  const stream = (): { r: Rendered; statics: StaticsCache } => {
    const r = new Rendered();
    const statics: StaticsCache = new Map();
    const root: WireNode = { p: { page: ['<ul>', '</ul>'], row: ['<li>', '</li>'] }, s: 'page', 0: { s: 'row', k: ['a', 'b'], e: { a: { 0: 'A' }, b: { 0: 'B' } }, n: 'rows' } };
    mergeStatics(statics, root);
    r.merge(root, statics);
    return { r, statics };
  };
  const cases: Array<[string, WireNode]> = [
    ['i is not a list', { 0: { i: 7 } }],
    ['an i entry is not a pair', { 0: { i: ['a'], e: { a: { 0: 'A' } } } }],
    ['an i index below -1', { 0: { i: [[-2, 'c']], e: { c: { 0: 'C' } } } }],
    ['an i index is not a whole number', { 0: { i: [[0.5, 'c']], e: { c: { 0: 'C' } } } }],
    ['an i key is not a string', { 0: { i: [[0, 1]], e: { 1: { 0: 'C' } } } }],
    ['an inserted key without an entry', { 0: { i: [[0, 'c']] } }],
    ['an inserted key whose entry is only inherited', { 0: { i: [[0, 'constructor']], e: {} } }],
    ['an entry missing a slot', { 0: { i: [[0, 'c']], e: { c: {} } } }],
    ['d is not a list of keys', { 0: { d: [1] } }],
    ['l is not a whole number', { 0: { i: [], l: '2' } }],
    ['e is not an object', { 0: { i: [], e: [] } }],
  ];
  for (const [what, diff] of cases) {
    const { r, statics } = stream();
    t.throws(() => r.merge(diff, statics), { code: E_BAD_DIFF }, what);
    t.equal(r.toHTML(), '<ul><li>A</li><li>B</li></ul>', `${what}: the stream is as it was`);
  }
  const { r, statics } = stream();
  r.merge({ 0: { d: ['a', 'zz'], i: [[0, 'c'], [-1, 'b'], [9, 'd']], e: { c: { 0: 'C' }, b: { 0: 'B2' }, d: { 0: 'D' } }, l: -2 } }, statics);
  t.equal(r.toHTML(), '<ul><li>B2</li><li>D</li></ul>', 'well formed: unknown deletes ignored, an index past the end appends, the limit trims the front');
});
