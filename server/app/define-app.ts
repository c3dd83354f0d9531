/**
 * `defineApp` describes an app; it starts nothing. The `livery` CLI (or `startApp`) runs the
 * description, so the same `app.ts` serves `livery start`, `livery dev`, `livery migrate` and
 * the test client, each deciding what to open and when.
 */
import type { CreateServerOptions } from '../server.ts';
import type { AppDatabase } from '../data/index.ts';
import type { Route } from '../view/routes.ts';

export type { AppDatabase };

export interface AppDefinition {
  /** Printed as `<name>: <url>` once the app listens. */
  name: string;
  routes: Route[];
  /** Layout template wrapping every page; default: Livery's built-in layout. */
  layout?: string;
  /** Templates folder; default `<app root>/templates`. */
  templatesDir?: string | URL;
  /** The app's own files (stylesheets, images), served under `/static/`; default `<app root>/static`. */
  staticDir?: string | URL;
  /** The app's entities, migrations folder and development seed (see docs/data.md). */
  database?: AppDatabase;
  /** Environment defaults: applied to `process.env` where a variable is unset (the environment wins). */
  env?: Readonly<Record<string, string>>;
  /** Any further server options (state, socket, tenancy…). */
  options?: Omit<CreateServerOptions, 'routes' | 'layout' | 'templatesDir' | 'staticDir' | 'database'>;
}

const APP = Symbol.for('livery.app');

export type LiveryApp = Readonly<AppDefinition> & { readonly [APP]: true };

/** Describes an app for the `livery` CLI: `export default defineApp({ ... })` in `app.ts`. */
export function defineApp(definition: AppDefinition): LiveryApp {
  if (typeof definition?.name !== 'string' || definition.name === '') throw new TypeError('defineApp: `name` must be a non-empty string');
  if (!Array.isArray(definition.routes)) throw new TypeError('defineApp: `routes` must be an array of route(...)');
  return Object.freeze({ ...definition, [APP]: true as const });
}

/** Whether `value` came from `defineApp` (a registered symbol, so two copies of Livery agree). */
export function isLiveryApp(value: unknown): value is LiveryApp {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP] === true;
}
