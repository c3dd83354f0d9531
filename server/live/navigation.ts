/**
 * Live navigation on the server: which live route serves a URL, and what a view's navigation
 * request (`pushPatch`, `pushNavigate`, `redirect`, or a patch frame) turns into.
 *
 * A patch stays in the view: `handleParams` runs with the new URL's params, and again while it
 * keeps patching (at most MAX_PATCHES times, then LV_NAV_LOOP). A patch to a URL another live view
 * serves becomes a navigate; a URL no live route of this socket's tenant serves becomes a full page
 * load (`redirect`), which resolves the tenant afresh over HTTP. The route matcher is the HTTP
 * layer's (`server/http/router.ts`), so a URL means the same over the socket as in the address bar.
 */
import { LiveryError } from '../errors.ts';
import type { Flash } from '../protocol/flash.ts';
import type { PageLocation } from '../protocol/codec.ts';
import type { RequestInfo } from '../tenancy/types.ts';
import type { LiveView, Params } from '../view/live-view.ts';
import { PAGE } from '../view/live-view.ts';
import type { Route } from '../view/routes.ts';

/** How many patches in a row a view may ask for before it is a loop. */
export const MAX_PATCHES = 5;

export interface RouteMatch {
  readonly route: Route;
  /** The query string's params with the route's path params over them (the tenant segment removed). */
  readonly params: Params;
  /** The tenant a path-tenancy URL names (`/t/acme/…`): still only a claim. */
  readonly routeTenant?: string;
}

/** The live route serving a path and query, or undefined when no live route does (another route, or none). */
export type RouteMatcher = (url: string) => RouteMatch | undefined;

/** What a socket keeps of its upgrade request, to resolve a navigation target's tenant as a page load would. */
export type SocketRequest = Omit<RequestInfo, 'path' | 'session'>;

/** The path and query of a URL (a fragment is the browser's business). */
export function pathOf(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

export interface IntentContext {
  /** The live route serving `url` on this socket's tenant, if any. */
  resolve(url: string): Promise<RouteMatch | undefined>;
  /** Keeps flash messages in the browser session for the next page load. */
  keepFlash(flash: Flash): Promise<void>;
  /** A nested view (D81) shows no URL of its own: where it asks to go, the page goes (a navigate). */
  readonly nested?: boolean;
}

/**
 * After a handler: follows what the view asked for. A patch this view serves runs `handleParams`
 * there (the page's URL becomes it); anything else becomes where the browser goes. Returns the
 * location for the frame, or undefined when the view asked for nothing.
 */
export async function followIntent(view: LiveView<object>, context: IntentContext, replaceFirst = false): Promise<PageLocation | undefined> {
  const page = view[PAGE];
  let location: PageLocation | undefined;
  for (let patches = 0; ; patches++) {
    const intent = page.takeIntent();
    if (intent === undefined) return location;
    const replace = location?.replace ?? (replaceFirst || intent.replace);
    if (intent.kind === 'navigate') return { to: intent.to, kind: 'navigate', replace };
    if (intent.kind === 'redirect') {
      await context.keepFlash(page.carried);
      return { to: intent.to, kind: 'redirect', replace };
    }
    if (patches >= MAX_PATCHES) throw new LiveryError('LV_NAV_LOOP', `${view.constructor.name} patched to ${intent.to.slice(0, 200)}`);
    const url = pathOf(intent.to);
    const match = await context.resolve(url);
    if (match === undefined) {
      await context.keepFlash(page.carried);
      return { to: intent.to, kind: 'redirect', replace };
    }
    if (match.route.view !== view.constructor || context.nested === true) return { to: intent.to, kind: 'navigate', replace };
    page.url = url;
    await view.handleParams?.(match.params, url);
    location = { to: intent.to, kind: 'patch', replace };
  }
}
