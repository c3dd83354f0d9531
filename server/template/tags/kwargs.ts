/**
 * Django's `token_kwargs`: `a=x b=y` (or, for `with`, the legacy `x as a and y as b`).
 * Consumes the bits it understands from the front of `bits` and stops at the first it does not.
 */
import { compileFilterExpression, type CompiledExpression } from '../expression.ts';
import type { SourceLocation } from '../types.ts';

const KWARG_RE = /^(?:([\p{L}\p{N}_]+)=)?(.+)/su;

export function tokenKwargs(bits: string[], loc: SourceLocation, autoescape: boolean, legacy: boolean): Map<string, CompiledExpression> {
  const kwargs = new Map<string, CompiledExpression>();
  if (bits.length === 0) return kwargs;
  const kwargFormat = KWARG_RE.exec(bits[0])?.[1] !== undefined;
  if (!kwargFormat && (!legacy || bits.length < 3 || bits[1] !== 'as')) return kwargs;
  // {{ }} semantics for values: Django resolves a missing name to '' here too.
  const options = { loc, autoescape, missingAsEmpty: true };
  while (bits.length > 0) {
    let key: string;
    let value: string;
    if (kwargFormat) {
      const m = KWARG_RE.exec(bits[0]);
      if (m === null || m[1] === undefined) return kwargs;
      [key, value] = [m[1], m[2]];
      bits.splice(0, 1);
    } else {
      if (bits.length < 3 || bits[1] !== 'as') return kwargs;
      [key, value] = [bits[2], bits[0]];
      bits.splice(0, 3);
    }
    kwargs.set(key, compileFilterExpression(value, options));
    if (bits.length > 0 && !kwargFormat) {
      if (bits[0] !== 'and') return kwargs;
      bits.splice(0, 1);
    }
  }
  return kwargs;
}
