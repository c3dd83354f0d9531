/**
 * docs/templates.md shows what works: its template files (```html blocks starting `{# templates/x.html #}`)
 * compile together with its tags and filters modules (```ts blocks starting `// tags.ts`, `// filters.ts`), and each
 * ```html output block (info: `output <template> <context JSON>`) is exactly what that template renders.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { createTemplateLoader, createScope, renderToString, type TagDefinitions, type TemplateFilters } from '../../server/template/index.ts';
import { assemble, codeBlocks, ROOT, WORK } from './doc-blocks.ts';

const doc = assemble('docs/templates.md', join(WORK, 'templates-doc'));
const outputs = codeBlocks(readFileSync(join(ROOT, 'docs', 'templates.md'), 'utf8')).filter((b) => b.lang === 'html' && b.info.startsWith('output '));

t.ok(doc.files.includes('tags.ts'), 'the doc writes tags.ts');
t.ok(doc.files.filter((f) => f.startsWith('templates/')).length >= 3, `templates: ${doc.files.join(', ')}`);
t.ok(outputs.length >= 2, `${outputs.length} outputs shown`);

const { tags } = (await import(pathToFileURL(join(doc.dir, 'tags.ts')).href)) as { tags: TagDefinitions };
// The doc's filters example (filters.ts) is part of the same templates folder.
const { filters } = (await import(pathToFileURL(join(doc.dir, 'filters.ts')).href)) as { filters: TemplateFilters };
const loader = createTemplateLoader(join(doc.dir, 'templates'), { tags, filters });
t.doesNotThrow(() => loader.compileAll(), 'every template of the doc compiles');

for (const block of outputs) {
  const [, name, ...json] = block.info.split(/\s+/);
  t.test(`templates.md line ${block.line}: ${name}`, async (t) => {
    const html = renderToString(loader.load(name), createScope(JSON.parse(json.join(' ')) as Record<string, unknown>));
    t.equal(html.trim(), block.code.trim());
  });
}
