// XSS safety by default: where a {{ }} lands in the HTML decides how it is escaped, whether its
// URL is checked, or whether the template is refused at compile time (with file:line:column).
import t, { type Test } from 'tap';
import { compileTemplate, createScope, renderToString, TemplateSyntaxError, UNSAFE_CSS, UNSAFE_URL } from '../../server/template/index.ts';

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

// Issue 10, finding 15: the sinks that carry a URL or script through another grammar.
t.test('style="…": a value cannot leave its declaration, and a url( is checked like href', async (t) => {
  const style = (source: string, value: unknown) => render(source, { v: value });
  for (const attack of [
    'red; background: url(https://evil.test/leak)', // another declaration, fetching on load
    'url(javascript:alert(1))',
    'expression(alert(1))',
    'red;}body{display:none',
    'red/**/', '\\72 ed', '"x', "'x", '@import', '<x>', 'x -moz-binding',
  ]) {
    t.equal(style('<p style="color: {{ v }}">', attack), `<p style="color: ${UNSAFE_CSS}">`, JSON.stringify(attack));
  }
  t.equal(style('<p style="color: {{ v|safe }}">', 'red&#59; background:red'), `<p style="color: ${UNSAFE_CSS}">`, 'entities in unescaped output');
  for (const fine of ['red', '#f00', '50%', 'bold 12px Georgia, serif', 'color: red', '-1.5em']) {
    t.equal(style('<p style="color: {{ v }}">', fine), `<p style="color: ${fine}">`, `${fine} stays`);
  }
  for (const source of ['<p style="background: url({{ v }})">', '<p style="background:url( \'{{ v }}\')">', `<p style='background: URL("{{ v }}")'>`]) {
    for (const attack of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', '/ok) ; background: url(//evil', '/ok\' ', '/a\\29']) {
      t.notMatch(style(source, attack), /javascript|data:|evil|\\29/i, `${source} ← ${JSON.stringify(attack)}`);
      t.match(style(source, attack), UNSAFE_URL);
    }
    t.match(style(source, '/img/a.png?x=1'), '/img/a.png?x=1', 'a relative URL stays');
    t.match(style(source, 'https://cdn.test/a.png'), 'https://cdn.test/a.png', 'an https URL stays');
  }
  t.throws(() => compile('<p style="width: expression({{ v }})">'), { code: 'LV_TEMPLATE_UNSAFE_CONTEXT', message: /expression/ });
});

t.test('<meta http-equiv=refresh content>: the URL it would navigate to is checked', async (t) => {
  const meta = (source: string, value: unknown) => render(source, { v: value });
  for (const [source, attack] of [
    ['<meta http-equiv="refresh" content="{{ v }}">', '0;url=javascript:alert(1)'],
    ['<meta http-equiv="refresh" content="{{ v }}">', '0; URL = \'javascript:alert(1)\''],
    ['<meta http-equiv="refresh" content="{{ v }}">', '1,javascript:alert(1)'],
    ['<meta http-equiv="refresh" content="{{ v }}">', '.5 data:text/html,x'],
    ['<meta http-equiv="refresh" content="0; url={{ v }}">', 'javascript:alert(1)'],
    ['<meta http-equiv="refresh" content="0;{{ v }}">', 'url=javascript:alert(1)'],
    ['<meta content="{{ v }}" http-equiv="refresh">', '0;javascript:alert(1)'],
    ['<meta http-equiv="refresh" content="0; url={{ v|safe }}">', 'javascript&#58;alert(1)'],
  ] as const) {
    t.notMatch(meta(source, attack), /javascript|data:/i, `${source} ← ${JSON.stringify(attack)}`);
  }
  t.equal(meta('<meta http-equiv="refresh" content="5; url={{ v }}">', '/next?a=1'), '<meta http-equiv="refresh" content="5; url=/next?a=1">', 'a safe refresh stays');
  t.equal(meta('<meta http-equiv="refresh" content="{{ v }}">', '30'), '<meta http-equiv="refresh" content="30">', 'a plain delay stays');
  t.equal(meta('<meta name="description" content="{{ v }}">', '5 stars: great'), '<meta name="description" content="5 stars: great">', 'named metas are text');
  t.equal(meta('<meta property="og:title" content="{{ v }}">', 'javascript: the good parts'), '<meta property="og:title" content="javascript: the good parts">');
  t.throws(() => compile('<meta http-equiv="{{ v }}" content="0;url=/x">'), { code: 'LV_TEMPLATE_UNSAFE_CONTEXT', message: /http-equiv/ });
  t.throws(() => compile('<meta name="x" content="{{ v }}" http-equiv="refresh">'), { code: 'LV_TEMPLATE_UNSAFE_CONTEXT', message: /http-equiv in a <meta> whose content already holds/ });
  t.throws(() => compile('<meta http-equiv="refresh" content="{{ a }};url={{ b }}">'), { code: 'LV_TEMPLATE_UNSAFE_CONTEXT', message: /second \{\{ \}\}/ });
});

