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
  ];
  for (const [what, diff] of cases) {
    const { r, statics } = joined();
    t.throws(() => r.merge(diff, statics), { code: E_BAD_DIFF }, what);
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
});
