/**
 * The tags added beside Django's own tests (conformance-tags.test.ts): each one's slot depends on
 * exactly its inputs, diffs through the diff engine like any slot, and what Django's JSON-less
 * cases could not carry (inf) or what the live model decides differently (cycle under a
 * condition, ifchanged and item-wise loops, now) behaves as docs/templates.md says.
 */
import t from 'tap';
import { mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock } from '../../server/diff/index.ts';
import { compileTemplate, createScope, renderToString, TemplateSyntaxError, type LoopSlot } from '../../server/template/index.ts';

const compile = (source: string) => compileTemplate(source, { name: 't.html', htmlChecks: false });
const render = (source: string, context: Record<string, unknown>) => renderToString(compile(source), createScope(context));
const depsOf = (source: string) => compile(source).root.slots.map((s) => (s.deps === null ? null : [...s.deps].sort()));

t.test('each tag depends on exactly the names it reads', async (t) => {
  t.same(depsOf('{% firstof a b.c "x" %}'), [['a', 'b']]);
  t.same(depsOf('{% widthratio v m w %}'), [['m', 'v', 'w']]);
  t.same(depsOf('{% now "Y" %}'), [[]], 'now reads nothing: it never re-renders alone');
  t.same(depsOf('{% spaceless %}<p> {{ a }} </p> <i></i>{% endspaceless %}'), [['a']]);
  t.same(depsOf('{% lorem n w %}'), [['n']]);
  t.same(depsOf('{% lorem 2 w %}'), [], 'a literal count is static text');
  t.same(depsOf('{% regroup people by city|lower as groups %}{% for g in groups %}{{ g.grouper }}{{ x }}{% endfor %}'), [['people', 'x']]);
  t.same(depsOf('{% for r in rows %}{% cycle a "b" %}{% endfor %}'), [['a', 'rows']]);
  t.same(depsOf('{% firstof a as v %}{{ v }}{{ w }}'), [['a', 'w']], '`as` binds for the rest, like with');
});

t.test('a change re-sends only the changed tag\'s slot', async (t) => {
  const template = compile('<p>{% firstof a b %}</p><p>{% widthratio v 10 100 %}</p><ul>{% for r in rows %}<li class="{% cycle "odd" "even" %}">{{ r }}</li>{% endfor %}</ul>');
  const state: Record<string, unknown> = { a: '', b: 'B', v: 5, rows: ['x', 'y'] };
  const scope = createScope(state);
  const tree = renderBlock(template.root, scope);
  const statics = new StaticsCollector(new Set());
  const cache: StaticsCache = new Map();
  const client = new Rendered();
  const first = JSON.parse(JSON.stringify(statics.attachTo(encodeRoot(tree, statics)))) as WireNode;
  mergeStatics(cache, first);
  client.merge(first, cache);
  t.equal(client.toHTML(), '<p>B</p><p>50</p><ul><li class="odd">x</li><li class="even">y</li></ul>');

  const step = (changed: string, expected: WireNode, what: string) => {
    const d = updateBlock(tree, scope, new Set([changed]), statics);
    t.same(d, expected, what);
    client.merge(JSON.parse(JSON.stringify(d)) as WireNode, cache);
  };
  state.v = 7;
  step('v', { 1: '70' }, 'widthratio alone');
  state.a = 'A';
  step('a', { 0: 'A' }, 'firstof alone');
  state.rows = ['w', 'x', 'y'];
  const diff = statics.attachTo(updateBlock(tree, scope, new Set(['rows']), statics));
  client.merge(JSON.parse(JSON.stringify(diff)) as WireNode, cache);
  t.equal(client.toHTML(), '<p>A</p><p>70</p><ul><li class="odd">w</li><li class="even">x</li><li class="odd">y</li></ul>', 'cycle follows the positions');
});

t.test('widthratio with values JSON cannot carry (Django\'s widthratio20, 21)', async (t) => {
  t.equal(render('{% widthratio a b 100 %}', { a: Infinity, b: Infinity }), '');
  t.equal(render('{% widthratio a b 100 %}', { a: Infinity, b: 2 }), '');
  t.equal(render('{% widthratio a b 100 %}', { a: 1, b: 8 }), '12', '12.5 rounds to even');
});