t.test('SVG <set to>, <animate from/to/by/values>: URL sinks when they animate an href', async (t) => {
  const svg = (source: string, value: unknown) => render(`<svg><a>${source}</a></svg>`, { v: value });
  for (const tag of ['set', 'animate', 'animateMotion', 'animateTransform']) {
    for (const attr of ['to', 'from', 'by']) {
      t.match(svg(`<${tag} attributeName="href" ${attr}="{{ v }}"/>`, 'javascript:alert(1)'), `${attr}="${UNSAFE_URL}"`, `<${tag} ${attr}>`);
    }
  }
  for (const [source, attack] of [
    ['<animate attributeName="href" values="{{ v }}"/>', 'javascript:alert(1)'],
    ['<animate attributeName="href" values="{{ v }}"/>', '/ok;javascript:alert(1)'],
    ['<animate attributeName="href" values="/a; {{ v }}"/>', 'javascript:alert(1)'],
    ['<animate attributeName="href" values="/a/{{ v }}"/>', 'x; javascript:alert(1)'],
    ['<animate attributeName="href" values="{{ v|safe }}"/>', '/ok&#59;javascript:alert(1)'],
  ] as const) {
    t.notMatch(svg(source, attack), /javascript/i, `${source} ← ${JSON.stringify(attack)}`);
  }
  t.match(svg('<animate attributeName="href" values="{{ v }}"/>', '/a;/b;#c'), 'values="/a;/b;#c"', 'safe lists stay');
  t.match(svg('<animate attributeName="fill" from="{{ v }}" to="#00f"/>', 'red'), 'from="red"', 'colours stay');
  t.match(svg('<animate attributeName="x" values="{{ v }}"/>', '0;10;0'), 'values="0;10;0"', 'numbers stay');
});

// A tag right after a tag name (`<option{% if sel %} selected{% endif %}>`): one path is still in
// the tag name, the other inside the tag. They agree only on what may follow: whitespace, `/`, `>`.
t.test('{% if %}/{% for %} right after a tag name', async (t) => {
  t.equal(render('<option{% if sel %} selected{% endif %}>a</option>', { sel: true }), '<option selected>a</option>');
  t.equal(render('<option{% if sel %} selected{% endif %}>a</option>', { sel: false }), '<option>a</option>');
  t.equal(render('<input{% if d %} disabled{% endif %} name="x">', { d: true }), '<input disabled name="x">');
  t.equal(render('<input{% if d %} disabled{% endif %} name="x">', { d: false }), '<input name="x">');
  t.equal(render('<h2{% if x %} id="{{ id }}"{% endif %}>T</h2>', { x: true, id: '"><script>' }), '<h2 id="&quot;&gt;&lt;script&gt;">T</h2>');
  t.equal(render('<h2{% if x %} id="a"{% else %} class="b"{% endif %}>', { x: false }), '<h2 class="b">');
  t.equal(render('<h2{% if x %} id="a"{% elif y %} title{% else %}{% endif %}/>', { y: true }), '<h2 title/>');
  t.equal(render('<a{% if x %} id="a"{% endif %} href="{{ u }}">', { u: 'javascript:x' }), `<a href="${UNSAFE_URL}">`, 'the next value is still classified');
  t.equal(render('<option{% if a %} selected{% endif %}{% if b %} disabled{% endif %}>', { b: true }), '<option disabled>');
  t.equal(render('<p{% for c in cs %} class="{{ c }}"{% endfor %}>', { cs: ['a', 'b'] }), '<p class="a" class="b">');
  t.equal(render('<p{% for c in cs %} class="{{ c }}"{% empty %} hidden{% endfor %}>', { cs: [] }), '<p hidden>');
  t.equal(render('<script{% if m %} type="module"{% endif %}>{% if m %}x{% endif %}</script>{{ v }}', { m: true, v: '<' }), '<script type="module">x</script>&lt;');
  t.equal(render('<br{% if x %} class="a"{% endif %}/>{{ v }}', { x: true, v: '<' }), '<br class="a"/>&lt;');
});

