/**
 * The client's tree with live components (D80, pure: in Node): a slot holding a number shows the
 * component with that cid from the root `c`, its root element marked with `lv-component`; a
 * component's diff changes the page's HTML although the nodes around it were memoized; `null`
 * drops a component; a whole root brings the components again; memoization still skips the nodes
 * that show no component.
 */
import t from 'tap';
import { E_BAD_DIFF, mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';

function apply(r: Rendered, statics: StaticsCache, diff: WireNode): string {
  mergeStatics(statics, diff);
  r.merge(diff, statics);
  return r.toHTML();
}

const P = {
  page: ['<h1>', '</h1><section>', '</section><ul>', '</ul>'],
  row: ['<li>', '</li>'],
  counter: [' <div class="c"><b>', '</b></div>'],
};

function join(): { r: Rendered; statics: StaticsCache; html: string } {
  const r = new Rendered();
  const statics: StaticsCache = new Map();
  const html = apply(r, statics, {
    p: P, s: 'page', 0: 'Acme', 1: 1, 2: { s: 'row', k: ['a', 'b'], e: { a: { 0: 'A' }, b: { 0: 'B' } } },
    c: { 1: { s: 'counter', 0: '5' } },
  });
  return { r, statics, html };
}

t.test('a component shows where its cid is, its root element marked', async (t) => {
  const { html } = join();
  t.equal(html, '<h1>Acme</h1><section> <div lv-component="1" class="c"><b>5</b></div></section><ul><li>A</li><li>B</li></ul>');
});

t.test('a component diff alone changes the HTML; the list, which shows no component, is not rebuilt', async (t) => {
  const { r, statics } = join();
  const builds = r.builds;
  const html = apply(r, statics, { c: { 1: { 0: '6' } } });
  t.match(html, '<b>6</b>');
  // Rebuilt: the root (it shows the component) and the component. The list kept its memo.
  t.equal(r.builds - builds, 2);
  t.equal(apply(r, statics, { 0: 'Beta' }).includes('<b>6</b>'), true, 'a parent diff keeps the component');
});

t.test('null drops a component; a slot may show another; a whole root brings them again', async (t) => {
  const { r, statics } = join();
  t.equal(apply(r, statics, { 1: 2, c: { 1: null, 2: { s: 'counter', 0: '1' } } }).includes('lv-component="2"'), true);
  t.same([...r.comps.keys()], [2]);
  apply(r, statics, { s: 'page', 0: 'Acme', 1: 7, 2: { s: 'row', k: [], e: {} }, c: { 7: { s: 'counter', 0: '9' } } });
  t.same([...r.comps.keys()], [7], 'a whole root replaces the components');
});

t.test('malformed component diffs fail the merge', async (t) => {
  const { r, statics } = join();
  t.throws(() => r.merge({ c: { 1: { s: 'nope' } } }, statics), { code: 'LV_CLIENT_UNKNOWN_FINGERPRINT' });
  t.throws(() => r.merge({ c: { 9: { 0: 'x' } } }, statics), { code: E_BAD_DIFF }, 'a partial diff for a component the client does not hold');
  t.throws(() => r.merge({ c: { 1: true } }, statics), { code: E_BAD_DIFF });
});
