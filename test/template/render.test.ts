// Rendering: escaping, lookups, loops and their keys, includes, filters Livery adds beyond the
// Django conformance data (date), and the slot functions the diff engine calls.
import t from 'tap';
import {
  compileTemplate,
  createMemoryLoader,
  createScope,
  renderToString,
  type LoopSlot,
  type TextSlot,
} from '../../server/template/index.ts';

const render = (source: string, context: Record<string, unknown> = {}): string =>
  renderToString(compileTemplate(source, { name: 'x.html' }), createScope(context));

t.test('escaping in text and quoted attributes', async (t) => {
  const evil = `<b onclick="x">'&'</b>`;
  t.equal(render('<p>{{ v }}</p>', { v: evil }), '<p>&lt;b onclick=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/b&gt;</p>');
  t.equal(render('<p title="{{ v }}" data-x=\'{{ v }}\'>', { v: `"'` }), '<p title="&quot;&#x27;" data-x=\'&quot;&#x27;\'>');
  t.equal(render('<p>{{ v|safe }}</p>', { v: '<b>ok</b>' }), '<p><b>ok</b></p>');
  t.equal(render('{% autoescape off %}<p>{{ v }}</p>{% endautoescape %}', { v: '<b>' }), '<p><b></p>');
  t.equal(render('{{ v|escape }}{{ v|force_escape }}', { v: '&' }), '&amp;&amp;');
  t.equal(compileTemplate('{{ v }}', { name: 'x', autoescape: false }).root.slots[0].kind, 'text');
  t.equal(renderToString(compileTemplate('{{ v }}', { name: 'x', autoescape: false }), createScope({ v: '<i>' })), '<i>');
});

t.test('values render like Django, with null/undefined as empty', async (t) => {
  t.equal(
    render('{{ t }}|{{ f }}|{{ n }}|{{ u }}|{{ l }}|{{ o.a }}|{{ z }}|{{ d }}', { t: true, f: false, n: null, l: [1, 'a', null], o: { a: 2.5 }, z: 0, d: new Date(0) }),
    'True|False|||[1, &#x27;a&#x27;, None]|2.5|0|1970-01-01T00:00:00.000Z',
  );
});

t.test('lookups: keys, indexes, getters, dict views; never prototype members or functions', async (t) => {
  class User {
    first = 'Ada';
    get full(): string {
      return `${this.first} L.`;
    }
    method(): string {
      return 'called';
    }
  }
  const ctx = { u: new User(), list: ['a', 'b'], m: new Map([['k', 'v']]), o: { 3: 'three', items: 'own' }, s: 'xyz', nested: { a: { b: [{ c: 'deep' }] } } };
  t.equal(render('{{ u.first }} {{ u.full }} [{{ u.method }}] {{ list.1 }} {{ list.length }} {{ m.k }} {{ o.3 }} {{ o.items }} {{ s.2 }} {{ nested.a.b.0.c }}', ctx),
    'Ada Ada L. [] b 2 v three own z deep');
  t.equal(render('[{{ o.constructor }}][{{ o.toString }}][{{ o.hasOwnProperty }}][{{ missing.x.y }}]', ctx), '[][][][]');
  t.equal(render('{% for k, v in p.items %}{{ k }}={{ v }};{% endfor %}{% for k in p %}{{ k }}{% endfor %}{{ p.keys|join:"," }}', { p: { a: 1, b: 2 } }), 'a=1;b=2;aba,b');
  t.equal(render('{% for k, v in m.items %}{{ k }}={{ v }}{% endfor %}{% for k in m %}[{{ k }}]{% endfor %}', ctx), 'k=v[k]');
});

t.test('for: iterables, reversed, forloop, empty, unpacking errors', async (t) => {
  t.equal(render('{% for x in s %}{{ x }}{% endfor %}{% for x in set reversed %}{{ x }}{% endfor %}', { s: 'ab', set: new Set([1, 2, 3]) }), 'ab321');
  t.equal(render('{% for x in g %}{{ x }}{% endfor %}', { g: (function* () { yield 1; yield 2; })() }), '12');
  t.equal(render('{% for x in n %}{{ x }}{% empty %}none{% endfor %}', { n: 5 }), 'none', 'a non-iterable is empty');
  t.equal(
    render('{% for a in outer %}{% for b in a %}{{ forloop.parentloop.counter }}.{{ forloop.counter }}{% if forloop.last %};{% endif %}{% endfor %}{% endfor %}', { outer: [[1, 2], [3]] }),
    '1.11.2;2.1;',
  );
  t.equal(render('{% for x in xs %}{{ forloop.revcounter }}{{ forloop.revcounter0 }}{{ forloop.first|yesno:"F,-" }}{% endfor %}', { xs: [0, 0] }), '21F10-');
  t.throws(() => render('\n  {% for a, b in xs %}{% endfor %}', { xs: [[1, 2, 3]] }), {
    name: 'TemplateValueError',
    code: 'LV_TEMPLATE_VALUE',
    message: 'x.html:2:3: Need 2 values to unpack in for loop; got 3. ',
    line: 2,
    column: 3,
  });
});

