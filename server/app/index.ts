/** An app as Livery runs it: `defineApp` describes, `startApp` (the `livery` CLI) runs. */
export { defineApp, isLiveryApp, type AppDefinition, type AppDatabase, type LiveryApp } from './define-app.ts';
export { startApp, applyAppEnv, type StartAppOptions } from './start-app.ts';
export { openAppDatabase } from './database.ts';
export { loadApp } from './load-app.ts';
