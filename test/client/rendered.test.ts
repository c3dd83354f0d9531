import t from 'tap';
import {
  E_BAD_DIFF,
  E_UNKNOWN_FINGERPRINT,
  mergeStatics,
  Rendered,
  RenderedError,
  type StaticsCache,
  type WireNode,
} from '../../client/rendered.ts';

/** Applies a root diff the way the client does: `p` into the socket's cache, then the tree. */
function apply(r: Rendered, statics: StaticsCache, diff: WireNode): string {
  mergeStatics(statics, diff);
  r.merge(diff, statics);
  return r.toHTML();
}

const P = {
  page: ['<h1>', '</h1><ul>', '</ul>'],
  row: ['<li>', '</li>'],
  yes: ['<b>', '</b>'],
  no: ['<i>no</i>'],
};

function join(items: Record<string, string>): { r: Rendered; statics: StaticsCache; html: string } {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  const e: Record<string, WireNode> = {};
  for (const [k, v] of Object.entries(items)) e[k] = { 0: v };
  const html = apply(r, statics, { p: P, s: 'page', 0: 'Acme', 1: { s: 'row', k: Object.keys(items), e }, t: 'tok' });
  return { r, statics, html };
}

t.test('a join renders the full tree with statics from p', async (t) => {
  const { html, statics } = join({ 7: 'Alpha', 9: 'Beta' });
  t.equal(html, '<h1>Acme</h1><ul><li>Alpha</li><li>Beta</li></ul>');
  t.same(statics.get('row'), ['<li>', '</li>'], 'p is kept in the socket cache');
});

t.test('statics from an earlier frame are reused (sent once per socket)', async (t) => {
  const { r, statics } = join({});
  const html = apply(r, statics, { 1: { s: 'yes', 0: 'x' } });
  t.equal(html, '<h1>Acme</h1><ul><b>x</b></ul>');
});

t.test('a string slot diff replaces only that slot', async (t) => {
  const { r, statics } = join({ 7: 'Alpha' });
  t.equal(apply(r, statics, { 0: 'Acme &amp; Co' }), '<h1>Acme &amp; Co</h1><ul><li>Alpha</li></ul>');
});

t.test('a nested block diff without s merges into the block', async (t) => {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  apply(r, statics, {
    p: { outer: ['<div>', '|', '</div>'], inner: ['<p>', ':', '</p>'] },
    s: 'outer',
    0: 'a',
    1: { s: 'inner', 0: 'x', 1: 'y' },
  });
  t.equal(apply(r, statics, { 1: { 1: 'Y' } }), '<div>a|<p>x:Y</p></div>');
});

t.test('a node with s switches branch; "" renders nothing', async (t) => {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  apply(r, statics, { p: { root: ['[', ']'], yes: P.yes }, s: 'root', 0: { s: 'yes', 0: 'on' } });
  t.equal(r.toHTML(), '[<b>on</b>]');
  t.equal(apply(r, statics, { p: { no: P.no }, 0: { s: 'no' } }), '[<i>no</i>]');
  t.equal(apply(r, statics, { 0: '' }), '[]');
  t.equal(apply(r, statics, { 0: { s: 'yes', 0: 'again' } }), '[<b>again</b>]');
});

t.test('list diffs: d, m, e', async (t) => {
  t.test('the protocol example: insert 4 at 1, remove 2, move 9 to the front', async (t) => {
    const { r, statics } = join({ 1: 'One', 2: 'Two', 3: 'Three', 9: 'Nine' });
    const html = apply(r, statics, { 1: { d: ['2'], m: [[0, '9'], [1, '4']], e: { 4: { 0: 'Delta' } } } });
    t.equal(html, '<h1>Acme</h1><ul><li>Nine</li><li>Delta</li><li>One</li><li>Three</li></ul>');
  });

  t.test('a single insert costs one m entry', async (t) => {
    const { r, statics } = join({ a: 'A', b: 'B', c: 'C' });
    const html = apply(r, statics, { 1: { m: [[2, 'x']], e: { x: { 0: 'X' } } } });
    t.equal(html, '<h1>Acme</h1><ul><li>A</li><li>B</li><li>X</li><li>C</li></ul>');
  });

  t.test('a single move costs one m entry; other keys keep their order', async (t) => {
    const { r, statics } = join({ a: 'A', b: 'B', c: 'C', d: 'D' });
    t.equal(apply(r, statics, { 1: { m: [[3, 'a']] } }), '<h1>Acme</h1><ul><li>B</li><li>C</li><li>D</li><li>A</li></ul>');
    t.equal(apply(r, statics, { 1: { m: [[0, 'd']] } }), '<h1>Acme</h1><ul><li>D</li><li>B</li><li>C</li><li>A</li></ul>');
  });

  t.test('appends at the end and removals', async (t) => {
    const { r, statics } = join({ a: 'A', b: 'B' });
    t.equal(apply(r, statics, { 1: { m: [[2, 'c']], e: { c: { 0: 'C' } } } }), '<h1>Acme</h1><ul><li>A</li><li>B</li><li>C</li></ul>');
    t.equal(apply(r, statics, { 1: { d: ['a', 'c'] } }), '<h1>Acme</h1><ul><li>B</li></ul>');
  });

  t.test('e alone changes slots of existing keys', async (t) => {
    const { r, statics } = join({ a: 'A', b: 'B' });
    t.equal(apply(r, statics, { 1: { e: { b: { 0: 'Bee' } } } }), '<h1>Acme</h1><ul><li>A</li><li>Bee</li></ul>');
  });

  t.test('a removed key re-inserted in the same diff is a fresh item', async (t) => {
    const { r, statics } = join({ a: 'A', b: 'B' });
    t.equal(apply(r, statics, { 1: { d: ['a'], m: [[1, 'a']], e: { a: { 0: 'new A' } } } }), '<h1>Acme</h1><ul><li>B</li><li>new A</li></ul>');
  });
});

