/**
 * Livery driver: the real client's join sequence (docs/protocol.md), minus the DOM.
 * GET the view's page, read `data-lv-view` and `data-lv-token` from its container, open `/live`,
 * send `[2,"j",ref,1,view,token]`; events are `[2,"e",ref,1,name,payload]`. The join reply's diff carries a
 * fresh token in `t`, kept for the next rejoin (the reconnect storm resumes state with it).
 */
import { attrValue, classifyLivery, liveryDiff } from '../frames.ts';
import { getPage } from '../http-get.ts';
import { Session } from '../session.ts';
import type { Protocol, SessionTarget } from '../session.ts';

/** The single view a bench session joins gets vid 1. */
const VID = 1;

export function liveryProtocol(viewId: string, token: string, cookie: string): Protocol {
  let latest = token;
  return {
    socketPath: '/live',
    headers: cookie === '' ? {} : { cookie },
    classify: classifyLivery,
    joinFrame: (ref) => JSON.stringify([2, 'j', ref, VID, viewId, latest]),
    eventFrame: (ref, name, payload) => `[2,"e",${ref},${VID},${JSON.stringify(name)},${JSON.stringify(payload)}]`,
    patchFrame: (ref, url) => JSON.stringify([2, 'p', ref, VID, url]),
    joined(frame) {
      const t = liveryDiff(frame)?.t;
      if (typeof t === 'string') latest = t;
    },
  };
}

/** Loads `/<view>` and prepares a session for it (not yet connected). */
export async function liverySession(target: SessionTarget, view: string): Promise<Session> {
  const page = await getPage(target.host, target.port, `/${view}`, target.hostHeader);
  if (page.status !== 200) throw new Error(`GET /${view} answered ${page.status}`);
  const viewId = attrValue(page.html, 'data-lv-view');
  const token = attrValue(page.html, 'data-lv-token');
  if (viewId === null || token === null) throw new Error(`GET /${view}: no data-lv-view/data-lv-token container in the page`);
  return new Session(target, liveryProtocol(viewId, token, page.cookie));
}
