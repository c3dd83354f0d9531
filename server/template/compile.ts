/**
 * compileTemplate: source → Template, once. Includes with a literal name are compiled through
 * the loader right here; a template already being compiled on this loader (a recursive include)
 * is left to load at render time instead of recursing forever.
 */
import { tagHandlers, type TagDefinitions } from './custom-tags.ts';
import { rememberComponent } from './component.ts';
import { TemplateDoesNotExist, TemplateSyntaxError } from './errors.ts';
import { compileFilterExpression } from './expression.ts';
import { withAppFilters, type FilterSpec } from './filters/index.ts';
import { blockName, extendLayout, extendsToken, layoutOf, rememberLayout, rememberUnplaced, rootLayout, scanBlocks, type Layout } from './inheritance.ts';
import { splitContents, tokenize, type Token } from './lexer.ts';
import { Parser, type ParserEnv } from './parser.ts';
import { createScope } from './scope.ts';
import { componentInfoOf } from './tags/component.ts';
import { relativeName } from './tags/include.ts';
import { rememberNesting } from './tags/live.ts';
import type { SourceLocation, Template } from './types.ts';
import { toText } from './values.ts';

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
  /** App-defined tags (D75, custom-tags.ts). */
  readonly tags?: TagDefinitions;
  /** The names of the registered live components (D80). */
  readonly components?: ReadonlySet<string>;
  /** The view class names `{% live %}` may nest (D81): another name fails the compile. */
  readonly views?: ReadonlySet<string>;
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

/**
 * The layout a template is parsed as (D74): its own tokens, or — when its first tag is
 * `{% extends "parent" %}` — the parent's layout with this file's blocks in front. The parent is
 * compiled first through the loader, so an unknown parent, a cycle or a broken parent stops here,
 * with the place of the `{% extends %}`.
 */
function layoutFor(
  tokens: readonly Token[],
  name: string,
  autoescape: boolean,
  loader: TemplateLoader | undefined,
  active: ReadonlySet<string>,
): Layout {
  const own = scanBlocks(tokens);
  const ext = extendsToken(tokens);
  const again = tokens.find((t) => t !== ext && t.type === 'block' && t.contents.split(/\s+/)[0] === 'extends');
  if (ext === null) return rootLayout(tokens, own);
  if (again !== undefined) throw new TemplateSyntaxError(again.loc, `'extends' cannot appear more than once in the same template`);
  const attrs = tokens.find((t) => t.type === 'block' && t.contents.split(/\s+/)[0] === 'attrs');
  if (attrs !== undefined) throw new TemplateSyntaxError(attrs.loc, `a component template ({% attrs %}) cannot use {% extends %}: put shared markup in another component or an include.`);
  const bits = splitContents(ext.contents);
  if (bits.length !== 2) throw new TemplateSyntaxError(ext.loc, `'extends' takes one argument`);
  const parentName = compileFilterExpression(bits[1], { loc: ext.loc, autoescape, missingAsEmpty: true });
  // A name reading no variables (`"base.html"`, `"base.html"|lower`) is known now.
  if (parentName.deps.size > 0) {
    throw new TemplateSyntaxError(ext.loc, `{% extends ${bits[1]} %}: Livery resolves inheritance when it compiles, so the parent must be a quoted name, e.g. {% extends "base.html" %}.`);
  }
  const target = relativeName(toText(parentName.evaluate(createScope({}))), name);
  if (active.has(variantKey(target, autoescape))) {
    const chain = [...active].map((k) => k.slice(2));
    throw new TemplateSyntaxError(ext.loc, `Circular {% extends %}: ${[...chain.slice(chain.indexOf(target)), target].join(' → ')}.`);
  }
  return extendLayout(layoutOf(loadFrom(loader, target, autoescape, ext.loc)), own);
}

export function compileTemplate(source: string, options: CompileOptions): Template {
  const { name, loader } = options;
  const autoescape = options.autoescape ?? true;
  const active = loader === undefined ? new Set<string>() : (compiling.get(loader) ?? new Set<string>());
  if (loader !== undefined) compiling.set(loader, active);
  const key = variantKey(name, autoescape);
  active.add(key);
  try {
    // App filters are in force for the whole compile: the extends name may use them too.
    return withAppFilters(options.filters, () => {
      const tokens = tokenize(source, name);
      const layout = layoutFor(tokens, name, autoescape, loader, active);
      // Templates included or used as components at compile time: what they nest, this one renders.
      const embedded: Template[] = [];
      const env: ParserEnv = {
        file: name,
        autoescape,
        htmlChecks: options.htmlChecks ?? true,
        resolveInclude: (target, ae, loc) => {
          const included = active.has(variantKey(target, ae)) ? null : loadFrom(loader, target, ae, loc);
          if (included !== null) embedded.push(included);
          return included;
        },
        loadAtRender: (target, ae, loc) => loadFrom(loader, target, ae, loc),
        blocks: layout.blocks,
        tags: tagHandlers(options.tags),
        components: options.components,
        views: options.views,
      };
      const parser = new Parser(layout.tokens, env);
      const out = parser.builder();
      parser.parse(out, []);
      const { block, deps } = out.finish();
      const template: Template = Object.freeze({ name, root: block, deps });
      rememberLayout(template, layout);
      if (layout.tokens !== tokens) rememberUnplaced(template, [...scanBlocks(tokens).values()].filter((def) => !parser.placedBlocks.has(blockName(def.opener))));
      rememberNesting(template, parser, embedded);
      // Slots rendered by templates it includes are not known: uses are then not checked for them.
      const includes = tokens.some((t) => t.type === 'block' && t.contents.split(/\s+/)[0] === 'include');
      rememberComponent(template, componentInfoOf(parser, name, !includes && layout.tokens === tokens, deps));
      return template;
    });
  } finally {
    active.delete(key);
  }
}
