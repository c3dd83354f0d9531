/**
 * Flash messages across a full page load: a redirect (a 302 from the page render, or `redirect`
 * from a live view) keeps the page's messages in the browser session, and the next page render
 * takes them out and shows them — once. They are kept with the tenant they were set under and
 * shown only by that tenant's pages: a message never crosses to another tenant's page.
 */
import { isFlashKind, type Flash, type FlashKind } from '../protocol/flash.ts';
import type { SessionData } from './index.ts';

/** The session data key the messages wait under (`{tenant, messages}`). */
export const FLASH_SESSION_KEY = '_flash';

export function hasFlash(flash: Flash): boolean {
  return flash.info !== undefined || flash.error !== undefined;
}

/** The session data with `flash` kept for the next page of `tenant` (replacing what waited). */
export function withFlash(data: SessionData, tenant: string, flash: Flash): SessionData {
  return { ...data, [FLASH_SESSION_KEY]: { tenant, messages: { ...flash } } };
}

/**
 * The messages waiting for a page of `tenant`, and the session data without them (`rest` is
 * undefined when nothing waited, so nothing needs writing). Messages kept under another tenant are
 * dropped unseen.
 */
export function takeFlash(data: SessionData, tenant: string): { flash: Flash; rest: SessionData | undefined } {
  if (!Object.hasOwn(data, FLASH_SESSION_KEY)) return { flash: {}, rest: undefined };
  const { [FLASH_SESSION_KEY]: kept, ...rest } = data;
  const flash: { [K in FlashKind]?: string } = {};
  const { tenant: keptTenant, messages } = (kept ?? {}) as { tenant?: unknown; messages?: Record<string, unknown> };
  if (keptTenant === tenant && messages !== null && typeof messages === 'object') {
    for (const [kind, message] of Object.entries(messages)) if (isFlashKind(kind) && typeof message === 'string') flash[kind] = message;
  }
  return { flash, rest };
}
