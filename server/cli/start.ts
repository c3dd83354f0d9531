/** `livery start [--workers N]`: serve the app in the current directory. */
import { loadApp } from '../app/load-app.ts';
import { startApp } from '../app/start-app.ts';
import { StartupError } from '../config/index.ts';

export async function startCommand(argv: readonly string[]): Promise<number> {
  try {
    const app = await loadApp();
    await startApp(app, { argv });
    return 0;
  } catch (error) {
    return reportStartupError(error);
  }
}

/** A StartupError is the app author's to fix: print its checks and hints, no stack. */
export function reportStartupError(error: unknown): number {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  return 1;
}
