/**
 * App-defined tags (D75): escaped unless declared safe, tracked by the names their arguments
 * read, errors with file:line:column, and a tag that throws at render fails that render with
 * LV_TEMPLATE_TAG_FAILED while the socket and the view keep working. Through the real server
 * with the test client, on a page that extends a layout.
 */
import t from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { checkTagDefinitions, compileTemplate, createScope, renderToString, TemplateSyntaxError, TemplateTagError, type TagDefinitions } from '../../server/template/index.ts';
import { createTestApp } from '../../server/testing/index.ts';

const calls: unknown[][] = [];
const tags: TagDefinitions = {
  initials: (name: string) => String(name ?? '').split(/\s+/).map((w) => w[0] ?? '').join(''),
  badge: {
    render: (label: string, options: { tone: string }) => `<span class="badge ${options.tone}">${label.replace(/</g, '&lt;')}</span>`,
    safe: true,
  },
  risky: (n: number) => {
    calls.push([n]);
    if (n === 3) throw new Error('three is not allowed');
    return `n=${n}`;
  },
  echo: (...args: unknown[]) => JSON.stringify(args),
};

t.test('output is escaped unless the tag is declared safe', async (t) => {
  const tpl = compileTemplate('{% echo "<b>" 1 x %}|{% badge "<i>" tone="ok" %}', { name: 't.html', tags });
  t.equal(renderToString(tpl, createScope({ x: [1, 'a'] })), '[&quot;&lt;b&gt;&quot;,1,[1,&quot;a&quot;]]|<span class="badge ok">&lt;i></span>');
});

t.test('deps are the names the arguments read; `as` binds for the rest of the body', async (t) => {
  const tpl = compileTemplate('<p>{% initials user.name %}</p>{% if a %}{% echo b key=c|upper as out %}[{{ out }}]{% endif %}', { name: 't.html', tags });
  t.same(tpl.root.slots.map((s) => [...(s.deps ?? ['?'])].sort()), [['user'], ['a', 'b', 'c']]);
  t.equal(renderToString(tpl, createScope({ user: { name: 'Ada Lovelace' }, a: true, b: 1, c: 'x' })), '<p>AL</p>[[1,{&quot;key&quot;:&quot;X&quot;}]]');
});

t.test('compile errors name file:line:column; unknown names are still unknown', async (t) => {
  t.throws(() => compileTemplate('\n  {% echo a=1 b %}', { name: 'p.html', tags }), { message: /^p\.html:2:3: 'echo' tag: positional argument 'b' after a key=value one/ });
  t.throws(() => compileTemplate('{% echo a|nope %}', { name: 'p.html', tags }), TemplateSyntaxError);
  t.throws(() => compileTemplate('{% echo 1 %}', { name: 'p.html' }), { message: /Invalid block tag on line 1: 'echo'/ });
});

t.test('a tag that throws fails the render with LV_TEMPLATE_TAG_FAILED at its place', async (t) => {
  const tpl = compileTemplate('x\n {% risky n %}', { name: 'r.html', tags });
  const error = t.throws(() => renderToString(tpl, createScope({ n: 3 }))) as unknown as TemplateTagError;
  t.ok(error instanceof TemplateTagError);
  t.equal(error.code, 'LV_TEMPLATE_TAG_FAILED');
  t.match(error.message, /^r\.html:2:2: \{% risky %\} threw: three is not allowed$/);
});

t.test('definitions are checked at startup (C064, C065)', async (t) => {
  t.same(checkTagDefinitions({ ok: () => '' }), []);
  t.same(checkTagDefinitions({ for: () => '' }).map(([id]) => id), ['livery.C065']);
  t.same(checkTagDefinitions({ endthing: () => '' }).map(([id]) => id), ['livery.C065']);
  t.same(checkTagDefinitions({ 'bad-name': () => '' }).map(([id]) => id), ['livery.C064']);
  t.same(checkTagDefinitions({ x: { render: 1 } }).map(([id]) => id), ['livery.C064']);
  t.same(checkTagDefinitions({ x: { render: () => '', safe: 'yes' } }).map(([id]) => id), ['livery.C064']);
  t.same(checkTagDefinitions([]).map(([id]) => id), ['livery.C064']);
});

class TagsView extends LiveView<{ title: string; owner: string; count: number; label: string }> {
  static template = 'page.html';
  static events = { inc: null, rename: null };
  mount() {
    return { title: 'Deck', owner: 'Grace Hopper', count: 1, label: 'new<' };
  }
  inc() {
    this.state.count += 1;
  }
  rename() {
    this.state.label = 'renamed';
  }
}

t.test('through the server: a page extending a layout, with app tags, over the test client', async (t) => {
  const app = await createTestApp(
    { routes: [route('/tags', TagsView)], templatesDir: new URL('./fixtures/tags/', import.meta.url) },
    { options: { tags } },
  );
  t.teardown(() => app.close());
  const view = await app.mount('/tags');
  t.equal(view.find('h2')!.text, 'Deck (Untitled)');
  t.equal(view.find('footer')!.text, 'GH');
  t.match(view.html(), '<p id="badge"><span class="badge warn">new&lt;</span></p>', 'a safe tag\'s HTML as it wrote it');
  t.equal(view.find('#risky')!.text, 'n=1');

  calls.length = 0;
  await view.click('#rename');
  t.equal(view.find('#badge')!.text, 'renamed');
  t.same(calls, [], 'a change the risky tag does not read leaves it alone');

  await view.click('#inc');
  t.equal(view.find('#risky')!.text, 'n=2');
  await view.click('#inc');
  t.same(view.errors.map((e) => e.code), ['LV_TEMPLATE_TAG_FAILED'], 'the tag threw: one error, with its code');
  t.match(JSON.stringify(app.logs), /page\.html:6:17: \{% risky %\} threw: three is not allowed/, 'the log names the tag and its place');
  await view.click('#inc');
  t.equal(view.find('#count')!.text, '4', 'the socket and the view keep working');
  t.equal(view.find('#risky')!.text, 'n=4');
  await view.close();
});

t.test('bad definitions stop startup with their check ids', async (t) => {
  const start = createTestApp(
    { routes: [route('/tags', TagsView)], templatesDir: new URL('./fixtures/tags/', import.meta.url) },
    { options: { tags: { ...tags, block: () => 'x', 'my-tag': () => 'y' } } },
  );
  const error = await start.then(
    (app) => {
      void app.close();
      throw new Error('started');
    },
    (e: unknown) => e as Error,
  );
  t.match(error.message, /livery\.C065[\s\S]*tags\.block/);
  t.match(error.message, /livery\.C064[\s\S]*tags\.my-tag/);
});
