/**
 * Function components (D79): `{% component "name" attr=… %}` … `{% endcomponent %}` renders
 * `components/name.html` with its declared attributes, slot contents rendered in the caller's
 * scope and HTML context; every misuse is a compile error at the caller's tag (or the component's
 * own), with file:line:column.
 */
import t from 'tap';
import {
  createMemoryLoader,
  createScope,
  renderToString,
  TemplateDoesNotExist,
  TemplateSyntaxError,
  type Scope,
} from '../../server/template/index.ts';

const CARD = [
  '{% attrs title tone="plain" %}',
  '<section class="card {{ tone }}"><h2>{{ title }}</h2>{% render_slot %}',
  '{% if slots.footer %}<footer>{% render_slot footer %}</footer>{% endif %}</section>',
].join('');

function render(sources: Record<string, string>, name: string, scope: Scope): string {
  return renderToString(createMemoryLoader(sources).load(name), scope);
}

function compileError(sources: Record<string, string>, name = 'page.html'): TemplateSyntaxError | TemplateDoesNotExist {
  try {
    createMemoryLoader(sources).load(name);
  } catch (error) {
    if (error instanceof TemplateSyntaxError || error instanceof TemplateDoesNotExist) return error;
    throw error;
  }
  throw new Error(`compiled without error: ${sources[name]}`);
}

t.test('attributes, defaults, the default slot and named slots', async (t) => {
  const page = [
    '{% for p in projects %}{% component "card" title=p.name tone="info" %}<p>{{ forloop.counter }}. {{ p.name }}</p>',
    '{% slot footer %}<a href="/p/{{ p.id }}">open</a>{% endslot %}{% endcomponent %}{% endfor %}',
    '{% component "card" title="Plain" %}{% endcomponent %}',
  ].join('');
  const html = render({ 'components/card.html': CARD, 'page.html': page }, 'page.html', createScope({ projects: [{ id: 7, name: '<Alpha>' }] }));
  t.equal(html, [
    '<section class="card info"><h2>&lt;Alpha&gt;</h2><p>1. &lt;Alpha&gt;</p><footer><a href="/p/7">open</a></footer></section>',
    '<section class="card plain"><h2>Plain</h2></section>',
  ].join(''), 'slot content sees the caller’s loop variables; a slot not passed is absent');
});

t.test('a component sees its attributes, slots and the view’s globals, never the caller’s names', async (t) => {
  const sources = {
    'components/who.html': '{% attrs name %}{{ name }}@{{ tenant.name }}{% if slots.default %}+{% render_slot %}{% endif %}{% if errors.x %}!{% endif %}',
    'page.html': '{% with name="inner" %}{% component "who" name=other %} {% endcomponent %}{% endwith %}',
  };
  t.equal(render(sources, 'page.html', createScope({ other: 'o', tenant: 'fake' }, { tenant: { name: 'acme' }, errors: {} })), 'o@acme', 'whitespace is no default content');
  // Inside `include … only` the globals are gone, as they are for the include's own content.
  const only = { ...sources, 'page.html': '{% include "part.html" with v="i" only %}', 'part.html': '{% component "who" name=v %}x{% endcomponent %}' };
  t.equal(render(only, 'page.html', createScope({}, { tenant: { name: 'acme' } })), 'i@+x');
  // Inside {% autoescape off %} the component is compiled with autoescape off, as an include is.
  const off = { ...sources, 'page.html': '{% autoescape off %}{% component "who" name=raw %}{% endcomponent %}{% endautoescape %}{% component "who" name=raw %}{% endcomponent %}' };
  t.equal(render(off, 'page.html', createScope({ raw: '<b>' }, { tenant: { name: 'a' } })), '<b>@a&lt;b&gt;@a');
});

