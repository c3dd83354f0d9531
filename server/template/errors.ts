/**
 * Template errors. Each carries a stable `code` and the position it is about; the message of a
 * positioned error starts with `file:line:column: ` so editors and terminals can jump to it.
 * Wording follows Django's where Django has a message, so its documentation and habits transfer.
 */
import { LiveryError } from '../errors.ts';
import type { SourceLocation } from './types.ts';

export type TemplateErrorCode =
  | 'LV_TEMPLATE_SYNTAX'
  | 'LV_TEMPLATE_UNSAFE_CONTEXT'
  | 'LV_TEMPLATE_NOT_FOUND'
  | 'LV_TEMPLATE_VALUE'
  | 'LV_TEMPLATE_FILTER_FAILED'
  | 'LV_TEMPLATE_TAG_FAILED'
  | 'LV_TEMPLATE_COMPILE';

function at(loc: SourceLocation, message: string): string {
  return `${loc.file}:${loc.line}:${loc.column}: ${message}`;
}

/** The template cannot be compiled: bad syntax, unknown tag or filter, unsafe HTML context. */
export class TemplateSyntaxError extends LiveryError {
  declare readonly code: TemplateErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(loc: SourceLocation, message: string, code: TemplateErrorCode = 'LV_TEMPLATE_SYNTAX') {
    super(code, undefined, { message: at(loc, message) });
    this.name = 'TemplateSyntaxError';
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
  }
}

/**
 * A template name the loader cannot find. `file`/`line`/`column` point at the `{% include %}`
 * that asked for it; when the name was requested directly, `file` is the name and line/column
 * are 0.
 */
export class TemplateDoesNotExist extends LiveryError {
  declare readonly code: 'LV_TEMPLATE_NOT_FOUND';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly templateName: string;
  /** Where the loader looked, e.g. the template directory. */
  readonly where: string;

  constructor(templateName: string, where: string, loc?: SourceLocation) {
    const message = `Template '${templateName}' does not exist (${where}). Check the name or create the file.`;
    super('LV_TEMPLATE_NOT_FOUND', undefined, { message: loc ? at(loc, message) : message });
    this.name = 'TemplateDoesNotExist';
    this.templateName = templateName;
    this.where = where;
    this.file = loc?.file ?? templateName;
    this.line = loc?.line ?? 0;
    this.column = loc?.column ?? 0;
  }
}

/** A render-time error in the data, e.g. a `for x, y in …` item that does not have two values. */
export class TemplateValueError extends LiveryError {
  declare readonly code: 'LV_TEMPLATE_VALUE';
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(loc: SourceLocation, message: string) {
    super('LV_TEMPLATE_VALUE', undefined, { message: at(loc, message) });
    this.name = 'TemplateValueError';
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
  }
}

/**
 * App code (a filter or tag the app defined) threw while rendering. It keeps its own code when it
 * reaches the socket, since it names the app's function and its place; `cause` is what it threw
 * (logged, never sent to a client).
 */
export abstract class TemplateAppCodeError extends LiveryError {
  declare readonly code: 'LV_TEMPLATE_FILTER_FAILED' | 'LV_TEMPLATE_TAG_FAILED' | 'LV_NESTED_VIEW_INVALID' | 'LV_NESTED_ID_INVALID';
  readonly file: string;
  readonly line: number;
  readonly column: number;

  protected constructor(code: TemplateAppCodeError['code'], loc: SourceLocation, what: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(code, undefined, { message: at(loc, `${what} threw: ${reason}`), cause });
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
  }
}

/** An app-defined filter (D76) threw while rendering. */
export class TemplateFilterError extends TemplateAppCodeError {
  declare readonly code: 'LV_TEMPLATE_FILTER_FAILED';
  readonly filter: string;

  constructor(loc: SourceLocation, filter: string, cause: unknown) {
    super('LV_TEMPLATE_FILTER_FAILED', loc, `filter '${filter}'`, cause);
    this.name = 'TemplateFilterError';
    this.filter = filter;
  }
}

/** An app-defined tag (D75) threw while rendering. */
export class TemplateTagError extends TemplateAppCodeError {
  declare readonly code: 'LV_TEMPLATE_TAG_FAILED';
  readonly tag: string;

  constructor(loc: SourceLocation, tag: string, cause: unknown) {
    super('LV_TEMPLATE_TAG_FAILED', loc, `{% ${tag} %}`, cause);
    this.name = 'TemplateTagError';
    this.tag = tag;
  }
}

/**
 * A `{% live %}` tag (D81) could not render its view: its id, or what the view rendering it
 * refused (an unknown view, an id used twice, nesting too deep). Reported by its own code.
 */
export class NestedViewError extends TemplateAppCodeError {
  declare readonly code: 'LV_NESTED_VIEW_INVALID' | 'LV_NESTED_ID_INVALID';

  constructor(code: NestedViewError['code'], loc: SourceLocation, view: string, reason: string) {
    super(code, loc, `{% live "${view}" %}`, new Error(reason));
    this.name = 'NestedViewError';
  }
}

/** Every error found by `compileAll()`, one per line, so a bad deploy shows all problems at once. */
export class TemplateCompileErrors extends LiveryError {
  declare readonly code: 'LV_TEMPLATE_COMPILE';
  readonly errors: readonly Error[];

  constructor(errors: readonly Error[]) {
    const n = errors.length;
    super('LV_TEMPLATE_COMPILE', undefined, {
      message: `${n} template${n === 1 ? '' : 's'} failed to compile:\n${errors.map((e) => `  ${e.message}`).join('\n')}`,
    });
    this.name = 'TemplateCompileErrors';
    this.errors = errors;
  }
}