t.test('a list replaced by an empty-block node and back', async (t) => {
  const { r, statics } = join({ a: 'A' });
  const empty = apply(r, statics, { p: { none: ['<li>nothing yet</li>'] }, 1: { s: 'none' } });
  t.equal(empty, '<h1>Acme</h1><ul><li>nothing yet</li></ul>');
  const back = apply(r, statics, { 1: { s: 'row', k: ['z'], e: { z: { 0: 'Zed' } } } });
  t.equal(back, '<h1>Acme</h1><ul><li>Zed</li></ul>');
  t.equal(apply(r, statics, { 1: { m: [[0, 'y']], e: { y: { 0: 'Why' } } } }), '<h1>Acme</h1><ul><li>Why</li><li>Zed</li></ul>');
  t.equal(apply(r, statics, { 1: { s: 'row', k: [], e: {} } }), '<h1>Acme</h1><ul></ul>', 'an empty full list renders nothing');
});

t.test('nested lists inside list items', async (t) => {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  apply(r, statics, {
    p: { root: ['<ul>', '</ul>'], group: ['<li>', '<ol>', '</ol></li>'], tag: ['<i>', '</i>'] },
    s: 'root',
    0: { s: 'group', k: ['g'], e: { g: { 0: 'G', 1: { s: 'tag', k: ['1'], e: { 1: { 0: 'one' } } } } } },
  });
  const html = apply(r, statics, { 0: { e: { g: { 1: { m: [[0, '2']], e: { 2: { 0: 'two' } } } } } } });
  t.equal(html, '<ul><li>G<ol><i>two</i><i>one</i></ol></li></ul>');
});

t.test('memoization: a one-row diff rebuilds only the root, the list and that row', async (t) => {
  const items: Record<string, string> = {};
  for (let i = 0; i < 1000; i++) items[i] = `row ${i}`;
  const { r, statics, html } = join(items);
  t.equal(r.builds, 1002, 'the join builds the root, the list and 1000 rows');
  t.equal(r.toHTML(), html, 'rendering again without a diff uses the cache');
  t.equal(r.builds, 1002, 'and builds nothing');

  const before = r.builds;
  const next = apply(r, statics, { 1: { e: { 500: { 0: 'changed' } } } });
  t.equal(r.builds - before, 3, 'root + list + one row');
  t.equal(next, html.replace('<li>row 500</li>', '<li>changed</li>'));

  const afterRow = r.builds;
  apply(r, statics, { 0: 'New title' });
  t.equal(r.builds - afterRow, 1, 'a title change re-joins the cached list string');

  const afterTitle = r.builds;
  apply(r, statics, { 1: { m: [[0, 'new']], e: { new: { 0: 'first' } } } });
  t.equal(r.builds - afterTitle, 3, 'an insert builds the new row, the list and the root');
});

t.test('errors', async (t) => {
  t.test('an unknown fingerprint is a clear error', async (t) => {
    const r = new Rendered();
    const err = t.throws(() => r.merge({ s: 'nope', 0: 'x' }, new Map())) as RenderedError;
    t.ok(err instanceof RenderedError);
    t.equal(err.code, E_UNKNOWN_FINGERPRINT);
    t.match(err.message, /"nope"/);
  });

  t.test('an unknown fingerprint nested in a diff', async (t) => {
    const { r, statics } = join({});
    t.throws(() => r.merge({ 1: { s: 'missing' } }, statics), { code: E_UNKNOWN_FINGERPRINT });
  });

  t.test('malformed diffs', async (t) => {
    const { r, statics } = join({ a: 'A' });
    t.throws(() => new Rendered().merge({ 0: 'x' }, statics), { code: E_BAD_DIFF }, 'partial diff before a tree');
    t.throws(() => r.merge({ 0: { 0: 'x' } }, statics), { code: E_BAD_DIFF }, 'partial node over a string');
    t.throws(() => r.merge({ 1: { m: [[0, 'ghost']] } }, statics), { code: E_BAD_DIFF }, 'inserted key without entry');
    t.throws(() => r.merge({ s: 'page', 0: 'only one slot' }, statics), { code: E_BAD_DIFF }, 'full node missing a slot');
    t.throws(() => r.merge({ 0: true }, statics), { code: E_BAD_DIFF }, 'a boolean is not a value (a number is a live component, D80)');
  });
});
