// The tree side of row patching (D62): which lists a whole morph maps, and which rows a diff changes.
import t from 'tap';
import { changedRows, MARK, markedHTML, rowsOnly } from '../../client/partial.ts';
import { mergeStatics, Rendered, type List, type StaticsCache, type WireNode } from '../../client/rendered.ts';

const P = {
  page: ['<h1>', '</h1><table><tbody>', '</tbody></table>', ''],
  row: ['\n  <tr><th>', '</th><td>', '</td></tr>'],
  more: ['<p>', '</p><ul>', '</ul>'],
  li: ['<li>', '</li>'],
  group: ['<section><h2>', '</h2><ol>', '</ol></section>'],
};

function joined(root: WireNode): { r: Rendered; statics: StaticsCache; merge(diff: WireNode): ReturnType<typeof changedRows> } {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  const merge = (diff: WireNode) => {
    mergeStatics(statics, diff);
    r.merge(diff, statics);
    return changedRows(r.root!, diff);
  };
  merge({ p: P, ...root });
  return { r, statics, merge };
}

const rows = (n: number) => ({ s: 'row', k: Array.from({ length: n }, (_, i) => String(i)), e: Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { 0: String(i), 1: `v${i}` }])) });
const table = (n: number, more: unknown = '') => ({ s: 'page', 0: 'Title', 1: rows(n), 2: more });

t.test('markedHTML brackets each list outside list items, in document order', async (t) => {
  const { r } = joined(table(2, { s: 'more', 0: 'x', 1: { s: 'li', k: ['a'], e: { a: { 0: 'A' } } } }));
  const { html, lists } = markedHTML(r);
  const o = `<!--${MARK}-->`;
  const c = o;
  t.equal(html, `<h1>Title</h1><table><tbody>${o}\n  <tr><th>0</th><td>v0</td></tr>\n  <tr><th>1</th><td>v1</td></tr>${c}</tbody></table><p>x</p><ul>${o}<li>A</li>${c}</ul>`);
  t.same(lists.map((l) => l.keys), [['0', '1'], ['a']], 'the table rows, then the list in the block');
  t.equal(html.replaceAll(o, ''), r.toHTML(), 'without the markers it is the view\'s HTML');
});

t.test('lists inside list items are not bracketed: their item is the row', async (t) => {
  const { r } = joined({ s: 'page', 0: 'T', 1: '', 2: { s: 'group', k: ['g'], e: { g: { 0: 'G', 1: { s: 'li', k: ['1'], e: { 1: { 0: 'one' } } } } } } });
  const { html, lists } = markedHTML(r);
  t.equal(lists.length, 1);
  t.equal(html.split(`<!--${MARK}-->`).length, 3, 'one marker pair');
  t.match(html, '<ol><li>one</li></ol>');
});

t.test('rowsOnly: items whose statics open and close with a tag, whitespace around', async (t) => {
  const list = (st: string[]) => ({ st, keys: [], items: new Map() }) as List;
  t.ok(rowsOnly(list(['<tr><td>', '</td></tr>'])));
  t.ok(rowsOnly(list(['\n  <li class="x">', '</li>\n'])));
  t.ok(rowsOnly(list(['<img src="', '">'])));
  t.notOk(rowsOnly(list(['', '<br>'])), 'a slot before the first tag');
  t.notOk(rowsOnly(list(['<b>', '</b>', ''])), 'a slot after the last tag');
  t.notOk(rowsOnly(list(['text <b>', '</b>'])), 'text first');
  t.notOk(rowsOnly(list(['<b>', '</b> text'])), 'text last');
  t.notOk(rowsOnly(list(['<!-- c --><b>', '</b>'])), 'a comment first');
  t.notOk(rowsOnly(list(['<option value="', '">', '</option>'])), 'options: a select re-selects through all of them');
  t.notOk(rowsOnly(list(['<optgroup label="', '"></optgroup>'])));
});

t.test('changedRows: a diff that changes only slots of existing rows names those rows', async (t) => {
  const { r, merge } = joined(table(5));
  const changed = merge({ 1: { e: { 3: { 1: 'new' }, 1: { 0: 'one' } } } });
  t.same(changed?.map(([list, item]) => [list.keys.length, r.itemHTML(list, item)]), [[5, '\n  <tr><th>one</th><td>v1</td></tr>'], [5, '\n  <tr><th>3</th><td>new</td></tr>']]);
  t.same(merge({ 1: { e: {} } }), [], 'an empty change: no rows');
  t.same(merge({ h: 'a title', f: { info: 'x' }, t: 'tok' }), [], 'page keys are not slots');
});

t.test('changedRows: through blocks merged in place, to a list inside a block', async (t) => {
  const { merge } = joined(table(1, { s: 'more', 0: 'x', 1: { s: 'li', k: ['a', 'b'], e: { a: { 0: 'A' }, b: { 0: 'B' } } } }));
  const changed = merge({ 2: { 1: { e: { b: { 0: 'Bee' } } } } });
  t.equal(changed?.length, 1);
  t.same(changed?.[0][1].v, ['Bee']);
});

t.test('changedRows: anything else is the whole view\'s', async (t) => {
  const cases: Array<[string, WireNode]> = [
    ['a string slot', { 0: 'New title' }],
    ['a string slot beside a row change', { 0: 'New title', 1: { e: { 0: { 1: 'x' } } } }],
    ['a removed key', { 1: { d: ['2'] } }],
    ['a moved key', { 1: { m: [[0, '4']] } }],
    ['an inserted key', { 1: { m: [[0, 'new']], e: { new: { 0: 'n', 1: 'N' } } } }],
    ['a replaced list', { 1: { s: 'row', k: ['z'], e: { z: { 0: 'z', 1: 'Z' } } } }],
    ['a new node in a block', { 2: { s: 'li', k: [], e: {} } }],
    ['a whole root (join, navigate)', table(3)],
  ];
  for (const [what, diff] of cases) {
    const { merge } = joined(table(5));
    t.equal(merge(diff), undefined, what);
  }
  const nested = joined(table(1, { s: 'more', 0: 'x', 1: { s: 'li', k: ['a'], e: { a: { 0: 'A' } } } }));
  t.equal(nested.merge({ 2: { 0: 'y', 1: { e: { a: { 0: 'Ay' } } } } }), undefined, 'a string in a block on the way');
});

t.test('changedRows: a change inside a nested list names the outer row', async (t) => {
  const { r, merge } = joined({ s: 'page', 0: 'T', 1: '', 2: { s: 'group', k: ['g', 'h'], e: { g: { 0: 'G', 1: { s: 'li', k: ['1'], e: { 1: { 0: 'one' } } } }, h: { 0: 'H', 1: '' } } } });
  const changed = merge({ 2: { e: { g: { 1: { m: [[0, '2']], e: { 2: { 0: 'two' } } } } } } });
  t.equal(changed?.length, 1);
  const [list, item] = changed![0];
  t.equal(r.itemHTML(list, item), '<section><h2>G</h2><ol><li>two</li><li>one</li></ol></section>');
});

t.test('itemHTML is memoized like every node: a row change rebuilds that row only', async (t) => {
  const { r, merge } = joined(table(1000));
  r.toHTML();
  const before = r.builds;
  const [[list, item]] = merge({ 1: { e: { 500: { 1: 'changed' } } } })!;
  t.equal(r.itemHTML(list, item), '\n  <tr><th>500</th><td>changed</td></tr>');
  t.equal(r.itemHTML(list, item), '\n  <tr><th>500</th><td>changed</td></tr>');
  t.equal(r.builds - before, 1, 'one build for the row, none for the root or the list');
});
