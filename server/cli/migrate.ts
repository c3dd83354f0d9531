/**
 * `livery migrate [--create <name>] [--allow-drop] [--seed]` for the app in the current
 * directory: the data layer's migrate command (`runMigrateCommand`, docs/data.md) with the app's
 * entities, migrations folder and seed.
 */
import { loadApp } from '../app/load-app.ts';
import { applyAppEnv } from '../app/start-app.ts';
import type { LiveryApp } from '../app/define-app.ts';
import { runMigrateCommand } from '../data/index.ts';
import { reportStartupError } from './start.ts';

export interface MigrateCommandOptions {
  create?: string;
  seed?: boolean;
  /** Let `--create` write drops of tables or columns no registered entity maps. */
  allowDrop?: boolean;
}

export async function migrateCommand(options: MigrateCommandOptions): Promise<number> {
  let app: LiveryApp;
  try {
    app = await loadApp();
  } catch (error) {
    return reportStartupError(error);
  }
  applyAppEnv(app);
  return runMigrateCommand(app.database ?? {}, options);
}
