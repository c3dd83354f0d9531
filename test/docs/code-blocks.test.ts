/**
 * The docs' code stays true. Every ```ts block in docs/guide.md, docs/views.md and README.md is
 * type-checked with the project's TypeScript, except blocks marked ```ts fragment (a few lines
 * out of a file). A block whose first line is a path comment (`// views/notes.ts`, in HTML
 * `{# templates/notes.html #}`) is that file of an app; other blocks are checked as modules of
 * their own.
 *
 * The guide's files are laid over the app `livery new` writes (its template), so the guide is
 * checked as the app a reader ends up with: its migration step (`livery migrate --create notes`)
 * is run against it, and its test file is run with `node --test`, as the app's `npm test` does.
 *
 * The apps are assembled under .livery/doc-blocks/ (gitignored), inside the repository so that
 * `zod` and `@mikro-orm/*` resolve from its node_modules; imports of `livery`, `livery/data` and
 * `livery/testing` are pointed at the sources (an app gets them from the package).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, '.livery', 'doc-blocks');
const TEMPLATE = join(ROOT, 'server', 'cli', 'template');
const PACKAGE_ENTRIES: Record<string, string> = {
  livery: 'server/index.ts',
  'livery/data': 'server/data/index.ts',
  'livery/testing': 'server/testing/index.ts',
};

interface Block {
  readonly lang: string;
  readonly info: string;
  readonly code: string;
  readonly line: number;
}

/** Fenced code blocks (also indented ones, inside list items), dedented. */
export function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^([ \t]*)```(\w+)([^\n]*)\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const [, indent, lang, info, body] = match;
    const code = body.split('\n').map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n');
    blocks.push({ lang, info: info.trim(), code, line: markdown.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** The file a block is, from its first line: `// path.ts` or `{# path.html #}`; undefined for none. */
function pathOf(block: Block): string | undefined {
  const first = block.code.split('\n', 1)[0];
  const match = /^\/\/ ([\w./-]+\.ts)\b/.exec(first) ?? /^\{# ([\w./-]+\.html) #\}$/.exec(first);
  return match?.[1];
}

/** Points `livery…` imports at the sources, relative to where the file lands. */
function resolvePackageImports(code: string, file: string): string {
  return code.replace(/from '(livery(?:\/\w+)?)'/g, (whole, name: string) => {
    const target = PACKAGE_ENTRIES[name];
    if (target === undefined) return whole; // left as is: the type check then names the bad import
    const path = relative(dirname(file), join(ROOT, target));
    return `from '${path.startsWith('.') ? path : `./${path}`}'`;
  });
}

interface Assembled {
  readonly dir: string;
  /** Files written from the doc, relative to `dir`. */
  readonly files: string[];
  readonly checked: number;
  readonly fragments: number;
  /** ```ts signatures blocks: lines copied from the sources, checked against them. */
  readonly signatures: string[];
}

/** Writes a doc's blocks into `dir` (over `base`, if given). */
function assemble(doc: string, dir: string, base?: (dir: string) => void): Assembled {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  base?.(dir);
  const files: string[] = [];
  let checked = 0;
  let fragments = 0;
  const signatures: string[] = [];
  for (const block of codeBlocks(readFileSync(join(ROOT, doc), 'utf8'))) {
    if (block.lang !== 'ts' && block.lang !== 'html') continue;
    if (block.info.split(/\s+/).includes('signatures')) {
      signatures.push(block.code);
      continue;
    }
    if (block.info.split(/\s+/).includes('fragment')) {
      fragments++;
      continue;
    }
    const path = pathOf(block);
    if (block.lang === 'html' && path === undefined) continue;
    const file = path ?? `block-at-line-${block.line}.ts`;
    const full = join(dir, file);
    mkdirSync(dirname(full), { recursive: true });
    // A block without a path is a module of its own (not a script sharing the global scope).
    const code = path === undefined ? `${block.code}\nexport {};\n` : block.code;
    writeFileSync(full, block.lang === 'ts' ? resolvePackageImports(code, full) : code);
    files.push(file);
    if (block.lang === 'ts') checked++;
  }
  return { dir, files, checked, fragments, signatures };
}

/** The `livery new` template as `livery new my-app` writes it (names filled in, dotfiles aside). */
function scaffold(dir: string): void {
  cpSync(TEMPLATE, dir, { recursive: true });
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, resolvePackageImports(text.replaceAll('__APP_NAME__', 'my-app'), file));
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function run(command: string, args: string[], cwd: string, timeout = 110_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, env: childEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const guide = assemble('docs/guide.md', join(WORK, 'guide'), scaffold);
const views = assemble('docs/views.md', join(WORK, 'views'));
const readme = assemble('README.md', join(WORK, 'readme'));

t.test('the docs have their code blocks', async (t) => {
  t.ok(guide.checked >= 5, `guide: ${guide.checked} TypeScript files checked, ${guide.fragments} fragments`);
  for (const file of ['app.ts', 'data/note.ts', 'views/notes.ts', 'views/index.ts', 'templates/notes.html', 'test/notes.test.ts']) {
    t.ok(guide.files.includes(file), `the guide writes ${file}`);
  }
  t.ok(views.checked >= 3, `views.md: ${views.checked} blocks checked, ${views.fragments} fragments`);
  t.ok(readme.checked >= 2, `README: ${readme.checked} blocks checked, ${readme.fragments} fragments`);
});

t.test('every checked block type-checks', async (t) => {
  writeFileSync(join(WORK, 'tsconfig.json'), JSON.stringify({
    extends: '../../tsconfig.json',
    include: ['**/*.ts'],
  }, null, 2));
  // lib/tsc.js, not bin/tsc: the runner's process hook cannot load bin/tsc (ERR_REQUIRE_CYCLE_MODULE).
  const tsc = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const { code, output } = await run(process.execPath, [tsc, '--noEmit', '-p', join(WORK, 'tsconfig.json')], ROOT);
  t.equal(code, 0, 'tsc --noEmit passes');
  t.equal(output.trim(), '', 'no diagnostics');
});

t.test('the guide\'s migration step writes the notes migration', async (t) => {
  const migrations = join(guide.dir, 'data', 'migrations');
  const { code, output } = await run(process.execPath, [join(ROOT, 'server', 'cli', 'livery.js'), 'migrate', '--create', 'notes'], guide.dir);
  t.equal(code, 0, output);
  const written = readdirSync(migrations).filter((name) => name.endsWith('_notes.ts'));
  t.equal(written.length, 1, 'Migration<timestamp>_notes.ts');
  const sql = readFileSync(join(migrations, written[0]), 'utf8');
  t.match(sql, 'create table "notes"');
  t.match(sql, 'enable row level security');
  t.match(sql, 'notes_tenant_policy');
});

t.test('the guide\'s test passes against the guide\'s app', async (t) => {
  t.ok(existsSync(join(guide.dir, 'test', 'notes.test.ts')));
  const { code, output } = await run(process.execPath, ['--test', '--test-reporter=spec', 'test/notes.test.ts'], guide.dir);
  t.equal(code, 0, output);
  t.match(output, /pass 3/);
  t.match(output, /fail 0/);
});

/** The environment for the commands, as a shell has it: without the test runner's settings (TAP_*, NODE_OPTIONS). */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !/^_?TAP/.test(name)));
  return { ...env, NODE_ENV: 'development' };
}

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
