/**
 * The migrations, in order. Listed explicitly (MikroORM's `migrationsList`)
 * so they are type-checked and need no file discovery at runtime. The same
 * files run on PGlite and PostgreSQL. Create the next one with
 * `npx node scripts/migrate.ts --create <name>`, then list it here.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_initial } from './Migration20261124000000_initial.ts';

export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
];
