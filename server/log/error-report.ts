/**
 * Turns an error into what the dev overlay and the terminal show: a title, the message, the file,
 * line and column it is about, a code frame and the stack.
 *
 * Where the error is comes from, in order: the error's own position (template errors carry
 * `file`/`line`/`column`; a StartupError carries the template errors it collected), Node's
 * syntax-error header (`/path/file.ts:12` followed by the source line and a caret), or the
 * first stack frame in the app's own code (not node_modules, not Node's internals).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../config/checks.ts';
import { LiveryError } from '../errors.ts';
import type { DevErrorReport } from '../protocol/index.ts';

export type { DevErrorReport };

interface Located {
  file: string;
  line: number;
  column: number;
}

export interface DescribeOptions {
  /** A title instead of the error's name. */
  readonly title?: string;
  /** Where relative file names (template names) live, e.g. the templates directory. */
  readonly baseDir?: string;
}

export function describeError(error: unknown, options: DescribeOptions = {}): DevErrorReport {
  const err = error instanceof Error ? error : new Error(String(error));
  const inner = firstLocatedCause(err);
  const where = positionOf(inner) ?? syntaxHeaderOf(err) ?? appFrameOf(err);
  const path = where === undefined ? undefined : absolute(where.file, options.baseDir);
  const frame = where === undefined || path === undefined ? undefined : codeFrame(path, where.line, where.column);
  return {
    // A StartupError about one template is shown as that template's error.
    title: options.title ?? titleOf(inner),
    message: inner.message,
    ...(where === undefined ? {} : { file: path === undefined ? where.file : shown(path), line: where.line, column: where.column }),
    ...(frame === undefined ? {} : { frame }),
    ...(err.stack === undefined ? {} : { stack: err.stack }),
  };
}

/**
 * `line` (1-based) with two lines of context either side, a gutter of line numbers and a caret
 * under `column` (1-based; 0 = no caret). Undefined when the file cannot be read.
 */
export function codeFrame(file: string, line: number, column: number, context = 2): string | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = source.split(/\r?\n/);
  if (line < 1 || line > lines.length) return undefined;
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
    if (n === line && column > 0) out.push(`  ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
  }
  return out.join('\n');
}

/** A human title: a template error says so; otherwise the error's name. */
function titleOf(err: Error): string {
  if (err instanceof LiveryError && err.code.startsWith('LV_TEMPLATE')) return 'Template error';
  if (err instanceof StartupError) return 'Livery cannot start';
  return err.name || 'Error';
}

/** The error itself, or for a StartupError the first collected error that has a position. */
function firstLocatedCause(err: Error): Error {
  const problems = err instanceof StartupError ? err.problems : [];
  for (const problem of problems) if (problem.error instanceof Error && positionOf(problem.error)) return problem.error;
  return err;
}

function positionOf(err: Error): Located | undefined {
  const { file, line, column } = err as Partial<Located>;
  if (typeof file !== 'string' || typeof line !== 'number' || line < 1) return undefined;
  return { file, line, column: typeof column === 'number' ? column : 0 };
}

/**
 * Node's header for syntax errors: `/app/views/x.ts:12`, the source line(s), then a line with a
 * caret under the column the parser stopped at.
 */
function syntaxHeaderOf(err: Error): Located | undefined {
  const lines = (err.stack ?? '').split('\n');
  const head = /^(?:file:\/\/)?(\/[^:]+):(\d+)$/.exec(lines[0] ?? '');
  if (head === null) return undefined;
  const caret = lines.slice(1, 8).find((line) => /^\s*\^+\s*$/.test(line));
  return { file: fileOf(head[1]), line: Number(head[2]), column: caret === undefined ? 0 : caret.indexOf('^') + 1 };
}

/** The first stack frame in the app's code: `at fn (file:///app/views/x.ts:12:5)`. */
function appFrameOf(err: Error): Located | undefined {
  for (const match of (err.stack ?? '').matchAll(/\(?((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)\)?$/gm)) {
    const file = fileOf(match[1]);
    if (file.includes('/node_modules/')) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

function fileOf(text: string): string {
  return text.startsWith('file://') ? fileURLToPath(text) : text;
}

/** A path as the developer knows it: relative to the app's directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function absolute(file: string, baseDir: string | undefined): string | undefined {
  if (isAbsolute(file)) return file;
  return baseDir === undefined ? undefined : resolve(baseDir, file);
}
