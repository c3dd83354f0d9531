import { compileTemplate, createScope, renderToString } from './server/template/index.ts';
import { renderBlock, updateBlock, StaticsCollector, encodeRoot } from './server/diff/index.ts';
for (const [open, close] of [['{% if a %}', '{% endif %}'], ['{% for x in items %}', '{% endfor %}'], ['{% with y=a %}', '{% endwith %}']]) {
  for (const depth of [100, 200, 400, 800, 1600, 3200]) {
    let stage = 'compile';
    try {
      const t = compileTemplate(open.repeat(depth) + '{{ a }}' + close.repeat(depth), { name: 'x' });
      stage = 'render';
      renderToString(t, createScope({ a: 1, items: [1] }));
      stage = 'tree';
      const tree = renderBlock(t.root, createScope({ a: 1, items: [1] }));
      stage = 'encode';
      encodeRoot(tree, new StaticsCollector(new Set()));
      stage = 'ok';
    } catch (e) { stage += ' ' + (e as Error).constructor.name; }
    console.log(open, depth, stage);
  }
}
for (const n of [100, 1000, 5000]) {
  for (const src of [`{{ a${'|default:a'.repeat(n)} }}`, `{% if ${Array.from({ length: n }, () => 'a').join(' and ')} %}x{% endif %}`, `{% if ${'not '.repeat(n)}a %}x{% endif %}`]) {
    let stage = 'compile';
    try { const t = compileTemplate(src, { name: 'x' }); stage = 'render'; renderToString(t, createScope({ a: 1 })); stage = 'ok'; } catch (e) { stage += ' ' + (e as Error).constructor.name + ' ' + (e as Error).message.slice(0, 80); }
    console.log(src.slice(0, 20), n, stage);
  }
}