t.test('slot contents compile in the caller: its autoescape, its scope, components inside slots', async (t) => {
  const sources = {
    'components/box.html': '{% attrs %}<div>{% render_slot %}</div>',
    'components/card.html': CARD,
    'page.html': [
      '{% autoescape off %}{% component "box" %}{{ raw }}{% endcomponent %}{% endautoescape %}',
      '{% component "box" %}{{ raw }}{% component "card" title=raw %}{{ raw }}{% endcomponent %}{% endcomponent %}',
    ].join(''),
  };
  t.equal(
    render(sources, 'page.html', createScope({ raw: '<b>' })),
    '<div><b></div><div>&lt;b&gt;<section class="card plain"><h2>&lt;b&gt;</h2>&lt;b&gt;</section></div>',
  );
  // A component passing its own slot on to another component: the outer caller's content.
  const nested = {
    'components/box.html': '{% attrs %}<div>{% render_slot %}</div>',
    'components/panel.html': '{% attrs kind %}{% component "box" %}<i>{{ kind }}</i>{% render_slot %}{% endcomponent %}',
    'page.html': '{% for x in xs %}{% component "panel" kind="k" %}{{ x }}{% endcomponent %}{% endfor %}',
  };
  t.equal(render(nested, 'page.html', createScope({ xs: [1, 2] })), '<div><i>k</i>1</div><div><i>k</i>2</div>');
});

t.test('a component rendered on its own (not through {% component %}) renders its slots as nothing', async (t) => {
  t.equal(render({ 'components/card.html': CARD }, 'components/card.html', createScope({ title: 'T', tone: 'plain' })), '<section class="card plain"><h2>T</h2></section>');
});

