/**
 * Live navigation in the browser: `lv-patch` and `lv-navigate` links, the history entries they
 * make, the back and forward buttons, scroll restoration, the page title and the flash region.
 *
 * Every history entry Livery makes carries `{lv: {id, scroll}}`: the id of the view container that
 * made it (a navigate gives the container a new id) and the window's scroll position, saved as the
 * user scrolls. Going back or forward to an entry of the view on the page now is a patch (its
 * `handleParams` runs); to any other entry, a navigate (the view there mounts afresh, as on a page
 * load). The server decides the rest: a URL another tenant, another site or a page that is not live
 * serves comes back as `redirect`, and the browser loads it.
 */
import { A_VIEW, B_NAVIGATE, B_PATCH, B_REPLACE, MAX_URL_LENGTH } from '../server/protocol/index.ts';
import { A_FLASH, B_FLASH_CLOSE, FLASH_CLEAR_EVENT, FLASH_ID, flashMessageHtml, isFlashKind } from '../server/protocol/flash.ts';
import type { PageEffects } from '../server/protocol/codec.ts';
import type { View } from './view.ts';

/** A navigation a view asked the server for, remembered until its reply. */
export interface Navigation {
  readonly kind: 'patch' | 'navigate';
  readonly url: string;
  /** Replace the history entry instead of adding one. */
  readonly replace?: boolean;
  /** The browser already moved (back/forward): no entry to add, and `scroll` to restore. */
  readonly pop?: boolean;
  readonly scroll?: number;
  /** The link's fragment, scrolled to once the page shows. */
  readonly hash?: string;
  /** The link that asked, for `lv-loading`. */
  readonly el?: Element;
  /** The window's scroll when the navigation began: the entry being left keeps it. */
  at?: number;
}

export interface NavigationHost {
  /**
   * The view a link or the back button acts on: the top-level view around the link (a link in a
   * nested view navigates the page, D81), else the page's first top-level view.
   */
  viewOf(el: Element | null): View | undefined;
}

let host: NavigationHost | undefined;

interface EntryState {
  id?: string;
  scroll?: number;
}

/** The path and query the page shows, as Livery last set or saw it. */
let current = location.pathname + location.search;

function entry(): EntryState | undefined {
  const lv = (history.state as { lv?: EntryState } | null)?.lv;
  return typeof lv === 'object' && lv !== null ? lv : undefined;
}

/** Writes the current entry's Livery state, keeping whatever else a script put there. */
function stamp(lv: EntryState): void {
  const state = history.state as Record<string, unknown> | null;
  history.replaceState({ ...(typeof state === 'object' ? state : {}), lv: { ...entry(), ...lv } }, '');
}

export function bindNavigation(page: NavigationHost): void {
  host = page;
  history.scrollRestoration = 'manual';
  const main = page.viewOf(null);
  const saved = entry()?.scroll;
  stamp({ id: main?.el.id });
  markCurrentLinks();
  // A reload or a return to this document from another one: the browser restores nothing under
  // manual restoration, so Livery does, from the entry.
  if (typeof saved === 'number') scrollTo(0, saved);

  let timer: ReturnType<typeof setTimeout> | undefined;
  addEventListener('scroll', () => {
    clearTimeout(timer);
    timer = setTimeout(() => stamp({ scroll: scrollY }), 100);
  }, { passive: true });

  addEventListener('popstate', (e) => {
    const url = location.pathname + location.search;
    if (url === current) return; // only the fragment changed: the browser's business
    current = url;
    const view = page.viewOf(null);
    if (view === undefined || !view.joined) return void location.reload();
    const lv = (e.state as { lv?: EntryState } | null)?.lv;
    view.go({ kind: lv?.id === view.el.id ? 'patch' : 'navigate', url, pop: true, scroll: lv?.scroll });
  });

  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || !(e.target instanceof Element)) return;
    const close = e.target.closest(`[${B_FLASH_CLOSE}]`);
    if (close !== null) return dismiss(close, page.viewOf(null));
    const link = e.target.closest(`a[${B_PATCH}], a[${B_NAVIGATE}]`) as HTMLAnchorElement | null;
    if (link === null || (link.target !== '' && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    const path = url.pathname + url.search;
    // Another site, a URL too long for a frame, or a fragment of this very page: the browser's.
    if (url.origin !== location.origin || path.length > MAX_URL_LENGTH || (path === current && url.hash !== '')) return;
    e.preventDefault();
    const view = page.viewOf(link);
    if (view === undefined || !view.joined) return void location.assign(url.href);
    view.go({ kind: link.hasAttribute(B_PATCH) ? 'patch' : 'navigate', url: path, replace: link.hasAttribute(B_REPLACE), hash: url.hash, el: link });
  });
}

