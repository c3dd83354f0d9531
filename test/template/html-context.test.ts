// XSS safety by default: where a {{ }} lands in the HTML decides how it is escaped, whether its
// URL is checked, or whether the template is refused at compile time (with file:line:column).
import t, { type Test } from 'tap';
import { compileTemplate, createScope, renderToString, TemplateSyntaxError, UNSAFE_URL } from '../../server/template/index.ts';

const compile = (source: string, htmlChecks = true) => compileTemplate(source, { name: 'page.html', htmlChecks });
const render = (source: string, context: Record<string, unknown>): string => renderToString(compile(source), createScope(context));

function refused(t: Test, source: string, line: number, column: number, hint: RegExp): void {
  t.throws(() => compile(source), { name: 'TemplateSyntaxError', code: 'LV_TEMPLATE_UNSAFE_CONTEXT', file: 'page.html', line, column }, source);
  try {
    compile(source);
  } catch (error) {
    t.ok(error instanceof TemplateSyntaxError);
    t.match((error as Error).message, new RegExp(`^page\\.html:${line}:${column}: `));
    t.match((error as Error).message, hint);
  }
  t.doesNotThrow(() => compile(source, false), 'allowed when htmlChecks is off');
}

t.test('contexts where no escaping is safe are compile errors', async (t) => {
  refused(t, '<div {{ attrs }}>', 1, 6, /outside any attribute value.*quoted value/);
  refused(t, '<ul>\n  <li class=item {{ extra }}>', 2, 18, /inside a tag/);
  refused(t, '<div data-{{ name }}="1">', 1, 11, /inside a tag/);
  refused(t, '<{{ tag }}>', 1, 2, /inside a tag/);
  refused(t, '<a href={{ url }}>', 1, 9, /unquoted value of attribute 'href'.*href="\{\{ … \}\}"/);
  refused(t, '<a class=x{{ c }}>', 1, 11, /unquoted value/);
  refused(t, '<button\n    onclick="save({{ id }})">', 2, 19, /event-handler attribute 'onclick'.*data-\*/);
  refused(t, '<p ONMOUSEOVER=\'{{ x }}\'>', 1, 17, /event-handler attribute 'onmouseover'/);
  refused(t, '<script>\n  const n = {{ n }};\n</script>', 2, 13, /inside <script>.*data-\*/);
  refused(t, '<style>p { color: {{ c }} }</style>', 1, 19, /inside <style>/);
  refused(t, '<iframe srcdoc="{{ html }}">', 1, 17, /srcdoc/);
  refused(t, '<p title="{% include name %}">', 1, 11, /\{% include %\} must be used in text content/);
});

t.test('branches must end where they started', async (t) => {
  t.throws(() => compile('{% if a %}<div class="{% endif %}x">'), { code: 'LV_TEMPLATE_UNSAFE_CONTEXT', line: 1, column: 1, message: /different HTML contexts/ });
  t.throws(() => compile('<ul>\n{% for x in xs %}<li title="{% endfor %}</ul>'), { line: 2, column: 1, message: /loop end in different HTML contexts/ });
});

t.test('what stays allowed', async (t) => {
  t.equal(render('<input {% if on %}checked{% endif %} type="checkbox">', { on: true }), '<input checked type="checkbox">');
  t.equal(render('<input {% if on %}checked{% endif %} type="checkbox">', { on: false }), '<input  type="checkbox">');
  t.equal(render('<p {% if a %}class="{{ a }}"{% endif %}>', { a: '"x' }), '<p class="&quot;x">');
  t.equal(render('<p class="{% for c in cs %}{{ c }} {% endfor %}">', { cs: ['a', 'b'] }), '<p class="a b ">');
  t.equal(render('<script src="/app.js"></script><p>{{ x }}</p><!-- {{ x }} -->', { x: '<>' }), '<script src="/app.js"></script><p>&lt;&gt;</p><!-- &lt;&gt; -->');
  t.equal(render('<script>if (a < b) {}</script>{{ x }}', { x: '&' }), '<script>if (a < b) {}</script>&amp;');
  t.equal(render('<textarea>{{ x }}</textarea>', { x: '</textarea>' }), '<textarea>&lt;/textarea&gt;</textarea>');
  t.equal(render('<p lv-click="inc" lv-value-id="{{ id }}" style="width: {{ w }}%">', { id: 3, w: 50 }), '<p lv-click="inc" lv-value-id="3" style="width: 50%">');
});

t.test('URL attributes: unsafe schemes are neutralized at the start of the value', async (t) => {
  const href = (url: string): string => render('<a href="{{ u }}">', { u: url });
  for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'vbscript:x', 'data:text/html,<script>', ':x']) {
    t.equal(href(url), `<a href="${UNSAFE_URL}">`, JSON.stringify(url));
  }
  for (const [url, out] of [
    ['https://example.com/?a=1&b=2', 'https://example.com/?a=1&amp;b=2'],
    ['http://x', 'http://x'],
    ['mailto:a@b.c', 'mailto:a@b.c'],
    ['tel:+123', 'tel:+123'],
    ['/path/with:colon', '/path/with:colon'],
    ['relative?q=javascript:x', 'relative?q=javascript:x'],
    ['#frag', '#frag'],
  ]) {
    t.equal(href(url), `<a href="${out}">`, url);
  }
  t.equal(render('<a href="{{ u|safe }}">', { u: 'javascript:x' }), `<a href="${UNSAFE_URL}">`, '|safe does not bypass the scheme check');
  t.equal(render('<a href="{{ u|safe }}">', { u: 'javascript&#58;x' }), `<a href="${UNSAFE_URL}">`, 'nor do entities in unescaped output');
  t.equal(render('{% autoescape off %}<a href="{{ u }}">{% endautoescape %}', { u: 'javascript:x' }), `<a href="${UNSAFE_URL}">`);
  t.equal(render('<img src="{{ a }}{{ b }}">', { a: '', b: 'javascript:x' }), `<img src="${UNSAFE_URL}">`, 'every slot before any static text is checked');
  t.equal(render('<a href="/u/{{ id }}">', { id: 'javascript:x' }), '<a href="/u/javascript:x">', 'after a static prefix the scheme is fixed');
  for (const attr of ['src', 'action', 'formaction', 'poster', 'cite', 'xlink:href', 'srcset']) {
    t.equal(render(`<x ${attr}="{{ u }}">`, { u: 'javascript:x' }), `<x ${attr}="${UNSAFE_URL}">`, attr);
  }
  t.equal(render('<a title="{{ u }}">', { u: 'javascript:x' }), '<a title="javascript:x">', 'other attributes are only escaped');
});
