/**
 * The flash region: the one element outside a view's container that Livery keeps live. The page
 * render writes it (the layout places it with `{{ flash|safe }}`) and the browser client updates it
 * from a frame's `f` key, both with the markup below — so a layout styles one structure, whichever
 * side drew it. No Node imports: `client/` bundles this file.
 *
 *   <div id="lv-flash" aria-live="polite">
 *     <div class="lv-flash lv-flash-info" role="status" data-lv-flash="info"><p>Saved.</p><button type="button" lv-flash-close aria-label="Dismiss">×</button></div>
 *   </div>
 */

/** The kinds of flash message, in the order the region shows them. */
export const FLASH_KINDS = ['info', 'error'] as const;
export type FlashKind = (typeof FLASH_KINDS)[number];
/** The messages a page shows, one per kind. */
export type Flash = { readonly [K in FlashKind]?: string };

/** The id of the region's element. */
export const FLASH_ID = 'lv-flash';
/** On a message: which kind it is. */
export const A_FLASH = 'data-lv-flash';
/** On a message's button: clicking it dismisses the message (and tells the view). */
export const B_FLASH_CLOSE = 'lv-flash-close';
/** The reserved event the client sends when the user dismisses a message: `{kind}`. */
export const FLASH_CLEAR_EVENT = '_flash_clear';
/** The longest flash message, in characters. */
export const MAX_FLASH_LENGTH = 1000;

export function isFlashKind(kind: unknown): kind is FlashKind {
  return kind === 'info' || kind === 'error';
}

/** One message; errors are alerts (announced at once), the rest statuses. */
export function flashMessageHtml(kind: FlashKind, message: string): string {
  const role = kind === 'error' ? 'alert' : 'status';
  return `<div class="lv-flash lv-flash-${kind}" role="${role}" ${A_FLASH}="${kind}"><p>${escape(message)}</p>` +
    `<button type="button" ${B_FLASH_CLOSE} aria-label="Dismiss">×</button></div>`;
}

/** The messages of a flash, in kind order. */
export function flashMessagesHtml(flash: Flash): string {
  let out = '';
  for (const kind of FLASH_KINDS) {
    const message = flash[kind];
    if (message !== undefined) out += flashMessageHtml(kind, message);
  }
  return out;
}

/** The whole region, as a page render writes it (empty when there is nothing to show). */
export function flashRegionHtml(flash: Flash): string {
  return `<div id="${FLASH_ID}" aria-live="polite">${flashMessagesHtml(flash)}</div>`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
