// Compile errors name file:line:column and say what to do; a template directory reports every
// failing file at once; loaders cache, invalidate and resolve includes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  compileTemplate,
  createMemoryLoader,
  createScope,
  createTemplateLoader,
  renderToString,
  TemplateCompileErrors,
  TemplateDoesNotExist,
  TemplateSyntaxError,
} from '../../server/template/index.ts';

function syntaxError(source: string): TemplateSyntaxError {
  try {
    compileTemplate(source, { name: 'views/counter.html' });
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return error;
    throw error;
  }
  throw new Error(`compiled without error: ${source}`);
}

t.test('syntax errors carry file, line and column', async (t) => {
  const cases: [source: string, line: number, column: number, message: string][] = [
    ['<p>\n  {{ count|nope }}</p>', 2, 3, "Invalid filter: 'nope'"],
    ['a\nb {% frobnicate x %}', 2, 3, "Invalid block tag on line 2: 'frobnicate'. Did you forget to register or load this tag?"],
    ['{% if a %}\n{% endfor %}', 2, 1, "Invalid block tag on line 2: 'endfor', expected 'elif', 'else' or 'endif'."],
    ['x\n  {% if a %}\n{{ b }}', 2, 3, "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif."],
    ['{% for x in y %}{% if a %}{% endfor %}', 1, 27, "Invalid block tag on line 1: 'endfor', expected 'elif', 'else' or 'endif'."],
    ['{% comment %}never closed', 1, 1, "Unclosed tag on line 1: 'comment'. Looking for one of: endcomment."],
    ['\n\n   {{ }}', 3, 4, 'Empty variable tag on line 3'],
    ['{{ a|default }}', 1, 1, 'default requires 2 arguments, 1 provided'],
    ['{{ a|upper:"x" }}', 1, 1, 'upper requires 1 arguments, 2 provided'],
    ['{{ a._secret }}', 1, 1, "Variables and attributes may not begin with underscores: 'a._secret'"],
    ['{{ a b }}', 1, 1, "Could not parse the remainder: ' b' from 'a b'"],
    ['{% if a == %}{% endif %}', 1, 1, 'Unexpected end of expression in if tag.'],
    ['{% if a b %}{% endif %}', 1, 1, "Unused 'b' at end of if expression."],
    ['{% for x in %}{% endfor %}', 1, 1, "'for' statements should have at least four words: for x in"],
    ['{% with %}{% endwith %}', 1, 1, "'with' expected at least one variable assignment"],
    ['{% load humanize %}', 1, 1, "Unsupported tag on line 1: 'load'. Livery has no tag libraries"],
    ['{% csrf_token %}', 1, 1, "Unsupported tag on line 1: 'csrf_token'."],
    ['{% autoescape maybe %}{% endautoescape %}', 1, 1, "'autoescape' argument should be 'on' or 'off'"],
  ];
  for (const [source, line, column, message] of cases) {
    const error = syntaxError(source);
    t.equal(error.code, 'LV_TEMPLATE_SYNTAX', source);
    t.same([error.file, error.line, error.column], ['views/counter.html', line, column], source);
    t.ok(error.message.startsWith(`views/counter.html:${line}:${column}: ${message}`), `${source} → ${error.message}`);
  }
});

t.test('a missing include fails at compile time, at the include', async (t) => {
  const loader = createMemoryLoader({ 'page.html': '<main>\n  {% include "missing.html" %}</main>' });
  t.throws(() => loader.load('page.html'), { name: 'TemplateDoesNotExist', code: 'LV_TEMPLATE_NOT_FOUND', file: 'page.html', line: 2, column: 3, templateName: 'missing.html' });
  t.throws(() => loader.load('nope.html'), { name: 'TemplateDoesNotExist', file: 'nope.html', line: 0, column: 0 });
  t.throws(() => compileTemplate('{% include "a.html" %}', { name: 'x.html' }), TemplateDoesNotExist, 'no loader, no includes');
});

t.test('a broken included template reports its own position', async (t) => {
  const loader = createMemoryLoader({ 'page.html': '{% include "part.html" %}', 'part.html': '\n{{ x|bad }}' });
  t.throws(() => loader.load('page.html'), { name: 'TemplateSyntaxError', file: 'part.html', line: 2, column: 1 });
});

t.test('createTemplateLoader: compileAll reports every failing file in one error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livery-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'ok.html'), '<p>{{ x }}</p>{% include "partials/row.html" %}');
  writeFileSync(join(dir, 'partials', 'row.html'), '<li>{{ y }}</li>');
  writeFileSync(join(dir, 'bad-filter.html'), '<p>\n{{ x|nope }}</p>');
  writeFileSync(join(dir, 'partials', 'bad-attr.html'), '<div {{ attrs }}></div>');
  writeFileSync(join(dir, 'uses-bad.html'), '{% include "partials/bad-attr.html" %}');
  writeFileSync(join(dir, 'missing.html'), '{% if a %}\n  {% include "nowhere.html" %}{% endif %}');
  writeFileSync(join(dir, 'notes.txt'), '{{ not a template }}');

  const loader = createTemplateLoader(dir);
  let caught: unknown;
  try {
    loader.compileAll();
  } catch (error) {
    caught = error;
  }
  t.ok(caught instanceof TemplateCompileErrors, 'one aggregate error');
  const error = caught as TemplateCompileErrors;
  t.equal(error.code, 'LV_TEMPLATE_COMPILE');
  const positions = error.errors.map((e) => (e as TemplateSyntaxError).message.split(': ')[0]).sort();
  t.same(positions, ['bad-filter.html:2:1', 'missing.html:2:3', 'partials/bad-attr.html:1:6'], 'each failing file once, with line and column');
  for (const position of positions) t.match(error.message, position);

  rmSync(join(dir, 'bad-filter.html'));
  writeFileSync(join(dir, 'partials', 'bad-attr.html'), '<div class="{{ attrs }}"></div>');
  writeFileSync(join(dir, 'missing.html'), 'fixed');
  loader.invalidate();
  t.same(loader.compileAll().map((tpl) => tpl.name), ['missing.html', 'ok.html', 'partials/bad-attr.html', 'partials/row.html', 'uses-bad.html']);
  t.equal(renderToString(loader.load('ok.html'), createScope({ x: 1, y: 2 })), '<p>1</p><li>2</li>');
  t.throws(() => loader.load('../outside.html'), TemplateDoesNotExist, 'names cannot leave the directory');
});

t.test('loaders cache compiled templates; invalidate(name) drops it and its includers', async (t) => {
  const sources: Record<string, string> = { 'row.html': 'v1', 'list.html': '[{% include "row.html" %}]', 'other.html': 'o' };
  const dir = mkdtempSync(join(tmpdir(), 'livery-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, source] of Object.entries(sources)) writeFileSync(join(dir, name), source);
  const loader = createTemplateLoader(dir);
  const list = loader.load('list.html');
  const other = loader.load('other.html');
  t.equal(loader.load('list.html'), list, 'cached');
  writeFileSync(join(dir, 'row.html'), 'v2');
  t.equal(renderToString(loader.load('list.html'), createScope({})), '[v1]', 'still the compiled copy');
  loader.invalidate('row.html');
  t.not(loader.load('list.html'), list, 'the includer was dropped too');
  t.equal(renderToString(loader.load('list.html'), createScope({})), '[v2]');
  t.equal(loader.load('other.html'), other, 'unrelated templates stay cached');

  const memory = createMemoryLoader({ 'a.html': '{{ x }}' });
  t.equal(memory.load('a.html'), memory.load('a.html'));
});
