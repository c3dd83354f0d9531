import { route } from '../server/index.ts';
import { AttachmentsView } from './attachments.ts';
import { ClockBadgeView, ClockView } from './clock.ts';
import { CounterView } from './counter.ts';
import { HomeView } from './home.ts';
import { ProjectView } from './project.ts';
import { ProjectsView } from './projects.ts';
import { SearchView } from './search.ts';
import { Stepper } from './stepper.ts';

/** The example app's live components, by the name templates use (`{% live_component "Stepper" %}`). */
export const components = { Stepper };

/** The example app's routes: what `npm start` serves. */
export const routes = [
  route('/', HomeView, { title: 'Livery' }),
  route('/counter', CounterView, { title: 'Counter · Livery' }),
  route('/clock', ClockView, { title: 'Clock · Livery' }),
  route('/search', SearchView, { title: 'Search · Livery' }),
  route('/projects', ProjectsView, { title: 'Projects · Livery' }),
  route('/projects/:id', ProjectView, { title: 'Project · Livery' }),
  route('/files', AttachmentsView, { title: 'Files · Livery' }),
];

/** Views the example's templates nest (`{% live %}`) without routing them. */
export const views = [ClockBadgeView];

/**
 * The example's tenancy: `acme.localhost:3000/projects` (subdomain) and
 * `localhost:3000/t/acme/projects` (path) both reach acme; plain `localhost:3000` is `public`.
 * `app.ts` applies these as environment defaults, so each LIVERY_TENANT_* variable overrides.
 */
export const EXAMPLE_TENANCY_ENV = {
  LIVERY_TENANT_RESOLVER: 'subdomain,path',
  LIVERY_TENANT_MAIN_DOMAIN: 'localhost',
  LIVERY_TENANT_PATH_PREFIX: '/t',
  LIVERY_TENANT_DEFAULT: 'public',
};
