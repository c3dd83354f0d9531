/**
 * `npm run migrate` for the example app: Livery's `migrate` command with the example's data
 * (data/: the Project entity, its migrations folder, its seed). See runMigrateCommand.
 *
 *   npm run migrate                              migrate + check
 *   npm run migrate -- --seed                    … and load the example tenants
 *   npm run migrate -- --create <name>           write the next migration into data/migrations/
 *   npm run migrate -- --create <name> --allow-drop   … even if it drops tables or columns
 */
import { parseArgs } from 'node:util';
import { exampleDatabase } from '../data/index.ts';
import { runMigrateCommand } from '../server/data/index.ts';

const { values } = parseArgs({ options: { seed: { type: 'boolean' }, create: { type: 'string' }, 'allow-drop': { type: 'boolean' } } });
process.exitCode = await runMigrateCommand(exampleDatabase, { create: values.create, seed: values.seed, allowDrop: values['allow-drop'] });
