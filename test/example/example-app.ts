/**
 * The example app as the test client takes it: the shape `defineApp(...)` describes (once
 * `app.ts` default-exports one, these tests import that instead).
 */
import type { TestableApp } from '../../server/testing/index.ts';
import { EXAMPLE_TENANCY_ENV, routes } from '../../views/index.ts';
import { seedExampleApp } from '../../views/seed.ts';

export const exampleApp: TestableApp = {
  routes,
  layout: 'layout.html',
  templatesDir: new URL('../../templates/', import.meta.url),
  env: EXAMPLE_TENANCY_ENV,
  database: { seed: seedExampleApp },
};

export default exampleApp;
