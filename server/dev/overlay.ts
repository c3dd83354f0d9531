/**
 * The dev error overlay: a small script (plain browser JavaScript, served only by a process the
 * dev loop supervises) that shows a DevErrorReport in an element with id `lv-dev-overlay`.
 *
 * It shows what arrives three ways: a `lv:dev` event (the client dispatches one for each
 * `[2,"o",report]` frame — from the supervisor while the app is down, or `null` from a freshly
 * started app, which hides the overlay), a `lv:error` event whose detail carries `dev` (a handler
 * or render error, in development only), or `LiveryDevOverlay.show(report)` on the supervisor's
 * own error page. The production client has no overlay code: it only dispatches events.
 */
import { DEV_OVERLAY_ID, type DevErrorReport } from '../protocol/index.ts';
import { escapeHtml } from '../template/index.ts';

export const OVERLAY_SCRIPT_PATH = '/_livery/dev/overlay.js';

export const OVERLAY_SCRIPT = `(() => {
  const ID = ${JSON.stringify(DEV_OVERLAY_ID)};
  const css = 'position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#eee;' +
    'font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;padding:32px';
  function hide() { const el = document.getElementById(ID); if (el) el.remove(); }
  function part(tag, cls, text, style) {
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    if (style) el.style.cssText = style;
    return el;
  }
  function show(report) {
    hide();
    if (!report) return;
    const el = document.createElement('div');
    el.id = ID;
    el.setAttribute('role', 'alertdialog');
    el.style.cssText = css;
    const close = part('button', 'lv-dev-close', 'Close (Esc)', 'float:right');
    close.onclick = hide;
    el.append(close, part('div', 'lv-dev-title', report.title, 'color:#ff6b6b;font-size:18px;font-weight:bold'));
    if (report.file) {
      const where = report.file + (report.line ? ':' + report.line + (report.column ? ':' + report.column : '') : '');
      el.append(part('div', 'lv-dev-where', where, 'color:#8cc8ff;margin:8px 0'));
    }
    el.append(part('pre', 'lv-dev-message', report.message, 'white-space:pre-wrap;margin:8px 0'));
    if (report.frame) el.append(part('pre', 'lv-dev-frame', report.frame, 'background:#000;padding:12px;overflow:auto'));
    if (report.stack) el.append(part('pre', 'lv-dev-stack', report.stack, 'color:#aaa;white-space:pre-wrap'));
    el.append(part('p', 'lv-dev-hint', 'Fix the file and save: the dev server restarts and this page resumes.', 'color:#aaa'));
    (document.body || document.documentElement).append(el);
  }
  document.addEventListener('lv:dev', (e) => show(e.detail));
  // lv:error is dispatched on the view's container and does not bubble: listen in the capture phase.
  document.addEventListener('lv:error', (e) => { if (e.detail && e.detail.dev) show(e.detail.dev); }, true);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
  window.LiveryDevOverlay = { show, hide };
})();
`;

/**
 * The page the supervisor serves for every request while the app is not running: the overlay
 * with the error, and a poll of /healthz that reloads the page once the app answers again.
 */
export function overlayPage(report: DevErrorReport): string {
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(report.title)}</title>\n` +
    `<script>${OVERLAY_SCRIPT}</script>\n</head>\n<body>\n<script>\nLiveryDevOverlay.show(${data});\n` +
    `setInterval(() => fetch('/healthz').then((r) => { if (r.ok) location.reload(); }, () => {}), 500);\n</script>\n</body>\n</html>\n`;
}
