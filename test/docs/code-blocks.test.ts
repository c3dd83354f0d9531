/**
 * The docs' code stays true: every ```ts block in docs/guide.md, docs/views.md, docs/navigation.md, docs/components.md,
 * docs/client.md and README.md
 * type-checks with the project's TypeScript (fragments aside), and the view reference quotes
 * LiveView's signatures and names all its hooks and helpers. The guide's files are laid over the
 * app `livery new` writes, so the guide is checked as the app a reader ends up with.
 * guide-migration.test.ts runs the guide's migration step, guide-app.test.ts the guide's tests,
 * navigation-app.test.ts the navigation page's.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { assemble, ROOT, run, scaffold, WORK } from './doc-blocks.ts';

const CHECK = join(WORK, 'check');
const guide = assemble('docs/guide.md', join(CHECK, 'guide'), scaffold);
const views = assemble('docs/views.md', join(CHECK, 'views'));
const readme = assemble('README.md', join(CHECK, 'readme'));
const navigation = assemble('docs/navigation.md', join(CHECK, 'navigation'), scaffold);
const components = assemble('docs/components.md', join(CHECK, 'components'), scaffold);
const client = assemble('docs/client.md', join(CHECK, 'client'));

t.test('the docs have their code blocks', async (t) => {
  t.ok(guide.checked >= 5, `guide: ${guide.checked} TypeScript files checked, ${guide.fragments} fragments`);
  for (const file of ['app.ts', 'data/note.ts', 'views/notes.ts', 'views/index.ts', 'templates/notes.html', 'test/notes.test.ts', 'test/first-note.test.ts']) {
    t.ok(guide.files.includes(file), `the guide writes ${file}`);
  }
  t.ok(views.checked >= 3, `views.md: ${views.checked} blocks checked, ${views.fragments} fragments`);
  t.ok(readme.checked >= 2, `README: ${readme.checked} blocks checked, ${readme.fragments} fragments`);
  t.ok(navigation.checked >= 4, `navigation.md: ${navigation.checked} TypeScript files checked`);
  t.ok(components.checked >= 3, `components.md: ${components.checked} TypeScript blocks checked`);
  t.ok(client.checked >= 2, `client.md: ${client.checked} TypeScript blocks checked`);
});

t.test('every checked block type-checks', async (t) => {
  writeFileSync(join(CHECK, 'tsconfig.json'), JSON.stringify({
    extends: '../../../tsconfig.json',
    include: ['**/*.ts'],
  }, null, 2));
  // lib/tsc.js, not bin/tsc: the runner's process hook cannot load bin/tsc (ERR_REQUIRE_CYCLE_MODULE).
  const tsc = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const { code, output } = await run(process.execPath, [tsc, '--noEmit', '-p', join(CHECK, 'tsconfig.json')], ROOT);
  t.equal(code, 0, 'tsc --noEmit passes');
  t.equal(output.trim(), '', 'no diagnostics');
});

t.test('the view reference quotes the signatures as the sources declare them', async (t) => {
  const sources = ['server/view/live-view.ts', 'server/data/scoped.ts', 'server/data/notify-on-save.ts']
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .join('\n');
  const lines = views.signatures.flatMap((block) => block.split('\n')).map((line) => line.trim()).filter(Boolean);
  t.ok(lines.length >= 15, `${lines.length} signatures quoted`);
  for (const line of lines) t.ok(sources.includes(line), line);
});

t.test('the view reference names every hook and helper of LiveView', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'views.md'), 'utf8');
  const { RESERVED_NAMES } = await import('../../server/view/live-view.ts');
  for (const name of RESERVED_NAMES) {
    if (name === 'constructor') continue;
    t.match(doc, new RegExp(`\\| \`(this\\.)?${name}\\b`), `${name} has a row in a table`);
  }
  for (const name of ['template', 'events', 'tickInterval', 'watch']) t.match(doc, `| \`${name}\` |`, `static ${name}`);
});

t.test('the docs link only to docs that exist', async (t) => {
  for (const doc of ['docs/guide.md', 'docs/views.md', 'docs/navigation.md', 'README.md']) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([\w./-]+\.md)(?:#[\w-]*)?\)/g)) {
      t.ok(existsSync(join(ROOT, dirname(doc), target)), `${doc} → ${target}`);
    }
  }
});

/** The anchors a Markdown file's headings get (GitHub's rule: lower case, punctuation dropped, spaces as dashes, repeats numbered). */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

t.test('every link to a section names a heading that exists', async (t) => {
  const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  for (const doc of docs) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const [link, file, anchor] of text.matchAll(/\]\(([\w./-]+\.md)?#([\w-]+)\)/g)) {
      const target = file === undefined ? doc : join(dirname(doc), file);
      if (!existsSync(join(ROOT, target))) {
        t.fail(`${doc}: ${link} names a file that does not exist`);
        continue;
      }
      t.ok(anchors(readFileSync(join(ROOT, target), 'utf8')).has(anchor), `${doc}: ${link}`);
    }
  }
});
