// floatformat writes at most 100 places and numbers of at most 1,000 digits (found by the fuzzer,
// test/fuzz/template-fuzz.ts: `{{ a|floatformat:b }}` with b = 536870831 built a string of half a
// billion zeros and failed with a RangeError; a value like "1e400000000" from a visitor did the same).
import t from 'tap';
import { compileTemplate, createScope, renderToString } from '../../server/template/index.ts';

const render = (source: string, context: Record<string, unknown>) => renderToString(compileTemplate(source, { name: 'x.html' }), createScope(context));

t.test('places from data: at most 100', async (t) => {
  t.equal(render('{{ a|floatformat:b }}', { a: 1.5, b: 100 }), `1.${'5'.padEnd(100, '0')}`, '100 places are written');
  for (const b of [101, 536_870_831, -536_870_831, '99999999999']) {
    t.equal(render('{{ a|floatformat:b }}', { a: 1.5, b }), '1.5', `${b} places: the value as it is`);
  }
});

t.test('numbers from data: at most 1,000 digits', async (t) => {
  t.equal(render('{{ a|floatformat:0 }}', { a: `1e${998}` }), `1${'0'.repeat(998)}`, '999 digits are written');
  for (const a of ['1e400000000', '1e-400000000', `0.${'1'.repeat(1_001)}`]) {
    const out = render('{{ a|floatformat:2 }}', { a });
    t.equal(out, a, `${a.slice(0, 20)}…: as it is`);
  }
});