t.test('loop keys: keyed loops use the key expression, unkeyed ones the position', async (t) => {
  const scope = createScope({ projects: [{ id: 7, name: 'A' }, { id: 9, name: 'B' }, { id: 7, name: 'dup' }] });
  const [keyed] = compileTemplate('{% for p in projects key p.id %}{{ p.name }}{% endfor %}', { name: 'x' }).root.slots as LoopSlot[];
  const items = keyed.iterate(scope);
  t.same(items.map((i) => i.key), ['7', '9', '7'], 'keys are strings; duplicates are left to the diff engine');
  t.equal((keyed.body.slots[0] as TextSlot).render(items[1].scope), 'B', 'each item carries its scope');
  const [reversed] = compileTemplate('{% for p in projects reversed key p.name|upper %}{% endfor %}', { name: 'x' }).root.slots as LoopSlot[];
  t.same(reversed.iterate(scope).map((i) => i.key), ['DUP', 'B', 'A']);
  const [plain] = compileTemplate('{% for p in projects %}{% endfor %}', { name: 'x' }).root.slots as LoopSlot[];
  t.same(plain.iterate(scope).map((i) => i.key), ['0', '1', '2']);
  t.same(plain.iterate(createScope({})), []);
});

t.test('loop sources and item deps: what lets the diff engine re-render one item (D61)', async (t) => {
  const loop = (source: string) => compileTemplate(source, { name: 'x' }).root.slots[0] as LoopSlot;
  t.equal(loop('{% for r in rows key r.id %}{{ r.n }}{% endfor %}').source, 'rows', 'a bare name is a source');
  t.equal(loop('{% for r in rows reversed %}{% endfor %}').source, 'rows');
  for (const iterable of ['rows|default:""', 'page.rows', '"abc"', '12', 'None']) {
    t.equal(loop(`{% for r in ${iterable} %}{% endfor %}`).source, null, `${iterable} is not a source`);
  }
  const deps = (source: string) => [...(loop(source).itemDeps ?? ['<unknown>'])].sort();
  t.same(deps('{% for r in rows key r.id %}{{ r.n }}{{ forloop.counter }}{% endfor %}'), [], 'loop variables and forloop are bound');
  t.same(deps('{% for r in rows key prefix|add:r.id %}{{ sep }}{% with x=r.n %}{{ x }}{{ unit }}{% endwith %}{% empty %}{{ none }}{% endfor %}'), ['prefix', 'sep', 'unit'], 'outer names read by the key and the body, not the empty block');
  t.same(deps('{% for r in rows %}{{ rows|length }}{% endfor %}'), ['rows'], 'the body reading the iterable itself');
  t.same(deps('{% for r in rows %}{% include r.template %}{% endfor %}'), ['<unknown>'], 'an include by variable: unknown');

  const scope = createScope({ rows: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
  for (const source of ['{% for r in rows key r.id %}{% endfor %}', '{% for r in rows reversed key r.id %}{% endfor %}', '{% for r in rows %}{% endfor %}']) {
    const slot = loop(source);
    const array = slot.array(scope)!;
    const all = slot.iterate(scope);
    for (let p = 0; p < all.length; p++) {
      const one = slot.itemAt(scope, array, p);
      t.equal(one.key, all[p].key, `${source}: itemAt(${p}) has iterate's key`);
      t.equal(one.scope.get('r'), all[p].scope.get('r'), `${source}: and its element`);
      t.equal((one.scope.get('forloop') as { counter: number }).counter, p + 1, 'and its forloop');
    }
  }
  t.equal(loop('{% for r in rows %}{% endfor %}').array(createScope({ rows: 'abc' })), null, 'a string is not an array');
});

t.test('with and include', async (t) => {
  const loader = createMemoryLoader({
    'row.html': '<li>{{ item.name }} of {{ owner }}</li>',
    'page.html': '{% with owner=user.name %}<ul>{% for item in items %}{% include "row.html" %}{% endfor %}</ul>{% endwith %}',
    'only.html': '{% include "row.html" with item=first only %}',
    'dyn.html': '{% include which %}',
    'tree.html': '{{ node.name }}{% if node.kids %}({% for node in node.kids %}{% include "tree.html" %}{% endfor %}){% endif %}',
    'sub/a.html': '{% include "./b.html" %}',
    'sub/b.html': 'B',
  });
  const ctx = { user: { name: 'Ada' }, items: [{ name: 'x' }, { name: 'y' }], first: { name: 'f' }, owner: 'ignored' };
  t.equal(renderToString(loader.load('page.html'), createScope(ctx)), '<ul><li>x of Ada</li><li>y of Ada</li></ul>');
  t.equal(renderToString(loader.load('only.html'), createScope(ctx)), '<li>f of </li>', 'only: nothing else is visible');
  t.equal(renderToString(loader.load('dyn.html'), createScope({ which: 'sub/b.html' })), 'B');
  t.equal(renderToString(loader.load('tree.html'), createScope({ node: { name: 'r', kids: [{ name: 'a', kids: [{ name: 'b' }] }, { name: 'c' }] } })), 'r(a(b)c)', 'recursive includes load lazily');
  t.equal(renderToString(loader.load('sub/a.html'), createScope({})), 'B', 'relative names');
  t.throws(() => renderToString(loader.load('dyn.html'), createScope({ which: 'nope.html' })), { name: 'TemplateDoesNotExist', file: 'dyn.html', line: 1, column: 1 });
});

t.test('include under {% autoescape off %} renders the included template unescaped', async (t) => {
  const loader = createMemoryLoader({ 'v.html': '{{ v }}', 'main.html': '{{ v }}{% autoescape off %}{% include "v.html" %}{% endautoescape %}{% include "v.html" %}' });
  t.equal(renderToString(loader.load('main.html'), createScope({ v: '<' })), '&lt;<&lt;');
});

t.test('filters beyond the conformance data', async (t) => {
  const d = new Date(Date.UTC(2024, 8, 3, 14, 5, 9));
  t.equal(render('{{ d|date:"D, j N Y" }} {{ d|date:"l jS F, H:i:s" }} {{ d|date:"g:i A P" }} {{ d|date }}', { d }), 'Tue, 3 Sept. 2024 Tuesday 3rd September, 14:05:09 2:05 PM 2:05 p.m. Sept. 3, 2024');
  t.equal(render('{{ d|date:"Y-m-d H:i O" }} {{ d|date:"c" }} {{ d|date:"\\Y\\e\\s: y n b M" }}', { d: '2024-01-02T23:30:00-05:00' }), '2024-01-02 23:30 -0500 2024-01-02T23:30:00-05:00 Yes: 24 1 jan Jan');
  t.equal(render('{{ d|date:"Y-m-d H:i e" }} {{ ms|date:"U z W t L" }} {{ bad|date }}', { d: '2024-02-29T12:00:00', ms: 86400000, bad: 'soon' }), '2024-02-29 12:00 UTC 86400 2 1 31 False ');
  t.equal(render('{{ n|floatformat:"2g" }} {{ 3|divisibleby:3 }} {{ s|urlencode }} {{ t|linebreaksbr }} {{ s|capfirst }}', { n: 1234567.891, s: 'a b&c/d', t: 'a<\nb' }), '1,234,567.89 True a%20b%26c/d a&lt;<br>b A b&amp;c/d');
  t.equal(render('{{ items|length }} {{ items|first }} {{ items|last }} {{ name|truncatechars:4 }} {{ 3|add:"4" }}', { items: ['x', 'y'], name: 'Livery' }), '2 x y Liv… 7');
});

t.test('verbatim and filter blocks', async (t) => {
  t.equal(render('{% verbatim %}{{ x }}{% if %}{% endverbatim %}{{ x }}', { x: 1 }), '{{ x }}{% if %}1');
  t.equal(render('{% filter upper|cut:"B" %}<b>{{ x }}</b>{% endfilter %}', { x: 'a&b' }), '<>A&AMP;</>');
  t.throws(() => render('{% filter safe %}x{% endfilter %}'), { name: 'TemplateSyntaxError', message: /"filter safe" is not permitted/ });
});

t.test('renderToString renders a template or a block', async (t) => {
  const tpl = compileTemplate('<h1>{{ title }}</h1>{% if on %}<b>{{ title|lower }}</b>{% endif %}', { name: 'x' });
  const scope = createScope({ title: 'Hi', on: true });
  t.equal(renderToString(tpl, scope), '<h1>Hi</h1><b>hi</b>');
  t.equal(renderToString(tpl.root, scope), '<h1>Hi</h1><b>hi</b>');
  t.equal(renderToString(tpl, createScope({ title: 'Hi' })), '<h1>Hi</h1>');
});

t.test('Scope.push shadows and falls back', async (t) => {
  const root = createScope({ a: 1, b: 2 });
  const child = root.push({ a: 10, c: undefined });
  t.equal(child.get('a'), 10);
  t.equal(child.get('b'), 2);
  t.equal(child.get('c'), undefined);
  t.equal(child.get('toString'), undefined, 'prototype members are not names');
  t.equal(root.get('a'), 1);
  t.equal(createScope({ f: () => 1 }).get('f'), undefined, 'functions are not data');
});
