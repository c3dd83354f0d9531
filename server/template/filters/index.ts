/**
 * The filter registry. A filter is a pure function of (value, argument, autoescape) plus
 * Django's two flags: `stringInput` (Django's @stringfilter: the value is converted to a string
 * first) and `isSafe` (a safe input stays safe through the filter). `autoescape` is the lexical
 * setting where the filter is used, known at compile time.
 */
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
  apply(value: unknown, arg: unknown, autoescape: boolean): unknown;
}

const registry: ReadonlyMap<string, FilterSpec> = new Map(
  Object.entries({ ...textFilters, ...numberFilters, ...dateFilters, ...formatFilters, ...htmlFilters, ...listFilters, ...urlizeFilters }),
);

export function findFilter(name: string): FilterSpec | undefined {
  return registry.get(name);
}

export function filterNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The filter as a two-argument function, specialized once at compile time for its flags and
 * the lexical autoescape setting, so a render pays for one call and no flag checks.
 */
export function filterFunction(spec: FilterSpec, autoescape: boolean): (value: unknown, arg: unknown) => unknown {
  const apply = spec.apply;
  const keepSafe = (input: unknown, result: unknown): unknown =>
    input instanceof SafeString && typeof result === 'string' ? new SafeString(result) : result;
  if (spec.stringInput) {
    return spec.isSafe ? (v, a) => keepSafe(v, apply(toText(v), a, autoescape)) : (v, a) => apply(toText(v), a, autoescape);
  }
  return spec.isSafe ? (v, a) => keepSafe(v, apply(v, a, autoescape)) : (v, a) => apply(v, a, autoescape);
}