t.test('misuse at the caller is a compile error with the caller’s position', async (t) => {
  const cases: Array<[page: string, line: number, column: number, message: RegExp]> = [
    ['<p>\n  {% component "nope" %}{% endcomponent %}', 2, 3, /Template 'components\/nope\.html' does not exist/],
    ['{% component "card" %}{% endcomponent %}', 1, 1, /component 'card' needs attribute title: it declares title, tone="plain" \(components\/card\.html:1:1\)/],
    ['{% component "card" title="a" size=2 %}{% endcomponent %}', 1, 1, /component 'card' has no attribute 'size': it declares title, tone="plain"/],
    ['{% component "card" title="a" title="b" %}{% endcomponent %}', 1, 1, /attribute 'title' is passed more than once/],
    ['{% component "card" title="a" %}{% slot aside %}x{% endslot %}{% endcomponent %}', 1, 1, /component 'card' has no slot 'aside' \(no \{% render_slot aside %\}\): it renders the inner content, footer/],
    ['{% component "card" title="a" %}{% slot footer %}x{% endslot %}{% slot footer %}y{% endslot %}{% endcomponent %}', 1, 64, /slot 'footer' is passed more than once/],
    ['{% component "card" title="a" %}{% slot default %}x{% endslot %}{% endcomponent %}', 1, 33, /'default' is the content outside \{% slot %\} tags/],
    ['{% component name title="a" %}{% endcomponent %}', 1, 1, /the name must be a quoted name of a file under components\//],
    ['{% component "../x" %}{% endcomponent %}', 1, 1, /the name must be a quoted name/],
    ['{% component "card" title="a" %}x', 1, 1, /Unclosed tag on line 1: 'component'. Looking for one of: slot, endcomponent/],
    ['{% component "card" title="a" %}\n {% slot footer %}x{% endcomponent %}', 2, 20, /Invalid block tag on line 2: 'endcomponent', expected 'endslot'/],
    ['{% component "card" title="a" %}\n {% slot footer %}x', 2, 2, /Unclosed tag on line 2: 'slot'. Looking for one of: endslot/],
    ['{% slot footer %}x{% endslot %}', 1, 1, /\{% slot %\} is only valid inside \{% component "name" %\}/],
    ['{% component "card" title="a" %}{% if x %}{% slot footer %}x{% endslot %}{% endif %}{% endcomponent %}', 1, 43, /must stand directly inside \{% component %\}, not inside another tag/],
    ['<div class="{% component "card" title="a" %}{% endcomponent %}">', 1, 13, /\{% component %\} must be used in text content, not the value/],
    ['<div {% component "card" title="a" %}{% endcomponent %}>', 1, 6, /\{% component %\} must be used in text content/],
    ['{% component "card" title="a" %}<p class="{% endcomponent %}">', 1, 1, /the paths through this \{% component %\} end in different HTML contexts/],
    ['{% component "card" title="a" %}{% slot footer %}<a href="{% endslot %}">{% endcomponent %}', 1, 33, /the paths through this \{% slot %\} end in different HTML contexts/],
  ];
  for (const [page, line, column, message] of cases) {
    const error = compileError({ 'components/card.html': CARD, 'page.html': page });
    t.match(error.message, message, page);
    t.same([error.file, error.line, error.column], ['page.html', line, column], `${page}: position`);
    t.equal(error.code, error instanceof TemplateDoesNotExist ? 'LV_TEMPLATE_NOT_FOUND' : /HTML contexts|text content/.test(error.message) ? 'LV_TEMPLATE_UNSAFE_CONTEXT' : 'LV_TEMPLATE_SYNTAX', `${page}: code`);
  }
});

t.test('mistakes in a component template are compile errors at its own position', async (t) => {
  const cases: Array<[component: string, line: number, column: number, message: RegExp]> = [
    ['{{ a }}{% attrs a %}', 1, 8, /'attrs' must be the first tag of a component template, and appear once/],
    ['{% attrs a %}{% attrs b %}', 1, 14, /'attrs' must be the first tag/],
    ['{% attrs a a %}', 1, 1, /'a' is declared more than once/],
    ['{% attrs tenant %}', 1, 1, /'tenant' is a name the component already has/],
    ['{% attrs slots %}', 1, 1, /'slots' is a name the component already has/],
    ['{% attrs tone=other %}', 1, 1, /the default of 'tone' must be a literal/],
    ['{% attrs a-b %}', 1, 1, /'a-b' is not an attribute/],
    ['{% attrs title %}\n{{ title }}{{ project.name }}', 1, 1, /this component reads 'project', which it does not declare: a component sees only its attributes \(title\)/],
    ['{% attrs %}<a href="{% render_slot %}">', 1, 21, /\{% render_slot %\} must be used in text content/],
    ['{% attrs %}{% render_slot a b %}', 1, 12, /'render_slot' takes at most one argument/],
    ['{% extends "base.html" %}{% attrs a %}', 1, 26, /a component template \(\{% attrs %\}\) cannot use \{% extends %\}/],
  ];
  for (const [component, line, column, message] of cases) {
    const error = compileError({ 'components/c.html': component, 'base.html': 'b', 'page.html': '{% component "c" %}{% endcomponent %}' }, 'components/c.html');
    t.match(error.message, message, component);
    t.same([error.file, error.line, error.column], ['components/c.html', line, column], `${component}: position`);
  }
  // A component's own error surfaces when the caller compiles, still at the component's place.
  const error = compileError({ 'components/c.html': '{% attrs %}\n{{ x }}', 'page.html': '{% component "c" %}{% endcomponent %}' });
  t.match(error.message, /^components\/c\.html:1:1: this component reads 'x'/);
});

t.test('a component that uses itself is refused; one without render_slot for a passed slot too', async (t) => {
  const self = compileError({ 'components/tree.html': '{% attrs node %}{% component "tree" node=node %}{% endcomponent %}', 'page.html': '{% component "tree" node=1 %}{% endcomponent %}' });
  t.match(self.message, /^components\/tree\.html:1:17: component 'tree' uses itself/);
  const inner = compileError({ 'components/plain.html': '{% attrs %}<hr>', 'page.html': '{% component "plain" %}text{% endcomponent %}' });
  t.match(inner.message, /^page\.html:1:1: component 'plain' does not render inner content \(no \{% render_slot %\}\): it renders no slots/);
  // A component that includes templates may render slots there: uses are not checked for slots.
  const sources = {
    'components/frame.html': '{% attrs %}{% include "_inside.html" %}',
    '_inside.html': '[{% render_slot %}|{% render_slot extra %}]',
    'page.html': '{% component "frame" %}a{% slot extra %}b{% endslot %}{% endcomponent %}',
  };
  t.equal(render(sources, 'page.html', createScope({})), '[a|b]');
});

t.test('a component in the page layout sees the tenant, as in a view’s template', async (t) => {
  const { createLayout } = await import('../../server/http/page.ts');
  const loader = createMemoryLoader({
    'components/brand.html': '{% attrs %}<b>{{ tenant.name }}</b>',
    'layout.html': '<title>{{ title }}</title>{% component "brand" %}{% endcomponent %}<a href="{{ root }}/">home</a>{{ content|safe }}',
  });
  const layout = createLayout(loader.load('layout.html'));
  const html = layout({ title: 'T', head: '', content: '<main></main>', flash: '' }, { tenant: { name: 'Acme' }, root: '/t/acme' });
  t.equal(html, '<title>T</title><b>Acme</b><a href="/t/acme/">home</a><main></main>');
});
