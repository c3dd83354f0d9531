/**
 * Routes map URL paths (Fastify syntax, `/todos/:id`) to view classes. A view is identified
 * on the wire by its class name, so names must be unique; `registerViews` checks every
 * declaration at startup (livery.C005/C006) so a typo fails before the server listens.
 */
import { streamDeclarationProblems } from './streams.ts';
import type { Problem } from '../config/checks.ts';
import type { Database } from '../data/index.ts';
import type { Template, TemplateLoader } from '../template/index.ts';
import { uploadFieldProblems } from '../uploads/index.ts';
import { RESERVED_NAMES, type CheckedView, type ViewClass } from './live-view.ts';

/** A view class with its compiled template, as the runtime serves it. */
export interface RegisteredView {
  readonly viewClass: ViewClass;
  readonly template: Template;
}

export interface Route {
  readonly path: string;
  readonly view: ViewClass;
  /** The page title (default: the view's name). */
  readonly title?: string;
}

/**
 * A route whose view class is type-checked: every declared event needs a method of the same
 * name taking the schema's output type.
 *
 * @example
 * ```ts
 * const routes = [route('/counter', CounterView, { title: 'Counter' })];
 * ```
 */
export function route<C extends ViewClass>(path: string, view: CheckedView<C>, options: { title?: string } = {}): Route {
  return { path, view, title: options.title };
}

const VIEW_NAME = /^[A-Za-z_$][\w$]*$/;

export function registerViews(
  routes: readonly Route[],
  templates: TemplateLoader,
  problems: Problem[],
  nested: readonly ViewClass[] = [],
): Map<string, RegisteredView> {
  const views = new Map<string, RegisteredView>();
  checkPaths(routes, problems);
  for (const { path, view } of routes) register(view, `route ${path} → ${view?.name ?? String(view)}`, 'livery.C006', views, templates, problems);
  // Views only nested with {% live %} (D81): registered like routed ones, by class name.
  if (!Array.isArray(nested)) problems.push({ id: 'livery.C071', detail: 'views must be an array of view classes' });
  for (const view of Array.isArray(nested) ? nested : []) register(view, `views: ${view?.name ?? String(view)}`, 'livery.C071', views, templates, problems);
  return views;
}

/** Checks a view class and compiles its template into `views`, unless another class has its name. */
function register(view: ViewClass, where: string, id: 'livery.C006' | 'livery.C071', views: Map<string, RegisteredView>, templates: TemplateLoader, problems: Problem[]): void {
  if (typeof view !== 'function') return void problems.push({ id, detail: `${where}: not a view class` });
  const known = views.get(view.name);
  if (known !== undefined) {
    if (known.viewClass !== view) problems.push({ id, detail: `${where}: another view class is also named ${view.name}` });
    return;
  }
  if (!checkDeclaration(view, where, problems)) return;
  try {
    views.set(view.name, { viewClass: view, template: templates.load(view.template) });
  } catch (error) {
    problems.push({ id: 'livery.C005', detail: `${where}: ${(error as Error).message}` });
  }
}

/** Livery's own top-level paths: the socket, health and metrics. */
const RESERVED_PATHS = ['/live', '/healthz', '/_livery'];
/** A route path Fastify reads as one path: no query, fragment, whitespace or backslash (an optional last `:param?` is fine). */
const ROUTE_PATH = /^\/(?!\/)[^?#\s\\]*(:[A-Za-z_$][\w$]*\?)?$/;

/**
 * livery.C059 (not a path, or one of Livery's own) and C058 (two routes, one path). A URL names
 * exactly one view — over HTTP, where Fastify would refuse the duplicate with a bare error, and in
 * live navigation, which matches URLs the same way.
 */
function checkPaths(routes: readonly Route[], problems: Problem[]): void {
  const seen = new Map<string, string>();
  for (const { path, view } of routes) {
    const where = `route ${String(path)} → ${view?.name ?? String(view)}`;
    if (typeof path !== 'string' || !ROUTE_PATH.test(path)) {
      problems.push({ id: 'livery.C059', detail: `${where}: not a path like /items/:id` });
      continue;
    }
    const reserved = RESERVED_PATHS.find((own) => path === own || path.startsWith(own + '/'));
    if (reserved !== undefined) {
      problems.push({ id: 'livery.C059', detail: `${where}: ${reserved} is Livery's own` });
      continue;
    }
    // `/items/:id` and `/items/:slug` are one path to a router.
    const shape = path.replace(/:[A-Za-z_$][\w$]*(\?$)?/g, ':');
    const other = seen.get(shape);
    if (other !== undefined) problems.push({ id: 'livery.C058', detail: `${where}: ${other} is already routed at this path` });
    else seen.set(shape, `${path} → ${view?.name ?? String(view)}`);
  }
}

function checkDeclaration(view: ViewClass, where: string, problems: Problem[]): boolean {
  const before = problems.length;
  if (!VIEW_NAME.test(view.name)) problems.push({ id: 'livery.C006', detail: `${where}: the class needs a plain identifier as its name` });
  if (typeof view.template !== 'string' || view.template === '') {
    problems.push({ id: 'livery.C006', detail: `${where}: set \`static template = 'file.html'\`` });
  }
  if (view.tickInterval !== undefined && !(view.tickInterval > 0)) {
    problems.push({ id: 'livery.C006', detail: `${where}: tickInterval must be a positive number of milliseconds` });
  }
  if (view.tickInterval !== undefined && typeof view.prototype.tick !== 'function') {
    problems.push({ id: 'livery.C006', detail: `${where}: tickInterval is set but the view has no tick() method` });
  }
  const events = view.events ?? {};
  for (const name of Object.keys(events)) {
    if (RESERVED_NAMES.has(name) || name.startsWith('_')) {
      problems.push({ id: 'livery.C006', detail: `${where}: "${name}" cannot be an event name (reserved)` });
    } else if (typeof (view.prototype as unknown as Record<string, unknown>)[name] !== 'function') {
      problems.push({ id: 'livery.C006', detail: `${where}: event "${name}" is declared but the class has no ${name}() method` });
    }
    const schema = events[name];
    if (schema !== null && typeof schema?.['~standard']?.validate !== 'function') {
      problems.push({ id: 'livery.C006', detail: `${where}: event "${name}" needs a Standard Schema (zod, valibot…) or null` });
    }
  }
  for (const problem of uploadFieldProblems(view.uploads, typeof view.prototype.handleUpload === 'function')) {
    problems.push({ id: 'livery.C063', detail: `${where}: ${problem}` });
  }
  for (const problem of streamDeclarationProblems(view.streams)) problems.push({ id: 'livery.C072', detail: `${where}: ${problem}` });
  return problems.length === before;
}

/**
 * livery.C021: every entity a view watches (`static watch`) must be registered with the
 * database (`database.entities`), or its saves would never arrive and `this.scoped(Entity)`
 * would fail on the first event. Reported at startup, with the view and the entity named.
 */
export function checkWatchedEntities(routes: readonly Route[], database: Database | undefined, problems: Problem[]): void {
  const registered = new Set(database === undefined ? [] : [...database.orm.getMetadata()].map((meta) => meta.className));
  const seen = new Set<ViewClass>();
  for (const { view } of routes) {
    if (typeof view !== 'function' || seen.has(view)) continue;
    seen.add(view);
    for (const entity of view.watch ?? []) {
      if (registered.has(entity.name)) continue;
      problems.push({
        id: 'livery.C021',
        detail: database === undefined
          ? `${view.name} watches ${entity.name}, but Livery was started without a database`
          : `${view.name} watches ${entity.name}, which is not in database.entities`,
      });
    }
  }
}
