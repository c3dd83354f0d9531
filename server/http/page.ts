/**
 * The HTML page around a view: the container the client joins (`data-lv-view`, `data-lv-token`)
 * inside a layout. The built-in layout is minimal; an app's own layout template receives
 * `title`, `head` (the client script tag), `content` (the view container), `flash` (the flash
 * region, `#lv-flash`, which the client keeps live), `tenant` and `root` (where the tenant's pages
 * start: `''`, or `/t/acme` when the path names the tenant; for the layout's own links) — render
 * `head`, `content` and `flash` with `|safe`.
 */
import { flashRegionHtml } from '../protocol/flash.ts';
import { createScope, escapeHtml, renderToString, type Template } from '../template/index.ts';

export interface PageParts {
  readonly title: string;
  readonly head: string;
  readonly content: string;
  /** The flash region (`<div id="lv-flash">` and its messages). */
  readonly flash: string;
}

export type Layout = (parts: PageParts, extra?: Record<string, unknown>) => string;

export { viewContainer } from '../view/container.ts';

export function scriptTag(src: string): string {
  return `<script defer src="${src}"></script>`;
}

export function createLayout(template: Template | undefined): Layout {
  if (template === undefined) return builtInLayout;
  return (parts, extra = {}) => {
    // `tenant` is a global, as in a view's template, so components in the layout see it (D79).
    const { tenant, ...rest } = extra;
    return renderToString(template, createScope({ ...rest, ...parts }, tenant === undefined ? undefined : { tenant }));
  };
}

const builtInLayout: Layout = ({ title, head, content, flash }) =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
  `<title>${escapeHtml(title)}</title>\n${head}\n</head>\n<body>\n${flash}\n${content}\n</body>\n</html>\n`;

export function errorPage(layout: Layout, status: number, code: string, message: string, head = ''): string {
  const content = `<main class="lv-error-page"><h1>${status}</h1><p>${escapeHtml(message)}</p><p><code>${code}</code></p></main>`;
  return layout({ title: `${status} ${code}`, head, content, flash: flashRegionHtml({}) });
}
