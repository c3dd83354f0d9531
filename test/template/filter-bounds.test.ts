// Filters given hostile data (a visitor's text, a width from state, lists nested thousands deep):
// bounded work, no prototype reads, and links only to safe schemes.
import t from 'tap';
import { createMemoryLoader, createScope, renderToString } from '../../server/template/index.ts';

const render = (template: string, context: Record<string, unknown>) =>
  renderToString(createMemoryLoader({ t: template }).load('t'), createScope(context));

t.test('a width from data cannot make a filter write gigabytes', async (t) => {
  for (const f of ['center', 'ljust', 'rjust']) {
    t.equal(render(`{{ v|${f}:w }}`, { v: 'x', w: 1e9 }), 'x', `${f} past 10,000 renders the value as it is`);
    t.equal(render(`{{ v|${f}:w }}`, { v: 'x', w: 3 }).length, 3, `${f} within the bound pads`);
  }
  t.equal(render('[{{ v|stringformat:spec }}]', { v: 'x', spec: '999999999s' }), '[]', 'stringformat width');
  t.equal(render('[{{ v|stringformat:spec }}]', { v: 1, spec: '.999999999f' }), '[]', 'stringformat precision');
  for (const conv of ['f', 'e', 'g']) t.equal(render(`[{{ v|stringformat:".101${conv}" }}]`, { v: 1 }), '[]', `%.101${conv}: past what JS can write`);
  t.equal(render('{{ v|stringformat:".100f" }}', { v: 1 }), `1.${'0'.repeat(100)}`, '%.100f still works');
});

t.test('lists nested 2,000 deep render with bounded recursion', async (t) => {
  let deep: unknown[] = ['leaf'];
  for (let i = 0; i < 2_000; i++) deep = ['x', deep];
  const html = render('{{ v|unordered_list }}', { v: deep });
  t.equal(html.split('<ul>').length - 1, 99, 'nested <ul>s stop at 100 levels; deeper lists print as text');
  t.throws(() => render('{{ v|json_script }}', { v: deep }), { message: /nested more than 1,000 levels/ }, 'json_script refuses instead of overflowing');
});

t.test('dictsort never reads the prototype', async (t) => {
  const v = [{ a: 1 }, { a: 2 }];
  for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    t.equal(render(`[{{ v|dictsort:"${key}" }}]`, { v }), '[]', key);
  }
  t.equal(render('{% for x in v|dictsort:"constructor" %}{{ x.n }}{% endfor %}', { v: [{ constructor: 2, n: 'b' }, { constructor: 1, n: 'a' }] }), 'ab', 'an own key of that name is data');
});

t.test('urlize links only to http(s) and mailto, with everything else escaped', async (t) => {
  const hostile = [
    'javascript:alert(1)',
    'javascript:alert(1)//x.com',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '"><script>alert(1)</script>www.x.com',
    "www.x.com/'onmouseover='alert(1)",
    'http://x.com/"><img src=x onerror=alert(1)>',
    'vbscript:msgbox(1)',
  ];
  for (const text of hostile) {
    const html = render('{{ v|urlize }}', { v: text });
    for (const m of html.matchAll(/href="([^"]*)"/g)) t.match(m[1], /^(https?:\/\/|mailto:)/, `${text}: href ${m[1]}`);
    t.notMatch(html, /<(?!a |\/a>)/, `${text}: no tag but the link: ${html}`);
    t.notMatch(html.replace(/<a href="[^"]*"( rel="nofollow")?>|<\/a>/g, ''), /["']/, `${text}: no raw quote outside the link's own attributes`);
  }
});
