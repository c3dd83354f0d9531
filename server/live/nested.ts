/**
 * Nested live views (`{% live "View" id="…" %}`, D81): what a view gives its templates so they
 * can render another view's container.
 *
 * A nested view is a view like any other — its own vid, token, state record and mailbox on the
 * parent's socket — whose instance is derived from its parent's and its id (server/keys.ts), so
 * every render of the parent, on any socket or process, names the same child. The token is
 * signed with the parent's tenant and session, never anything the client sent. A child whose
 * state does not exist yet (it appeared in a live re-render) is mounted when it joins, as any
 * view whose state expired; on a page load the children are mounted and rendered with the page
 * (`Runtime.renderPage` fills the containers this host leaves a marker in).
 */
import { randomBytes } from 'node:crypto';
import { LiveryError } from '../errors.ts';
import { nestedInstance, nestingDepth } from '../keys.ts';
import type { NestedViews } from '../template/index.ts';
import type { TokenSigner } from '../token/index.ts';
import { viewContainer } from '../view/container.ts';
import type { Params } from '../view/live-view.ts';

/** How deep views may nest (a page's view is depth 0): a view that nests itself stops here. */
export const MAX_NESTING_DEPTH = 4;
/** The token verifier's bound: a child's params travel in its token. */
const MAX_TOKEN_LENGTH = 4096;

/** A child met while rendering a page: mounted and rendered once the parent's HTML is done. */
export interface PendingChild {
  readonly view: string;
  readonly instance: string;
  readonly params: Params;
  /** Stands in the container for the child's HTML. */
  readonly marker: string;
}

/**
 * How many views a page render has shown so far, shared by the page's host and its children's
 * (D85): a page never shows more views than one socket may join (`socket.maxViews`).
 */
export interface PageViews {
  shown: number;
}

/** One per page render that nests views, and per live view once its template nests one (D86): fields, no closures (D68). */
export class NestedHost implements NestedViews {
  readonly #views: ReadonlyMap<string, unknown>;
  readonly #signer: TokenSigner;
  readonly #tenant: string;
  readonly #session: string;
  /** The instance of the view whose template renders the tags. */
  readonly #parent: string;
  /** A page render: the children are collected here (their containers hold a marker). */
  readonly pending: PendingChild[] | undefined;
  /** Ids rendered in the running (synchronous) render, forgotten once it is over. */
  #seen: Set<string> | undefined;
  #nonce: string | undefined;
  /** `socket.maxViews`: a view and its children must fit on the one socket that joins them. */
  readonly #maxViews: number;
  readonly #page: PageViews | undefined;

  constructor(views: ReadonlyMap<string, unknown>, signer: TokenSigner, tenant: string, session: string, parent: string, maxViews: number, pending?: PendingChild[], page?: PageViews) {
    this.#views = views;
    this.#signer = signer;
    this.#tenant = tenant;
    this.#session = session;
    this.#parent = parent;
    this.#maxViews = maxViews;
    this.pending = pending;
    this.#page = page;
  }

  /** A render starts over in the same turn (a failed diff re-renders in full): the ids seen so far are no duplicates. */
  restart(): void {
    this.#seen = undefined;
  }

  container(view: string, id: string, params: Record<string, string>): string {
    const parent = this.#parent;
    const pending = this.pending;
    if (!this.#views.has(view)) throw new LiveryError('LV_NESTED_VIEW_INVALID', `no view class named ${view} is registered`);
    if (nestingDepth(parent) >= MAX_NESTING_DEPTH) throw new LiveryError('LV_NESTED_VIEW_INVALID', `views nest more than ${MAX_NESTING_DEPTH} deep (does a view nest itself?)`);
    if (this.#seen === undefined) {
      this.#seen = new Set();
      queueMicrotask(() => (this.#seen = undefined));
    }
    if (this.#seen.has(id)) throw new LiveryError('LV_NESTED_ID_INVALID', `id "${id}" is used twice in one render`);
    // Views past what one socket may join would never go live (LV_TOO_MANY_VIEWS at their join),
    // and a page render mounts and stores every one: a loop over a growing list fails here instead.
    if (this.#seen.size + 1 >= this.#maxViews || (this.#page !== undefined && this.#page.shown + 1 > this.#maxViews)) {
      throw new LiveryError('LV_NESTED_VIEW_INVALID', `the page would show more views than one socket may join (socket.maxViews = ${this.#maxViews}): show the items in one view, or as live components`);
    }
    this.#seen.add(id);
    if (this.#page !== undefined) this.#page.shown++;
    const instance = nestedInstance(parent, id);
    const token = this.#signer.sign({ view, instance, params, session: this.#session, tenant: this.#tenant });
    if (token.length > MAX_TOKEN_LENGTH) throw new LiveryError('LV_NESTED_VIEW_INVALID', 'its params are too long to travel in its token: pass ids, not records');
    if (pending === undefined) return viewContainer(view, instance, token, '');
    // A random marker: nothing the page renders from data can stand in for it.
    const marker = `<!--lv-nested ${(this.#nonce ??= randomBytes(9).toString('base64url'))} ${pending.length}-->`;
    pending.push({ view, instance, params, marker });
    return viewContainer(view, instance, token, marker);
  }
}

/** Whether a token's instance is a nested view's (no URL of its own: it gets no `handleParams`). */
export function isNested(instance: string): boolean {
  return nestingDepth(instance) > 0;
}
