/** Finds and imports an app's `app.ts` (or `app.js`): its default export must be `defineApp(...)`. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StartupError } from '../config/index.ts';
import { isLiveryApp, type LiveryApp } from './define-app.ts';

export const APP_ENTRY_NAMES = ['app.ts', 'app.js'] as const;

export async function loadApp(root: string = process.cwd()): Promise<LiveryApp> {
  const dir = resolve(root);
  const entry = APP_ENTRY_NAMES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (entry === undefined) {
    throw new StartupError([{ id: 'livery.C025', detail: `no app.ts (or app.js) in ${dir}` }]);
  }
  const module = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  if (!isLiveryApp(module.default)) {
    throw new StartupError([{ id: 'livery.C025', detail: `${entry} does not \`export default defineApp({ ... })\`` }]);
  }
  return module.default;
}