t.test('cycle and resetcycle under a condition in a loop are compile errors that say what to do', async (t) => {
  const error = t.throws(() => compile('{% for x in xs %}\n{% if x %}{% cycle "a" "b" %}{% endif %}{% endfor %}')) as unknown as TemplateSyntaxError;
  t.ok(error instanceof TemplateSyntaxError);
  t.match(error.message, /^t\.html:2:11: \{% cycle %\} under \{% if %\} or \{% ifchanged %\} inside a loop: .*silent/);
  t.throws(() => compile('{% cycle "a" "b" as ab %}{% for x in xs %}{% if x %}{% resetcycle ab %}{% endif %}{% endfor %}'), /resetcycle %\} under/);
  t.equal(render('{% if go %}{% cycle "a" "b" %}{% endif %}', { go: true }), 'a', 'one unnamed use outside loops is always the first value');
  t.equal(render('{% for x in xs %}{% cycle "a" "b" as ab silent %}{% if x %}{{ ab }}{% endif %}{% endfor %}', { xs: [1, 0, 1] }), 'aa', 'the suggested fix');
});

t.test('a cycle in an inner loop restarts with each run of it (documented difference)', async (t) => {
  t.equal(render('{% for o in outer %}{% for i in inner %}{% cycle "a" "b" %}{% endfor %}|{% endfor %}', { outer: [1, 2], inner: [1, 2, 3] }), 'aba|aba|');
});

t.test('a loop holding ifchanged never re-renders item by item', async (t) => {
  const plain = compile('{% for r in rows %}{{ r.n }}{% endfor %}').root.slots[0] as LoopSlot;
  const withChanged = compile('{% for r in rows %}{% ifchanged r.n %}{{ r.n }}{% endifchanged %}{% endfor %}').root.slots[0] as LoopSlot;
  t.equal(plain.source, 'rows');
  t.equal(withChanged.source, null);
  t.same([...(withChanged.deps ?? [])], ['rows'], 'the neighbour marker stays inside the loop');

  // Through the diff engine: element 0 changes in place, item 1's ifchanged must follow.
  const template = compile('{% for r in rows %}[{% ifchanged r.n %}{{ r.n }}{% else %}={% endifchanged %}]{% endfor %}');
  const state = { rows: [{ n: 1 }, { n: 1 }, { n: 2 }] };
  const scope = createScope(state);
  const tree = renderBlock(template.root, scope);
  const statics = new StaticsCollector(new Set());
  const cache: StaticsCache = new Map();
  const client = new Rendered();
  const first = JSON.parse(JSON.stringify(statics.attachTo(encodeRoot(tree, statics)))) as WireNode;
  mergeStatics(cache, first);
  client.merge(first, cache);
  t.equal(client.toHTML(), '[1][=][2]');
  state.rows[0].n = 0;
  const diff = statics.attachTo(updateBlock(tree, scope, new Set(['rows']), statics, new Map([['rows', new Set([0])]])));
  client.merge(JSON.parse(JSON.stringify(diff)) as WireNode, cache);
  t.equal(client.toHTML(), '[0][1][2]', 'the neighbour of the changed element re-rendered too');
});

t.test('now: UTC, in the date filter\'s format, output as written', async (t) => {
  const year = String(new Date().getUTCFullYear());
  t.equal(render('{% now "Y" %}', {}), year);
  t.equal(render('{% now "Y" as y %}<{{ y }}>', {}), `<${year}>`);
  t.throws(() => compile('{% now %}'), /'now' statement takes one argument/);
});

t.test('lorem refuses random; spaceless keeps what is inside tags', async (t) => {
  t.throws(() => compile('{% lorem 3 w random %}'), /random text would change on every render/);
  t.equal(render('{% lorem 21 w %}', {}).split(' ').length, 21);
  t.equal(render('{% spaceless %} <p>\n  <a href="#"> x </a>\n</p> {% endspaceless %}', {}), '<p><a href="#"> x </a></p>');
  t.equal(render('{% spaceless %}<p> {{ v }} </p>{% endspaceless %}', { v: '<b> </b>' }), '<p> &lt;b&gt; &lt;/b&gt; </p>');
});
