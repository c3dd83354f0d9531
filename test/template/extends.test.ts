/**
 * `{% extends %}` / `{% block %}` in the static/dynamic model (D74): a page extending a layout
 * compiles to the block tree it would have written out flat, and a change inside one block
 * sends only that block's changed slots through the diff engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Rendered, mergeStatics, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock } from '../../server/diff/index.ts';
import { compileTemplate, createMemoryLoader, createScope, renderToString, TemplateDoesNotExist, TemplateSyntaxError, unplacedBlocks } from '../../server/template/index.ts';
import { createServer } from '../../server/index.ts';

const layout = [
  '<html><head><title>{% block title %}Livery{% endblock %}</title></head>',
  '<body><nav>{{ user }}</nav>',
  '<main>{% block content %}{% endblock %}</main>',
  '<footer>{% block footer %}© {{ year }}{% endblock %}</footer></body></html>',
].join('\n');
const page = [
  '{% extends "base.html" %}',
  '{% block title %}{{ title }} · {{ block.super }}{% endblock %}',
  '{% block content %}<p>{{ count }}</p>{% for x in items %}<i>{{ x }}</i>{% endfor %}{% endblock %}',
].join('\n');
const flat = [
  '<html><head><title>{% with block=None %}{{ title }} · Livery{% endwith %}</title></head>',
  '<body><nav>{{ user }}</nav>',
  '<main><p>{{ count }}</p>{% for x in items %}<i>{{ x }}</i>{% endfor %}</main>',
  '<footer>© {{ year }}</footer></body></html>',
].join('\n');

const loader = createMemoryLoader({ 'base.html': layout, 'page.html': page });

t.test('a page extending a layout renders the layout with its blocks', async (t) => {
  const html = renderToString(loader.load('page.html'), createScope({ title: 'Home', user: 'ann', count: 1, items: ['a'], year: 2026 }));
  t.equal(html, '<html><head><title>Home · Livery</title></head>\n<body><nav>ann</nav>\n<main><p>1</p><i>a</i></main>\n<footer>© 2026</footer></body></html>');
});

t.test('blocks without block.super are inlined: the same slots as the page written out flat', async (t) => {
  const root = loader.load('page.html').root;
  const flatRoot = compileTemplate(flat, { name: 'flat.html' }).root;
  t.equal(root.slots.length, flatRoot.slots.length);
  t.same(root.statics.slice(1), flatRoot.statics.slice(1), 'same statics after the title');
  t.same(root.slots.map((s) => s.kind), flatRoot.slots.map((s) => s.kind));
  t.same([...(loader.load('page.html').deps ?? [])].sort(), ['count', 'items', 'title', 'user', 'year']);
});

t.test('a change inside one block sends only that block\'s changed slot', async (t) => {
  const template = loader.load('page.html');
  const state: Record<string, unknown> = { title: 'Home', user: 'ann', count: 1, items: ['a', 'b'], year: 2026 };
  const scope = createScope(state);
  const tree = renderBlock(template.root, scope);
  const statics = new StaticsCollector(new Set());
  const cache: StaticsCache = new Map();
  const client = new Rendered();
  const first = JSON.parse(JSON.stringify(statics.attachTo(encodeRoot(tree, statics)))) as WireNode;
  mergeStatics(cache, first);
  client.merge(first, cache);

  state.count = 2;
  const diff = statics.attachTo(updateBlock(tree, scope, new Set(['count']), statics));
  const countSlot = template.root.slots.findIndex((s) => s.deps?.has('count'));
  t.same(diff, { [countSlot]: '2' }, 'one slot, no statics, nothing from the layout or other blocks');
  client.merge(JSON.parse(JSON.stringify(diff)) as WireNode, cache);
  t.equal(client.toHTML(), renderToString(template, createScope({ ...state })));

  state.title = 'Inbox';
  const titleDiff = statics.attachTo(updateBlock(tree, scope, new Set(['title']), statics));
  t.equal(Object.keys(titleDiff ?? {}).length, 1, 'a title change touches the title block only');
  client.merge(JSON.parse(JSON.stringify(titleDiff)) as WireNode, cache);
  t.match(client.toHTML(), '<title>Inbox · Livery</title>');
  t.equal(updateBlock(tree, scope, new Set(['other']), statics), undefined, 'a name no block reads sends nothing');
});

t.test('multi-level inheritance, nested blocks and blocks inside loops', async (t) => {
  const l = createMemoryLoader({
    a: '1{% block first %}&{% endblock %}3{% block second %}_{% endblock %}',
    b: '{% extends "a" %}{% block first %}2{% block inner %}in{% endblock %}{% endblock %}',
    c: '{% extends "b" %}{% block inner %}[{{ block.super }}]{% endblock %}',
    loop: '{% for n in ns %}_{% block opt %}{{ n }}{% endblock %}{% endfor %}_',
    loop2: '{% extends "loop" %}{% block opt %}({{ block.super }}){% endblock %}',
  }, { htmlChecks: false });
  t.equal(renderToString(l.load('c'), createScope({})), '12[in]3_');
  t.equal(renderToString(l.load('loop2'), createScope({ ns: [1, 2] })), '_(1)_(2)_');
});

t.test('relative names in extends and includes are relative to the file that writes them', async (t) => {
  const l = createMemoryLoader({
    'layouts/base.html': '<b>{% include "./nav.html" %}</b>{% block x %}{% endblock %}',
    'layouts/nav.html': 'nav',
    'pages/p.html': '{% extends "../layouts/base.html" %}{% block x %}p{% endblock %}',
  });
  t.equal(renderToString(l.load('pages/p.html'), createScope({})), '<b>nav</b>p');
});

t.test('errors name file:line:column and stop compilation', async (t) => {
  const bad = (sources: Record<string, string>, entry: string): Error => {
    try {
      createMemoryLoader(sources).load(entry);
    } catch (error) {
      return error as Error;
    }
    throw new Error('compiled');
  };
  const missing = bad({ 'p.html': '\n  {% extends "nope.html" %}' }, 'p.html');
  t.ok(missing instanceof TemplateDoesNotExist);
  t.match(missing.message, /^p\.html:2:3: Template 'nope\.html' does not exist/);

  const late = bad({ 'b.html': 'x', 'p.html': '{{ a }}{% extends "b.html" %}' }, 'p.html');
  t.ok(late instanceof TemplateSyntaxError);
  t.match(late.message, /^p\.html:1:8: 'extends' must be the first tag/);

  const twice = bad({ 'b.html': 'x', 'p.html': '{% extends "b.html" %}{% extends "b.html" %}' }, 'p.html');
  t.match(twice.message, /^p\.html:1:23: 'extends' cannot appear more than once/);

  const dup = bad({ 'b.html': 'x', 'p.html': '{% extends "b.html" %}\n{% block c %}{% endblock %}{% block c %}{% endblock %}' }, 'p.html');
  t.match(dup.message, /^p\.html:2:28: 'block' tag with name 'c' appears more than once/);

  const circular = bad({ 'a.html': '{% extends "b.html" %}', 'b.html': '{% extends "a.html" %}' }, 'a.html');
  t.ok(circular instanceof TemplateSyntaxError);
  t.match(circular.message, /b\.html:1:1: Circular \{% extends %\}: a\.html → b\.html → a\.html/);

  const inBlock = bad({ 'b.html': '{% block x %}{% endblock %}', 'p.html': '{% extends "b.html" %}\n{% block x %}{% if %}{% endblock %}' }, 'p.html');
  t.match(inBlock.message, /^p\.html:2:14: /, 'an error inside a block definition points into the child');

  const variable = bad({ 'p.html': '{% extends parent %}' }, 'p.html');
  t.match(variable.message, /the parent must be a quoted name/);
});

t.test('the layout\'s HTML context applies to a block\'s content where it lands', async (t) => {
  const l = createMemoryLoader({
    'b.html': '<a href="{% block href %}/{% endblock %}">x</a><script>{% block js %}{% endblock %}</script>',
    'p.html': '{% extends "b.html" %}{% block href %}{{ url }}{% endblock %}',
    'q.html': '{% extends "b.html" %}{% block js %}{{ code }}{% endblock %}',
  });
  t.equal(renderToString(l.load('p.html'), createScope({ url: 'javascript:alert(1)' })), '<a href="about:invalid#livery-unsafe-url">x</a><script></script>');
  t.throws(() => l.load('q.html'), /q\.html:1:37: .*script/i);
});

t.test('a block inside {% comment %} is no block', async (t) => {
  const l = createMemoryLoader({
    'b.html': '[{% block a %}A{% comment %}{% block a %}{% endcomment %}{% endblock %}]',
    'p.html': '{% extends "b.html" %}{% comment %}{% block a %}{% endcomment %}{% block a %}P{% endblock %}',
  });
  t.equal(renderToString(l.load('b.html'), createScope({})), '[A]');
  t.equal(renderToString(l.load('p.html'), createScope({})), '[P]');
});

t.test('a block no layout has a place for is never shown, and is recorded for the startup warning', async (t) => {
  const blocks = createMemoryLoader({
    'base.html': '<main>{% block content %}{% endblock %}</main>',
    'typo.html': '{% extends "base.html" %}{% block contnet %}lost{% endblock %}{% block content %}<p>{% block inner %}kept{% endblock %}</p>{% endblock %}',
  });
  const typo = blocks.load('typo.html');
  t.equal(renderToString(typo, createScope({})), '<main><p>kept</p></main>', 'as in Django: not shown');
  t.same(unplacedBlocks(typo).map((def) => [def.opener.contents, def.opener.loc.line, def.opener.loc.column]), [['block contnet', 1, 26]], 'the misspelt block, with its place; a block nested in a placed one is placed');
  t.same(unplacedBlocks(blocks.load('base.html')), [], 'a template that extends nothing has none');
  t.same(unplacedBlocks(loader.load('page.html')), [], 'a page whose blocks all have a place has none');
});

t.test('the server logs LV_TEMPLATE_BLOCK_UNUSED at startup with the place, and starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livery-extends-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'base.html'), '<main>{% block content %}{% endblock %}</main>');
  writeFileSync(join(dir, 'page.html'), '{% extends "base.html" %}\n{% block contnet %}lost{% endblock %}');
  const lines: string[] = [];
  const server = await createServer({ templatesDir: dir, handleSignals: false, logLevel: 'warn', logStream: { write: (line) => void lines.push(line) } });
  await server.close();
  const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.code === 'LV_TEMPLATE_BLOCK_UNUSED');
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], { template: 'page.html', line: 2, column: 1, msg: /page\.html:2:1: \{% block contnet %\} is never shown/ });
});