/** Applies what a frame says about the page: title, flash, and where the browser goes. */
export function applyPage(from: View, page: PageEffects, nav: Navigation | undefined): void {
  if (page.title !== undefined) document.title = page.title;
  if (page.flash !== undefined) showFlash(page.flash, page.view !== undefined);
  const location = page.location;
  if (location === undefined) return;
  // A nested view asking to go somewhere moves the page: its top-level view goes.
  const view = host?.viewOf(from.el) ?? from;
  const replace = nav?.replace === true || location.replace === true;
  if (location.kind === 'redirect') return loadPage(location.to, replace);
  if (location.kind === 'navigate' && page.view === undefined) {
    // The server asks for a navigate (pushNavigate, or a patch to another view's URL).
    const to = new URL(location.to, document.baseURI);
    return view.go({ kind: 'navigate', url: to.pathname + to.search, replace, hash: to.hash });
  }
  const to = new URL(location.to, document.baseURI);
  current = to.pathname + to.search;
  const hash = to.hash || nav?.hash || '';
  markCurrentLinks();
  if (nav?.pop) {
    // Back or forward: the entry exists; keep it naming this view, and put its scroll back.
    history.replaceState({ lv: { id: view.el.id, scroll: nav.scroll } }, '', current + hash);
    if (typeof nav.scroll === 'number') scrollTo(0, nav.scroll);
    return;
  }
  stamp({ scroll: nav?.at ?? scrollY });
  const state = { lv: { id: view.el.id, scroll: 0 } };
  if (replace) history.replaceState(state, '', current + hash);
  else history.pushState(state, '', current + hash);
  const target = hash === '' ? null : document.getElementById(decodeURIComponent(hash.slice(1)));
  if (target !== null) target.scrollIntoView();
  else if (location.kind === 'navigate') scrollTo(0, 0);
}

/**
 * The layout's navigation stays while views come and go, so Livery marks its way there: among the
 * `lv-navigate` links in a `<nav>` outside every view, the one whose path is the longest match of
 * the page's (itself, or a section it is in: `/projects` on `/projects/7`) gets
 * `aria-current="page"`, the others lose it.
 */
function markCurrentLinks(): void {
  const here = current.split('?', 1)[0];
  let best: Element | undefined;
  let length = -1;
  const links = [...document.querySelectorAll(`nav a[${B_NAVIGATE}]`)].filter((a) => a.closest(`[${A_VIEW}]`) === null);
  for (const link of links) {
    const path = new URL((link as HTMLAnchorElement).href).pathname.replace(/\/$/, '');
    if ((here === path || here.startsWith(path + '/')) && path.length > length) [best, length] = [link, path.length];
  }
  for (const link of links) {
    if (link === best) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** A full page load of `to` (http(s) only: a hostile URL never reaches `location`). */
export function loadPage(to: string, replace = false): void {
  const url = new URL(to, document.baseURI);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return void console.warn(`[livery] refused to load ${url.protocol} URL`);
  if (replace) location.replace(url.href);
  else location.assign(url.href);
}

let warned = false;

/** Shows and removes flash messages; a navigate (`all`) replaces every one. */
function showFlash(flash: NonNullable<PageEffects['flash']>, all: boolean): void {
  const region = document.getElementById(FLASH_ID);
  if (region === null) {
    if (!warned && Object.values(flash).some((m) => typeof m === 'string')) console.warn(`[livery] a flash message arrived, but the layout has no #${FLASH_ID} (render {{ flash|safe }})`);
    warned = true;
    return;
  }
  if (all) region.replaceChildren();
  for (const [kind, message] of Object.entries(flash)) {
    if (!isFlashKind(kind)) continue;
    region.querySelector(`[${A_FLASH}="${kind}"]`)?.remove();
    if (typeof message !== 'string') continue;
    const holder = document.createElement('template');
    holder.innerHTML = flashMessageHtml(kind, message);
    // Kinds keep their order (info above error), whichever arrived first.
    const after = kind === 'info' ? region.firstChild : null;
    region.insertBefore(holder.content, after);
  }
}

/** The user closed a message: it goes, and the view forgets it (it is not carried to the next page). */
function dismiss(button: Element, view: View | undefined): void {
  const message = button.closest(`[${A_FLASH}]`);
  const kind = message?.getAttribute(A_FLASH);
  message?.remove();
  if (isFlashKind(kind) && view?.joined) view.push(view.el, FLASH_CLEAR_EVENT, { kind });
}
