/**
 * App-defined filters (`createServer({ filters: { … } })`, D76). An app filter is a function of
 * (value, argument) — plain data: a safe string arrives as its text — or a declaration
 * `{ filter, safe, arg }`. Its output is escaped like any value unless it declares `safe: true`,
 * and then the filter is responsible for escaping what it puts in. A name must be an identifier
 * and must not be a built-in's: a template's `|name` always means what the docs say it means.
 */
import type { FilterSpec } from './index.ts';
import { plain, SafeString, toText } from '../values.ts';

export type TemplateFilterFunction = (value: unknown, arg: unknown) => unknown;

export interface TemplateFilterDeclaration {
  readonly filter: TemplateFilterFunction;
  /** The output is HTML the filter escaped itself: it is not escaped again. Default false. */
  readonly safe?: boolean;
  /** Whether `|name:arg` takes an argument; a wrong count fails at compile time. Default 'optional'. */
  readonly arg?: 'none' | 'optional' | 'required';
}

export type TemplateFilter = TemplateFilterFunction | TemplateFilterDeclaration;
export type TemplateFilters = Readonly<Record<string, TemplateFilter>>;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ARGS = new Set(['none', 'optional', 'required']);

/** What is wrong with the app's filters, one line per filter (empty when nothing is). */
export function appFilterProblems(filters: unknown, builtIn: (name: string) => boolean): string[] {
  if (filters === undefined) return [];
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) return ['filters must be an object: { name: function }'];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(filters)) {
    if (!NAME_RE.test(name)) problems.push(`filter '${name}': the name must be an identifier (letters, digits and _, not starting with a digit)`);
    else if (builtIn(name)) problems.push(`filter '${name}': a built-in filter has this name; choose another`);
    if (typeof value === 'function') continue;
    const d = value as Partial<TemplateFilterDeclaration> | null;
    if (typeof d !== 'object' || d === null || typeof d.filter !== 'function') {
      problems.push(`filter '${name}': expected a function or { filter: function, safe?: boolean, arg?: 'none' | 'optional' | 'required' }`);
    } else if (d.safe !== undefined && typeof d.safe !== 'boolean') {
      problems.push(`filter '${name}': safe must be true or false`);
    } else if (d.arg !== undefined && !ARGS.has(d.arg)) {
      problems.push(`filter '${name}': arg must be 'none', 'optional' or 'required'`);
    }
  }
  return problems;
}

/** The app's filters as registry entries. Assumes they passed appFilterProblems. */
export function appFilterSpecs(filters: TemplateFilters | undefined): ReadonlyMap<string, FilterSpec> {
  const specs = new Map<string, FilterSpec>();
  for (const [name, value] of Object.entries(filters ?? {})) {
    const { filter, safe = false, arg = 'optional' } = typeof value === 'function' ? { filter: value } : value;
    const apply = safe
      ? (v: unknown, a: unknown) => {
          const out = filter(plain(v), plain(a));
          return out instanceof SafeString ? out : new SafeString(toText(out));
        }
      : (v: unknown, a: unknown) => plain(filter(plain(v), plain(a)));
    specs.set(name, { arg, app: name, apply });
  }
  return specs;
}
