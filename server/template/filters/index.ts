/**
 * The filter registry. A filter is a pure function of (value, argument, autoescape) plus
 * Django's two flags: `stringInput` (Django's @stringfilter: the value is converted to a string
 * first) and `isSafe` (a safe input stays safe through the filter). `autoescape` is the lexical
 * setting where the filter is used, known at compile time.
 */
import { TemplateFilterError } from '../errors.ts';
import type { SourceLocation } from '../types.ts';
import { SafeString, toText } from '../values.ts';
import { dateFilters } from './date.ts';
import { formatFilters } from './format.ts';
import { htmlFilters } from './html.ts';
import { listFilters } from './list.ts';
import { numberFilters } from './number.ts';
import { textFilters } from './text.ts';
import { urlizeFilters } from './urlize.ts';

export interface FilterSpec {
  /** Whether the filter takes an argument (`|default:"x"`). */
  readonly arg: 'none' | 'optional' | 'required';
  readonly isSafe?: boolean;
  readonly stringInput?: boolean;
  /** Set for an app-defined filter (its name): an error it throws is reported with its place. */
  readonly app?: string;
  apply(value: unknown, arg: unknown, autoescape: boolean): unknown;
}

const registry: ReadonlyMap<string, FilterSpec> = new Map(
  Object.entries({ ...textFilters, ...numberFilters, ...dateFilters, ...formatFilters, ...htmlFilters, ...listFilters, ...urlizeFilters }),
);

/**
 * The app's filters for the template being compiled. Compilation is synchronous and every tag
 * compiles its expressions through findFilter, so setting them around one compileTemplate call
 * reaches all of them without threading the set through each tag's options.
 */
let appFilters: ReadonlyMap<string, FilterSpec> | undefined;

export function withAppFilters<T>(filters: ReadonlyMap<string, FilterSpec> | undefined, compile: () => T): T {
  const outer = appFilters;
  appFilters = filters;
  try {
    return compile();
  } finally {
    appFilters = outer;
  }
}

export function findFilter(name: string): FilterSpec | undefined {
  return registry.get(name) ?? appFilters?.get(name);
}

export function isBuiltInFilter(name: string): boolean {
  return registry.has(name);
}

export function filterNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The filter as a two-argument function, specialized once at compile time for its flags and
 * the lexical autoescape setting, so a render pays for one call and no flag checks.
 */
export function filterFunction(spec: FilterSpec, autoescape: boolean, loc: SourceLocation): (value: unknown, arg: unknown) => unknown {
  if (spec.app !== undefined) return appFilterFunction(spec, spec.app, loc);
  const apply = spec.apply;
  const keepSafe = (input: unknown, result: unknown): unknown =>
    input instanceof SafeString && typeof result === 'string' ? new SafeString(result) : result;
  if (spec.stringInput) {
    return spec.isSafe ? (v, a) => keepSafe(v, apply(toText(v), a, autoescape)) : (v, a) => apply(toText(v), a, autoescape);
  }
  return spec.isSafe ? (v, a) => keepSafe(v, apply(v, a, autoescape)) : (v, a) => apply(v, a, autoescape);
}

/** An app filter that throws stops the render with LV_TEMPLATE_FILTER_FAILED, naming it and its place. */
function appFilterFunction(spec: FilterSpec, name: string, loc: SourceLocation): (value: unknown, arg: unknown) => unknown {
  const apply = spec.apply;
  return (v, a) => {
    try {
      return apply(v, a, true);
    } catch (error) {
      throw new TemplateFilterError(loc, name, error);
    }
  };
}
