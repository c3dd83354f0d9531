/**
 * A view's container: the element the client joins (`data-lv-view`, `data-lv-token`), around the
 * view's HTML. A page's view and a nested view (`{% live %}`, D81) have the same one.
 */
import { A_TOKEN, A_VIEW } from '../protocol/index.ts';

export function viewContainer(viewId: string, instance: string, token: string, html: string): string {
  return `<div id="lv-${instance}" ${A_VIEW}="${viewId}" ${A_TOKEN}="${token}">${html}</div>`;
}
