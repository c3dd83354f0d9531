/**
 * Livery's own migrations, in order. Listed explicitly so they are type-checked and need no
 * file discovery (inside an installed package they are compiled JavaScript). They are named
 * `Livery<NNNN>_<what>` and always run before the app's (`Migration<timestamp>_<name>`, found
 * in the app's migrations folder): both kinds share MikroORM's migrations table, and the prefixes
 * keep their names apart (docs/design.md, D13).
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Livery0001_initial } from './Livery0001_initial.ts';
import { Livery0002_tenant_changes } from './Livery0002_tenant_changes.ts';

export const LIVERY_MIGRATIONS: MigrationObject[] = [
  { name: 'Livery0001_initial', class: Livery0001_initial },
  { name: 'Livery0002_tenant_changes', class: Livery0002_tenant_changes },
];
