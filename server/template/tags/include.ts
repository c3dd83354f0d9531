/**
 * `{% include name [with a=x …] [only] %}`: a branch slot selecting the included template's root
 * block. A literal name is resolved while compiling (a missing file fails at startup, and the
 * slot's deps are the included template's); a name held in a variable is loaded at render time
 * and its deps are unknown. A template that includes itself (directly or through others) is
 * loaded lazily too, so recursion works.
 */
import type { BlockBuilder } from '../block-builder.ts';
import { unbind, union, type Deps } from '../deps.ts';
import type { CompiledExpression, Evaluator } from '../expression.ts';
import { compileFilterExpression } from '../expression.ts';
import { splitContents, type Token } from '../lexer.ts';
import type { Parser } from '../parser.ts';
import { FrameScope, isolatedScope } from '../scope.ts';
import type { Block, BranchSlot, Scope, SourceLocation, Template } from '../types.ts';
import { toText } from '../values.ts';
import { tokenKwargs } from './kwargs.ts';

type TemplateSource = (scope: Scope) => Template;

class IncludeSlot implements BranchSlot {
  readonly kind = 'branch';
  readonly scoped: boolean;
  readonly deps: Deps;
  readonly loc: SourceLocation;
  private readonly template: TemplateSource;
  private readonly names: readonly string[];
  private readonly values: readonly Evaluator[];
  private readonly only: boolean;

  constructor(template: TemplateSource, kwargs: Map<string, CompiledExpression>, only: boolean, deps: Deps, loc: SourceLocation) {
    this.template = template;
    this.names = [...kwargs.keys()];
    this.values = [...kwargs.values()].map((e) => e.evaluate);
    this.only = only;
    this.scoped = only || this.names.length > 0;
    this.deps = deps;
    this.loc = loc;
  }

  select(scope: Scope): { block: Block; scope: Scope } {
    const block = this.template(scope).root;
    if (!this.scoped) return { block, scope };
    const values = new Array<unknown>(this.values.length);
    for (let i = 0; i < values.length; i++) values[i] = this.values[i](scope);
    return { block, scope: this.only ? isolatedScope(this.names, values, scope) : new FrameScope(this.names, values, scope) };
  }
}

function isTemplate(value: unknown): value is Template {
  return typeof value === 'object' && value !== null && 'root' in value && 'name' in value;
}

/** `./x.html` and `../x.html` are relative to the including template, as in Django. */
export function relativeName(name: string, from: string): string {
  if (!name.startsWith('./') && !name.startsWith('../')) return name;
  const parts = from.split('/').slice(0, -1);
  for (const part of name.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

export function includeTag(p: Parser, token: Token, out: BlockBuilder): void {
  const bits = splitContents(token.contents);
  if (bits.length < 2) throw p.error(token, `'${bits[0]}' tag takes at least one argument: the name of the template to be included.`);
  const options = new Map<string, unknown>();
  const remaining = bits.slice(2);
  let kwargs = new Map<string, CompiledExpression>();
  while (remaining.length > 0) {
    const option = remaining.shift()!;
    if (options.has(option)) throw p.error(token, `The '${option}' option was specified more than once.`);
    if (option === 'with') {
      kwargs = tokenKwargs(remaining, token.loc, p.autoescape, false);
      if (kwargs.size === 0) throw p.error(token, `"with" in '${bits[0]}' tag needs at least one keyword argument.`);
    } else if (option !== 'only') {
      throw p.error(token, `Unknown argument for '${bits[0]}' tag: '${option}'.`);
    }
    options.set(option, true);
  }
  p.html?.requireText(token.loc, '{% include %}');

  const only = options.has('only');
  const autoescape = p.autoescape;
  const loc = token.loc;
  const withDeps = union([...kwargs.values()].map((e) => e.deps));
  const name = compileFilterExpression(bits[1], { loc, autoescape, missingAsEmpty: true });
  let source: TemplateSource;
  let deps: Deps;
  let shape: string;
  if (name.literal !== undefined) {
    const target = relativeName(toText(name.literal.value), token.loc.file);
    const compiled = p.env.resolveInclude(target, autoescape, loc);
    if (compiled !== null) {
      source = () => compiled;
      deps = only ? withDeps : union([withDeps, unbind(compiled.deps, [...kwargs.keys()])]);
      shape = `include(${compiled.root.fp})`;
    } else {
      source = () => p.env.loadAtRender(target, autoescape, loc);
      deps = only ? withDeps : null;
      shape = `include(~${target})`;
    }
  } else {
    const evaluate = name.evaluate;
    const env = p.env;
    source = (scope) => {
      const value = evaluate(scope);
      return isTemplate(value) ? value : env.loadAtRender(toText(value), autoescape, loc);
    };
    deps = only ? union([name.deps, withDeps]) : null;
    shape = 'include(*)';
  }
  out.slot(new IncludeSlot(source, kwargs, only, deps, loc), shape);
}
