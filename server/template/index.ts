/**
 * Livery's template compiler.
 *
 * Data model: a template (`templates/*.html`, Django syntax) compiles once into a tree of
 * {@link Block}s — static strings interleaved with dynamic slots (`statics.length ===
 * slots.length + 1`). `{{ }}` becomes a text slot that renders escaped HTML; `if`, `with` and
 * `include` become branch slots that choose a nested block and the scope to render it in; `for`
 * becomes a loop slot yielding keyed items. Each block has a fingerprint of its shape (statics
 * travel to a client once per fingerprint), and each slot lists the root names it reads (`deps`)
 * so a re-render evaluates only slots whose inputs changed. All parsing happens at compile time:
 * slot functions are closures over pre-parsed lookups and filters.
 *
 * Safety: output is HTML-escaped by default, and a compile-time HTML context tracker refuses
 * `{{ }}` where escaping cannot make a value safe (inside a tag, unquoted attributes, event
 * handlers, <script>/<style>) and neutralizes unsafe URL schemes in URL attributes.
 * See docs/templates.md.
 *
 * @example
 * const loader = createTemplateLoader('templates');
 * loader.compileAll(); // fail fast at startup, listing every error
 * const html = renderToString(loader.load('counter.html'), createScope({ count: 7 }));
 */
export type { Template, Block, Slot, TextSlot, BranchSlot, LoopSlot, LoopItem, Scope, SourceLocation } from './types.ts';
export { compileTemplate, type CompileOptions, type TemplateLoader } from './compile.ts';
export { createMemoryLoader, createTemplateLoader, type FileTemplateLoader, type LoaderOptions } from './loader.ts';
export { createScope } from './scope.ts';
export { unplacedBlocks } from './inheritance.ts';
export { renderToString } from './render.ts';
export { NestedViewError, TemplateCompileErrors, TemplateDoesNotExist, TemplateFilterError, TemplateSyntaxError, TemplateTagError, TemplateValueError, type TemplateErrorCode } from './errors.ts';
export { checkTagDefinitions, type TagDefinition, type TagDefinitions, type TagFunction } from './custom-tags.ts';
export { UNSAFE_CSS, UNSAFE_URL } from './output.ts';
export { escapeHtml, SafeString } from './values.ts';
export { liveTagOf, NESTED_VIEWS, type NestedViews } from './tags/live.ts';
export { filterNames, isBuiltInFilter } from './filters/index.ts';
export { appFilterProblems, type TemplateFilter, type TemplateFilterDeclaration, type TemplateFilterFunction, type TemplateFilters } from './filters/app-filters.ts';
