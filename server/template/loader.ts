/**
 * Template loaders: a directory of files (`createTemplateLoader`) and an in-memory set
 * (`createMemoryLoader`). Both compile on first use and cache per (name, autoescape): an
 * include under `{% autoescape off %}` needs its own compiled copy, because escaping is decided
 * at compile time. The loader remembers who included whom, so `invalidate(name)` also drops the
 * templates that embedded it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { compileTemplate, type TemplateLoader, type VariantTemplateLoader } from './compile.ts';
import type { TagDefinitions } from './custom-tags.ts';
import { TemplateCompileErrors, TemplateDoesNotExist } from './errors.ts';
import { appFilterProblems, appFilterSpecs, type TemplateFilters } from './filters/app-filters.ts';
import { isBuiltInFilter, type FilterSpec } from './filters/index.ts';
import type { Template } from './types.ts';

export interface LoaderOptions {
  /** Default true. */
  readonly autoescape?: boolean;
  /** Default true. */
  readonly htmlChecks?: boolean;
  /** The app's own filters (docs/templates.md, "Custom filters"); checked when the loader is made. */
  readonly filters?: TemplateFilters;
  /** App-defined tags (D75). */
  readonly tags?: TagDefinitions;
  /** The names of the registered live components (D80). */
  readonly components?: ReadonlySet<string>;
  /** The view class names `{% live %}` may nest (D81). */
  readonly views?: ReadonlySet<string>;
}

export class CachingTemplateLoader implements VariantTemplateLoader {
  private readonly read: (name: string) => string | undefined;
  private readonly where: string;
  private readonly autoescape: boolean;
  private readonly htmlChecks: boolean;
  private readonly filters: ReadonlyMap<string, FilterSpec>;
  private readonly tags: TagDefinitions | undefined;
  private readonly components: ReadonlySet<string> | undefined;
  private readonly views: ReadonlySet<string> | undefined;
  private readonly cache = new Map<string, Template>();
  /** included name → names of the templates that embedded it at compile time */
  private readonly includedBy = new Map<string, Set<string>>();
  private readonly stack: string[] = [];

  constructor(read: (name: string) => string | undefined, where: string, options: LoaderOptions = {}) {
    this.read = read;
    this.where = where;
    this.autoescape = options.autoescape ?? true;
    this.htmlChecks = options.htmlChecks ?? true;
    const problems = appFilterProblems(options.filters, isBuiltInFilter);
    if (problems.length > 0) throw new TypeError(`Invalid template filters: ${problems.join('; ')}`);
    this.filters = appFilterSpecs(options.filters);
    this.tags = options.tags;
    this.components = options.components;
    this.views = options.views;
  }

  load(name: string): Template {
    return this.loadVariant(name, this.autoescape);
  }

  loadVariant(name: string, autoescape: boolean): Template {
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) {
      const set = this.includedBy.get(name) ?? new Set<string>();
      this.includedBy.set(name, set.add(parent));
    }
    const key = `${autoescape ? 1 : 0}:${name}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const source = this.read(name);
    if (source === undefined) throw new TemplateDoesNotExist(name, this.where);
    this.stack.push(name);
    try {
      const template = compileTemplate(source, { name, loader: this, autoescape, htmlChecks: this.htmlChecks, filters: this.filters, tags: this.tags, components: this.components, views: this.views });
      this.cache.set(key, template);
      return template;
    } finally {
      this.stack.pop();
    }
  }

  /** Drops `name` and every template that included it (all templates when no name is given). */
  invalidate(name?: string): void {
    if (name === undefined) {
      this.cache.clear();
      this.includedBy.clear();
      return;
    }
    const pending = [name];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      this.cache.delete(`0:${next}`);
      this.cache.delete(`1:${next}`);
      pending.push(...(this.includedBy.get(next) ?? []));
      this.includedBy.delete(next);
    }
  }
}

export class FileTemplateLoader extends CachingTemplateLoader {
  private readonly dir: string;

  constructor(dir: string, options: LoaderOptions = {}) {
    const root = resolve(dir);
    super((name) => readTemplate(root, name), `looked in ${dir}`, options);
    this.dir = root;
  }

  /** Compiles every *.html under the directory; throws one error listing every failure. */
  compileAll(): Template[] {
    const names = (readdirSync(this.dir, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.html'))
      .map((file) => file.split(sep).join('/'))
      .sort();
    const templates: Template[] = [];
    const errors = new Map<string, Error>();
    for (const name of names) {
      try {
        templates.push(this.load(name));
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        errors.set(e.message, e); // an included template's error surfaces once, not per includer
      }
    }
    if (errors.size > 0) throw new TemplateCompileErrors([...errors.values()]);
    return templates;
  }
}

function readTemplate(root: string, name: string): string | undefined {
  const file = resolve(join(root, name));
  if (relative(root, file).startsWith('..') || file === root) return undefined; // no escaping the directory
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export function createTemplateLoader(dir: string, options?: LoaderOptions): FileTemplateLoader {
  return new FileTemplateLoader(dir, options);
}

export function createMemoryLoader(sources: Record<string, string>, options?: LoaderOptions): TemplateLoader {
  return new CachingTemplateLoader((name) => (Object.hasOwn(sources, name) ? sources[name] : undefined), 'not in the memory loader', options);
}

export type { TemplateLoader };
