/**
 * Tenancy's startup checks, continuing Livery's numbering (`livery.C015`, tenancy without a
 * database, belongs to the runtime). Their hints live in the one check registry
 * (`config/checks.ts`);
 * `docs/tenancy-resolvers.md` lists them.
 */
import { checks } from '../config/checks.ts';

export const TENANCY_CHECKS = {
  'livery.C010': checks['livery.C010'],
  'livery.C011': checks['livery.C011'],
  'livery.C012': checks['livery.C012'],
  'livery.C013': checks['livery.C013'],
  'livery.C014': checks['livery.C014'],
  'livery.C016': checks['livery.C016'],
  'livery.C050': checks['livery.C050'],
  'livery.C052': checks['livery.C052'],
} as const;

export type TenancyCheckId = keyof typeof TENANCY_CHECKS;

/** `livery.C003` (an environment variable of the wrong type) is the config module's. */
export interface TenancyProblem {
  readonly id: TenancyCheckId | 'livery.C003';
  readonly detail: string;
}
