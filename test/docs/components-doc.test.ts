/**
 * docs/components.md shows what works: its template files (```html blocks starting
 * `{# templates/x.html #}`) compile together, and each ```html output block (info: `output
 * <template> <context JSON>`) is exactly what that template renders. Templates may show the live
 * components and views the doc's TypeScript declares. components-app.test.ts runs its example app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createScope, createTemplateLoader, renderToString } from '../../server/template/index.ts';
import { assemble, codeBlocks, ROOT, WORK } from './doc-blocks.ts';

const doc = assemble('docs/components.md', join(WORK, 'components-doc'));
const outputs = codeBlocks(readFileSync(join(ROOT, 'docs', 'components.md'), 'utf8')).filter((b) => b.lang === 'html' && b.info.startsWith('output '));

t.ok(doc.files.includes('templates/components/card.html'), `the doc writes its card component: ${doc.files.join(', ')}`);
t.ok(outputs.length >= 1, `${outputs.length} outputs shown`);

// The live components and views the doc's TypeScript declares are the ones its templates may show.
const source = readFileSync(join(ROOT, 'docs', 'components.md'), 'utf8');
const declared = (base: string) => new Set([...source.matchAll(new RegExp(`class (\\w+) extends ${base}\\b`, 'g'))].map((m) => m[1]));
const components = declared('LiveComponent');
const views = declared('LiveView');
t.ok(components.has('Counter') && views.has('ScoreboardView'), `components ${[...components].join(', ')}; views ${[...views].join(', ')}`);

const loader = createTemplateLoader(join(doc.dir, 'templates'), { components, views });
t.doesNotThrow(() => loader.compileAll(), 'every template of the doc compiles');

for (const block of outputs) {
  const [, name, ...json] = block.info.split(/\s+/);
  t.test(`components.md line ${block.line}: ${name}`, async (t) => {
    const html = renderToString(loader.load(name), createScope(JSON.parse(json.join(' ')) as Record<string, unknown>));
    t.equal(html.trim(), block.code.trim());
  });
}
