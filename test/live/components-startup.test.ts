/**
 * Live components are checked at startup (D80): a template naming a component that is not
 * registered stops the app with the tag's file:line:column (livery.C005); a class that cannot be
 * a component is livery.C069; a component template without one root element is livery.C070.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { LiveComponent, LiveView, route, StartupError, type Attrs } from '../../server/index.ts';
import { startServer } from './harness.ts';

const templatesDir = fileURLToPath(new URL('./fixtures/components-bad/', import.meta.url));

class Page extends LiveView<object> {
  static template = 'page.html';
  mount() {
    return {};
  }
}
class Typo extends LiveView<object> {
  static template = 'typo.html';
  mount() {
    return {};
  }
}
class Good extends LiveComponent<{ n: number }> {
  static template = 'good.html';
  mount(attrs: Attrs) {
    return { n: Number(attrs.n ?? 0) };
  }
}
class TextFirst extends Good {
  static template = 'two-roots.html';
}
class TwoElements extends Good {
  static template = 'two-elements.html';
}
class NoHandler extends Good {
  static events = { go: null };
}

async function problems(options: Parameters<typeof startServer>[0]): Promise<string[]> {
  try {
    const s = await startServer({ templatesDir, ...options });
    await s.close();
    return [];
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return error.problems.map((p) => `${p.id}: ${p.detail}`);
  }
}

t.test('an unregistered component in a template stops startup with its place', async (t) => {
  const found = await problems({ routes: [route('/', Typo)], components: { Good }, templatesDir: fileURLToPath(new URL('./fixtures/components-typo/', import.meta.url)) });
  t.equal(found.length, 1);
  t.match(found[0], /^livery\.C005: .*typo\.html:3:3: .*no live component named "Countr" is registered.*\(registered: Good\)/);
});

t.test('classes that cannot be components: livery.C069', async (t) => {
  const found = await problems({ routes: [route('/', Page)], components: { Good, 'bad-name': Good, NotAClass: Page as never, NoHandler } as never });
  t.same(found.map((p) => p.slice(0, 12)), ['livery.C069:', 'livery.C069:', 'livery.C069:']);
  t.match(found.join('\n'), /components\.bad-name: a component name/);
  t.match(found.join('\n'), /components\.NotAClass: not a class extending LiveComponent/);
  t.match(found.join('\n'), /components\.NoHandler: event "go" is declared but the class has no go\(\) method/);
});

t.test('a component template must render one root element: livery.C070', async (t) => {
  const found = await problems({ routes: [route('/', Page)], components: { TextFirst, TwoElements } });
  t.equal(found.length, 2);
  t.match(found[0], /^livery\.C070: components\.TextFirst: two-roots\.html: a component template must start with its root element/);
  t.match(found[1], /^livery\.C070: components\.TwoElements: two-elements\.html: the template opens <div> but ends with <\/p>/);
});

t.test('a valid set starts', async (t) => {
  t.same(await problems({ routes: [route('/', Page)], components: { Good } }), []);
});

t.test('the page layout is no view: a live component there stops startup with its place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livery-component-layout-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'layout.html'), '<html><head>{{ head|safe }}</head><body>{{ content|safe }}\n {% live_component "Good" id="g" %}</body></html>');
  writeFileSync(join(dir, 'page.html'), '<p>page</p>');
  writeFileSync(join(dir, 'good.html'), '<b>{{ n }}</b>');
  const found = await problems({ routes: [route('/', Page)], components: { Good }, layout: 'layout.html', templatesDir: dir });
  t.equal(found.length, 1, found.join('\n'));
  t.match(found[0], /^livery\.C005: layout layout\.html: layout\.html:2:2: \{% live_component "Good" %\} cannot stand in the page layout/);
});
