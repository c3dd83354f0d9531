// Block tags nested past MAX_NESTING are a syntax error with a place, not a stack overflow
// (found by the fuzzer, test/fuzz/template-fuzz.ts: ~1,500 nested tags threw a RangeError).
import t from 'tap';
import { compileTemplate, createScope, renderToString, TemplateSyntaxError } from '../../server/template/index.ts';
import { MAX_NESTING } from '../../server/template/parser.ts';

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + '{{ a }}' + close.repeat(depth);

t.test('as deep as allowed: compiles and renders', async (t) => {
  const template = compileTemplate(nested(MAX_NESTING, '{% if a %}', '{% endif %}'), { name: 'deep.html' });
  t.equal(renderToString(template, createScope({ a: 'x' })), 'x');
});

t.test('deeper: LV_TEMPLATE_SYNTAX at the tag that goes too deep', async (t) => {
  for (const [open, close] of [['{% if a %}', '{% endif %}'], ['{% for x in a %}', '{% endfor %}'], ['{% with b=a %}', '{% endwith %}'], ['{% autoescape off %}', '{% endautoescape %}']]) {
    for (const depth of [MAX_NESTING + 1, 5_000]) {
      const error = t.throws(() => compileTemplate(nested(depth, open!, close!), { name: 'deep.html' })) as unknown;
      t.ok(error instanceof TemplateSyntaxError, `${open} × ${depth}: a template syntax error`);
      const e = error as TemplateSyntaxError;
      t.equal(e.code, 'LV_TEMPLATE_SYNTAX');
      t.equal(e.column, MAX_NESTING * open!.length + 1, 'pointing at the tag one level too deep');
      t.match(e.message, /nested more than 100 deep/);
    }
  }
});
