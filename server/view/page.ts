/**
 * What a view says about its page rather than its container: the URL it shows, the title, flash
 * messages and where the browser should go next (`pushPatch`, `pushNavigate`, `redirect`). A view
 * writes these through `LiveView`'s helpers; the runtime reads them after each handler and turns
 * them into a redirect (HTTP), a history entry, `document.title` and the flash region (socket).
 *
 * URLs an app hands to those helpers are resolved here, against the view's current URL, the way
 * a browser resolves a link: `'?page=2'`, `'../projects'`, `'/search?q=x'`. Only http(s) URLs
 * leave the site, and only through `redirect` (or a `pushNavigate` to another site, which becomes
 * one): a `javascript:` or `data:` URL never reaches the browser.
 */
import { LiveryError } from '../errors.ts';
import { isFlashKind, MAX_FLASH_LENGTH, type Flash, type FlashKind } from '../protocol/flash.ts';
import type { LocationKind } from '../protocol/codec.ts';

export type { Flash, FlashKind };

export interface NavigateOptions {
  /** Replace the browser's current history entry instead of adding one (default false). */
  readonly replace?: boolean;
}

/** Where a handler asked the browser to go; the last call in a handler wins. */
export interface NavigationIntent {
  readonly kind: LocationKind;
  /** A path and query on this site, or (redirect only) an absolute http(s) URL elsewhere. */
  readonly to: string;
  readonly replace: boolean;
}

interface FlashEntry {
  readonly message: string;
  /**
   * Set while this page was showing (by an event, a tick…): it is carried to the next page.
   * False for a message that arrived with the page (set while it was being opened, or carried
   * from the previous one): it is dropped at the next navigation.
   */
  readonly fresh: boolean;
}

type Snapshot = readonly [string, string | undefined, boolean, Partial<Record<FlashKind, FlashEntry>>, ReadonlySet<FlashKind> | undefined, NavigationIntent | undefined, number];

/** An event for the page's hooks (`pushEvent`): `[name, payload]`. */
export type PushedEvent = readonly [string, unknown];

/** At most this many characters of pushed events' JSON per frame (a bound like the state's: a frame is not a data channel). */
export const MAX_PUSHED_EVENT_CHARS = 65_536;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * One view's page-level record. Like its state (D18), what a handler changes here is undone when
 * the handler fails: `begin` opens a journal, the first change in it copies the record (a handler
 * that changes nothing copies nothing), `rollback` puts the copy back.
 */
const NO_FLASH: Readonly<Partial<Record<FlashKind, FlashEntry>>> = Object.freeze({});

export class PageRecord {
  #url = '';
  #title: string | undefined = undefined;
  titleChanged = false;
  /** True while the page is being opened (HTTP render, navigate): flash set now arrives with it. */
  opening = false;
  /** Replaced, never mutated: a page without flash shares one empty record (D68: an idle view's memory). */
  #flash: Readonly<Partial<Record<FlashKind, FlashEntry>>> = NO_FLASH;
  #flashChanged: Set<FlashKind> | undefined;
  #intent: NavigationIntent | undefined;
  /** Events pushed for the page's hooks, not yet sent, and the characters of their JSON. */
  #events: PushedEvent[] = [];
  #eventChars = 0;
  /** undefined: no handler running; null: one is, and has changed nothing yet. */
  #saved: Snapshot | null | undefined;

  /** The path and query the page shows (with a path-tenancy prefix, if the page has one). */
  get url(): string {
    return this.#url;
  }

  set url(url: string) {
    this.#touch();
    this.#url = url;
  }

  get title(): string | undefined {
    return this.#title;
  }

  /** Where the last helper call of the running handler asked the browser to go. */
  get intent(): NavigationIntent | undefined {
    return this.#intent;
  }

  set intent(intent: NavigationIntent | undefined) {
    this.#touch();
    this.#intent = intent;
  }

