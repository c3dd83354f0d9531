/**
 * compileTemplate: source → Template, once. Includes with a literal name are compiled through
 * the loader right here; a template already being compiled on this loader (a recursive include)
 * is left to load at render time instead of recursing forever.
 */
import { TemplateDoesNotExist } from './errors.ts';
import { withAppFilters, type FilterSpec } from './filters/index.ts';
import { tokenize } from './lexer.ts';
import { Parser, type ParserEnv } from './parser.ts';
import type { SourceLocation, Template } from './types.ts';

/** Resolves `{% include %}` targets; throws TemplateDoesNotExist for unknown names. */
export interface TemplateLoader {
  load(name: string): Template;
}

/** A loader that can compile a template under either autoescape setting (see loader.ts). */
export interface VariantTemplateLoader extends TemplateLoader {
  loadVariant(name: string, autoescape: boolean): Template;
}

export interface CompileOptions {
  /** File name used in errors, e.g. 'counter.html'. */
  readonly name: string;
  readonly loader?: TemplateLoader;
  /** Default true. */
  readonly autoescape?: boolean;
  /** Default true: the HTML-context safety rules (docs/templates.md). */
  readonly htmlChecks?: boolean;
  /** The app's own filters (filters/app-filters.ts), besides the built-in ones. */
  readonly filters?: ReadonlyMap<string, FilterSpec>;
}

const compiling = new WeakMap<object, Set<string>>();
const variantKey = (name: string, autoescape: boolean): string => `${autoescape ? 1 : 0}:${name}`;

function hasVariants(loader: TemplateLoader): loader is VariantTemplateLoader {
  return typeof (loader as Partial<VariantTemplateLoader>).loadVariant === 'function';
}

/**
 * An included template is compiled with the autoescape setting in force at the include (Django
 * passes autoescape down at render time; we know it lexically). Errors gain the include's place.
 */
export function loadFrom(loader: TemplateLoader | undefined, name: string, autoescape: boolean, loc: SourceLocation): Template {
  if (loader === undefined) throw new TemplateDoesNotExist(name, 'no loader was given to compileTemplate', loc);
  try {
    return hasVariants(loader) ? loader.loadVariant(name, autoescape) : loader.load(name);
  } catch (error) {
    if (error instanceof TemplateDoesNotExist && error.templateName === name && error.line === 0) {
      throw new TemplateDoesNotExist(name, error.where, loc);
    }
    throw error;
  }
}

export function compileTemplate(source: string, options: CompileOptions): Template {
  const { name, loader } = options;
  const autoescape = options.autoescape ?? true;
  const active = loader === undefined ? new Set<string>() : (compiling.get(loader) ?? new Set<string>());
  if (loader !== undefined) compiling.set(loader, active);
  const key = variantKey(name, autoescape);
  active.add(key);
  try {
    const env: ParserEnv = {
      file: name,
      autoescape,
      htmlChecks: options.htmlChecks ?? true,
      resolveInclude: (target, ae, loc) => (active.has(variantKey(target, ae)) ? null : loadFrom(loader, target, ae, loc)),
      loadAtRender: (target, ae, loc) => loadFrom(loader, target, ae, loc),
    };
    return withAppFilters(options.filters, () => {
      const parser = new Parser(tokenize(source, name), env);
      const out = parser.builder();
      parser.parse(out, []);
      const { block, deps } = out.finish();
      return Object.freeze({ name, root: block, deps });
    });
  } finally {
    active.delete(key);
  }
}
