/**
 * Which live route serves a URL, for navigation over the socket: the same answer a page load of
 * that URL would get. Live routes go into a find-my-way router — the router Fastify itself uses —
 * under the same patterns the HTTP routes are registered at; and Fastify's own router must agree
 * (`findRoute` with the same params), so an app's more specific route (`/projects/new` beside a
 * live `/projects/:id`) or different router options win exactly as they do over HTTP. A URL no
 * live route serves is the browser's to load: another route, a 404, or a bad URL (400).
 */
import FindMyWay from 'find-my-way';
import type { FastifyInstance } from 'fastify';
import type { RouteMatch, RouteMatcher } from '../live/navigation.ts';
import { paramsOf } from '../view/page.ts';
import type { Route } from '../view/routes.ts';

export function liveRouter(fastify: FastifyInstance, routes: readonly Route[], patternsFor: (path: string) => string[], tenantParam: string): RouteMatcher {
  const router = FindMyWay({ ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, caseSensitive: true, maxParamLength: 100 });
  const noop = () => undefined;
  for (const route of routes) for (const pattern of patternsFor(route.path)) router.on('GET', pattern, noop, route);
  return (url): RouteMatch | undefined => {
    let found, served;
    try {
      found = router.find('GET', url);
      served = fastify.findRoute({ method: 'GET', url });
    } catch {
      return undefined;
    }
    if (found === null || served === null || !found.store || !sameParams(found.params, served.params)) return undefined;
    const { [tenantParam]: routeTenant, ...pathParams } = found.params as Record<string, string>;
    return { route: found.store as Route, params: paramsOf(url, pathParams), routeTenant };
  };
}

function sameParams(a: Record<string, string | undefined>, b: Record<string, string | undefined> | undefined): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
