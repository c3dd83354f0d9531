/**
 * Helpers for the docs tests (test/docs/*.test.ts): the code blocks of a Markdown file, and an
 * app assembled from them under .livery/doc-blocks/ (gitignored) — inside the repository so that
 * `zod` and `@mikro-orm/*` resolve from its node_modules, with imports of `livery`,
 * `livery/data` and `livery/testing` pointed at the sources (an app gets them from the package).
 *
 * A block whose first line is a path comment (`// views/notes.ts`, in HTML
 * `{# templates/notes.html #}`) is that file of the app; a ```ts block without one is a module
 * of its own; ```ts fragment blocks (a few lines out of a file) are skipped, and ```ts signatures
 * blocks (lines quoted from the sources) are collected for checking against them.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORK = join(ROOT, '.livery', 'doc-blocks');
const TEMPLATE = join(ROOT, 'server', 'cli', 'template');
const PACKAGE_ENTRIES: Record<string, string> = {
  livery: 'server/index.ts',
  'livery/data': 'server/data/index.ts',
  'livery/testing': 'server/testing/index.ts',
};

export interface Block {
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
export function pathOf(block: Block): string | undefined {
  const first = block.code.split('\n', 1)[0];
  const match = /^\/\/ ([\w./-]+\.ts)\b/.exec(first) ?? /^\{# ([\w./-]+\.html) #\}$/.exec(first);
  return match?.[1];
}

/** Points `livery…` imports at the sources, relative to where the file lands. */
export function resolvePackageImports(code: string, file: string): string {
  return code.replace(/from '(livery(?:\/\w+)?)'/g, (whole, name: string) => {
    const target = PACKAGE_ENTRIES[name];
    if (target === undefined) return whole; // left as is: the type check then names the bad import
    const path = relative(dirname(file), join(ROOT, target));
    return `from '${path.startsWith('.') ? path : `./${path}`}'`;
  });
}

export interface Assembled {
  readonly dir: string;
  /** Files written from the doc, relative to `dir`. */
  readonly files: string[];
  readonly checked: number;
  readonly fragments: number;
  /** ```ts signatures blocks: lines copied from the sources, checked against them. */
  readonly signatures: string[];
}

/** Writes a doc's blocks into `dir` (over `base`, if given). */
export function assemble(doc: string, dir: string, base?: (dir: string) => void): Assembled {
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
export function scaffold(dir: string): void {
  cpSync(TEMPLATE, dir, { recursive: true });
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, resolvePackageImports(text.replaceAll('__APP_NAME__', 'my-app'), file));
  }
}

export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

export function run(command: string, args: string[], cwd: string, timeout = 110_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, env: childEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The environment for the commands, as a shell has it: without the test runner's settings (TAP_*, NODE_OPTIONS). */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !/^_?TAP/.test(name)));
  return { ...env, NODE_ENV: 'development' };
}