t.test('after a tag name, what stays refused', async (t) => {
  refused(t, '<h2{{ attrs }}>', 1, 4, /inside a tag/);
  refused(t, '<h2{% if x %}{{ attrs }}{% endif %}>', 1, 14, /inside a tag/);
  refused(t, '<h2{% if x %} {{ attrs }}{% endif %}>', 1, 15, /inside a tag/);
  refused(t, '<h2{% if x %} id="a"{% endif %}{{ attrs }}>', 1, 32, /inside a tag/);
  refused(t, '<h2{% if x %} id={{ v }}{% endif %}>', 1, 18, /unquoted value/);
  refused(t, '<h2{% if x %} onclick="{{ v }}"{% endif %}>', 1, 24, /event-handler/);
  refused(t, '<h2{% if x %}>{% endif %}', 1, 4, /different HTML contexts/);
  refused(t, '<h2{% if x %}>{% else %} id="a"{% endif %}', 1, 4, /different HTML contexts/);
  refused(t, '<h2{% if x %}id="a"{% endif %}>', 1, 4, /different HTML contexts/);
  refused(t, '<h2{% if x %} id="a{% endif %}">', 1, 4, /different HTML contexts/);
  // Without a space the name goes on in one path (`<scrip` + `t>` is a <script>) and not in the other.
  refused(t, '<scrip{% if x %} a{% endif %}t>{{ v }}', 1, 30, /right after an \{% if %\} or \{% for %\} inside the <\w+> tag.*whitespace/);
  refused(t, '<h2{% if x %} id="a"{% endif %}class="b">', 1, 32, /right after an \{% if %\} or \{% for %\} inside the <\w+> tag.*whitespace/);
  refused(t, '<p{% for c in cs %} a{% endfor %}x>', 1, 34, /right after an \{% if %\} or \{% for %\} inside the <\w+> tag.*whitespace/);
  refused(t, '<p{% for c in cs %} a{% endfor %}{% if y %}x{% endif %}>', 1, 44, /right after an \{% if %\} or \{% for %\} inside the <\w+> tag.*whitespace/);

});

// The same seam after an attribute name: the merge used to call every in-tag state "between
// attributes", so `on{% if x %} b{% endif %}click="{{ v }}"` was checked as 'click' but rendered
// as onclick when x is false, and a loop's second pass started after a name its body never saw.
t.test('inside a tag, the paths of an {% if %} or a loop may not go on differently', async (t) => {
  refused(t, '<a on{% if x %} b{% endif %}click="{{ v }}">', 1, 29, /right after an \{% if %\}.*<a> tag/);
  refused(t, '<a hr{% if x %} b{% endif %}ef="{{ v }}">', 1, 29, /whitespace/);
  refused(t, '<a href {% if x %} b{% endif %}="{{ v }}">', 1, 32, /whitespace/);
  refused(t, '<a href {% if x %} b {% endif %}="{{ v }}">', 1, 33, /'=' after an \{% if %\} or \{% for %\} inside the <a> tag.*inside the branch/);
  refused(t, '<a title{% for x in xs %}="{{ x }}" onclick{% endfor %}>', 1, 26, /right after an \{% if %\} or \{% for %\}/);
  refused(t, '<a title {% for x in xs %}="{{ x }}" onclick {% endfor %}>', 1, 27, /right after an \{% if %\} or \{% for %\}/);
  refused(t, '<a {% for x in xs %} ="{{ x }}" onclick {% endfor %}>', 1, 21, /'=' after/);
  refused(t, '<input {% if a %}checked{% endif %}{% if b %}disabled{% endif %}>', 1, 46, /whitespace/);
  t.equal(render('<input {% if a %}checked{% endif %}{% if b %} disabled{% endif %}>', { a: true, b: true }), '<input checked disabled>');
  t.equal(render('<a title="t" {% for x in xs %} data-x{% endfor %}>', { xs: [1, 2] }), '<a title="t"  data-x data-x>');
  t.equal(render('<p{% for x in xs %}>{{ x }}</p><p{% endfor %}>', { xs: ['<'] }), '<p>&lt;</p><p>');
});

// {% spaceless %} trims its body after the checker followed it as written: inside a tag that can
// make another tag (`<scrip` + ` t>` → `<script>`) or move a quote. It stands in text.
t.test('{% spaceless %} starts and ends in text', async (t) => {
  refused(t, '<scrip{% spaceless %} t>{{ v }}{% endspaceless %}</script>', 1, 7, /\{% spaceless %\} must be used in text content/);
  refused(t, '<a {% spaceless %}x="{% endspaceless %}a="{{ v }}">', 1, 4, /\{% spaceless %\} must be used in text content/);
  refused(t, '{% spaceless %}<p {% endspaceless %}class="{{ v }}">', 1, 1, /\{% spaceless %\} must be used in text content/);
  t.equal(render('{% spaceless %} <p title="{{ v }}">\n  <a href="#"> x </a>\n</p> {% endspaceless %}<i>{{ v }}</i>', { v: '<' }), '<p title="&lt;"><a href="#"> x </a></p><i>&lt;</i>');
  t.equal(render('{% spaceless %} <p>\n</p> {% endspaceless %}<a href="{{ u }}">', { u: 'javascript:x' }), `<p></p><a href="${UNSAFE_URL}">`);
});