  setTitle(title: string): void {
    if (typeof title !== 'string') throw new LiveryError('LV_NAV_TITLE_INVALID', `pageTitle must be a string, got ${typeof title}`);
    if (title === this.#title) return;
    this.#touch();
    this.#title = title;
    this.titleChanged = true;
  }

  setFlash(kind: unknown, message: unknown): void {
    if (!isFlashKind(kind)) throw new LiveryError('LV_FLASH_INVALID', `kind ${JSON.stringify(String(kind)).slice(0, 40)} (use 'info' or 'error')`);
    if (typeof message !== 'string' || message.length > MAX_FLASH_LENGTH) {
      throw new LiveryError('LV_FLASH_INVALID', typeof message !== 'string' ? 'the message must be a string' : `the message is longer than ${MAX_FLASH_LENGTH} characters`);
    }
    this.#touch();
    this.#flash = { ...this.#flash, [kind]: { message, fresh: !this.opening } };
    (this.#flashChanged ??= new Set()).add(kind);
  }

  /** The user dismissed a message: it is not carried to the next page. */
  clearFlash(kind: FlashKind): void {
    if (this.#flash[kind] === undefined) return;
    const { [kind]: _dropped, ...rest } = this.#flash;
    this.#flash = rest;
  }

  /** Every message the page shows now. */
  get flash(): Flash {
    return this.#messages(() => true);
  }

  /** The messages carried to the next page: the fresh ones. */
  get carried(): Flash {
    return this.#messages((entry) => entry.fresh);
  }

  #messages(keep: (entry: FlashEntry) => boolean): Flash {
    const out: { [K in FlashKind]?: string } = {};
    for (const [kind, entry] of Object.entries(this.#flash) as Array<[FlashKind, FlashEntry]>) if (keep(entry)) out[kind] = entry.message;
    return out;
  }

  /** Messages that came with the page (from the session after a redirect, or from the previous page). */
  arrive(flash: Flash): void {
    for (const [kind, message] of Object.entries(flash)) {
      if (isFlashKind(kind) && typeof message === 'string') this.#flash = { ...this.#flash, [kind]: { message, fresh: false } };
    }
  }

  /** The flash kinds changed since the last call, as the frame's `f` key sends them; undefined if none. */
  takeFlashChanges(): Record<string, string | null> | undefined {
    const changed = this.#flashChanged;
    if (changed === undefined) return undefined;
    this.#flashChanged = undefined;
    const out: Record<string, string | null> = {};
    for (const kind of changed) out[kind] = this.#flash[kind]?.message ?? null;
    return out;
  }

  /**
   * Queues an event for the page's hooks. The payload is copied now (JSON): changing the object
   * later does not change what is sent, and what cannot travel fails the handler here.
   */
  pushEvent(name: unknown, payload: unknown): void {
    if (typeof name !== 'string' || !EVENT_NAME.test(name)) throw new LiveryError('LV_PUSH_EVENT_INVALID', `name ${JSON.stringify(String(name)).slice(0, 80)}`);
    let json: string | undefined;
    try {
      json = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? JSON.stringify(payload) : undefined;
    } catch (error) {
      throw new LiveryError('LV_PUSH_EVENT_INVALID', `"${name}": the payload is not JSON (${String(error)})`);
    }
    if (json === undefined) throw new LiveryError('LV_PUSH_EVENT_INVALID', `"${name}": the payload must be a plain object`);
    if (this.#eventChars + json.length > MAX_PUSHED_EVENT_CHARS) throw new LiveryError('LV_PUSH_EVENT_INVALID', `"${name}": over ${MAX_PUSHED_EVENT_CHARS} characters of events in one frame`);
    this.#touch();
    this.#events = [...this.#events, [name, JSON.parse(json)]];
    this.#eventChars += json.length;
  }

  /** The events pushed since the last call, as the frame's `ev` key sends them; undefined if none. */
  takeEvents(): PushedEvent[] | undefined {
    if (this.#events.length === 0) return undefined;
    const events = this.#events;
    this.#events = [];
    this.#eventChars = 0;
    return events;
  }

  takeIntent(): NavigationIntent | undefined {
    const intent = this.#intent;
    this.#intent = undefined;
    return intent;
  }

  /** A handler starts: its changes will be journaled. */
  begin(): void {
    this.#saved = null;
  }

  /** The handler failed: its URL, title, flash and navigation never happened. */
  rollback(): void {
    const saved = this.#saved;
    this.#saved = undefined;
    if (saved === null || saved === undefined) return;
    [this.#url, this.#title, this.titleChanged, this.#flash, , this.#intent] = saved;
    this.#events = this.#events.slice(0, saved[6]);
    this.#eventChars = this.#events.reduce((n, [, payload]) => n + JSON.stringify(payload).length, 0);
    this.#flashChanged = saved[4] === undefined ? undefined : new Set(saved[4]);
  }

  /** The first change in a handler keeps a copy of the record for `rollback`. */
  #touch(): void {
    if (this.#saved !== null) return;
    this.#saved = [this.#url, this.#title, this.titleChanged, this.#flash, this.#flashChanged && new Set(this.#flashChanged), this.#intent, this.#events.length];
  }
}

/** A placeholder origin: relative URLs are resolved against it, and anything that leaves it is another site. */
const BASE = 'http://livery.invalid';
/** Control characters, whitespace and backslashes: browsers and URL parsers rewrite them, so they have no business in a link. */
const UNSAFE = /[\u0000-\u0020\u007f\\]/;
const SCHEME = /^[a-zA-Z][a-zA-Z\d+.-]*:/;

export type ResolvedUrl = { readonly local: true; readonly to: string; readonly path: string } | { readonly local: false; readonly to: string };

/**
 * A URL an app passed to `pushPatch`, `pushNavigate` or `redirect`, resolved against the page's
 * current URL `base`: a path and query on this site (`local`), or an absolute http(s) URL
 * elsewhere. Anything else — another scheme, a protocol-relative `//host`, backslashes, control
 * characters — is LV_NAV_URL_INVALID.
 */
export function resolveAppUrl(url: unknown, base: string): ResolvedUrl {
  if (typeof url !== 'string' || url === '') throw new LiveryError('LV_NAV_URL_INVALID', 'expected a non-empty string');
  if (UNSAFE.test(url)) throw new LiveryError('LV_NAV_URL_INVALID', 'control characters, spaces or backslashes');
  if (url.startsWith('//')) throw new LiveryError('LV_NAV_URL_INVALID', 'a protocol-relative URL (//host) is ambiguous; give a path or an absolute https:// URL');
  if (SCHEME.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new LiveryError('LV_NAV_URL_INVALID', 'not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new LiveryError('LV_NAV_URL_INVALID', `the ${parsed.protocol} scheme is not allowed`);
    return { local: false, to: parsed.href };
  }
  const parsed = new URL(url, BASE + (base.startsWith('/') ? base : '/'));
  if (parsed.origin !== BASE) throw new LiveryError('LV_NAV_URL_INVALID', 'the URL leaves the site');
  return { local: true, to: parsed.pathname + parsed.search + parsed.hash, path: parsed.pathname + parsed.search };
}

/**
 * A URL a client sent in a join, patch or navigate frame: only a path and query on this site,
 * at most `maxLength` characters. The socket's host decides the tenant, so a frame naming any host
 * at all — or a scheme, `//evil`, backslashes, control characters, a fragment — is refused.
 */
export function checkFrameUrl(url: unknown, maxLength: number): { readonly path: string } | { readonly code: 'LV_NAV_URL_INVALID' | 'LV_NAV_URL_TOO_LONG'; readonly detail: string } {
  if (typeof url !== 'string') return { code: 'LV_NAV_URL_INVALID', detail: 'expected a string' };
  if (url.length > maxLength) return { code: 'LV_NAV_URL_TOO_LONG', detail: `${url.length} > ${maxLength} characters` };
  if (!url.startsWith('/') || url.startsWith('//')) return { code: 'LV_NAV_URL_INVALID', detail: 'expected a path on this site, starting with a single /' };
  if (UNSAFE.test(url) || url.includes('#')) return { code: 'LV_NAV_URL_INVALID', detail: 'control characters, spaces, backslashes or a fragment' };
  const parsed = new URL(url, BASE);
  if (parsed.origin !== BASE) return { code: 'LV_NAV_URL_INVALID', detail: 'the URL leaves the site' };
  return { path: url };
}

/**
 * The params a view gets for a URL: the query string's (the first value of a repeated name),
 * then the route's path params over them — a path segment always wins.
 */
export function paramsOf(url: string, pathParams: Readonly<Record<string, string>>): Record<string, string> {
  const query = new Map<string, string>();
  const q = url.indexOf('?');
  if (q >= 0) {
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) if (!query.has(name)) query.set(name, value);
  }
  for (const [name, value] of Object.entries(pathParams)) query.set(name, value);
  // fromEntries defines own properties: a query name like `__proto__` is a plain key, never a prototype.
  return Object.fromEntries(query);
}
