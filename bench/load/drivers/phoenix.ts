/**
 * LiveViewJS driver: Phoenix channels, serializer v2 (JSON arrays
 * `[joinRef, ref, topic, event, payload]`), as LiveViewJS 0.8.1's WsHandler reads it.
 * The page carries the signed session (`data-phx-session`), the static token (`data-phx-static`),
 * the view id (`id="phx-…"`, the topic is `lv:<id>`) and the CSRF token (`<meta name="csrf-token">`),
 * which the join must echo in `params._csrf_token` or LiveViewJS silently ignores the join.
 * A click is `event` with `{type: "click", event, value}`. A heartbeat goes out every 30 s, as the
 * Phoenix client's does: without it LiveViewJS closes the view after 60 s and stops answering.
 */
import { attrValue, classifyPhoenix } from '../frames.ts';
import { getPage } from '../http-get.ts';
import { Session } from '../session.ts';
import type { Protocol, SessionTarget } from '../session.ts';

interface PhoenixPage {
  topic: string;
  session: string;
  statics: string;
  csrf: string;
  url: string;
}

export function phoenixProtocol(page: PhoenixPage): Protocol {
  const topic = JSON.stringify(page.topic);
  return {
    socketPath: '/live/websocket?vsn=2.0.0',
    headers: {},
    classify: classifyPhoenix,
    joinFrame: (ref) =>
      JSON.stringify([
        '1',
        String(ref),
        page.topic,
        'phx_join',
        { url: page.url, params: { _csrf_token: page.csrf, _mounts: 0 }, session: page.session, static: page.statics },
      ]),
    eventFrame: (ref, name, payload) =>
      `["1","${ref}",${topic},"event",{"type":"click","event":${JSON.stringify(name)},"value":${JSON.stringify(payload)}}]`,
    joined() {},
    // What the Phoenix JS client sends every 30 s; LiveViewJS shuts a view down after 60 s without one.
    heartbeat: { everyMs: 30_000, frame: (ref) => `[null,"${ref}","phoenix","heartbeat",{}]` },
  };
}

export function parsePhoenixPage(html: string, url: string): PhoenixPage {
  const main = /<div[^>]*data-phx-main[^>]*>/.exec(html)?.[0];
  if (main === undefined) throw new Error('no data-phx-main container in the page');
  const id = attrValue(main, 'id');
  const session = attrValue(main, 'data-phx-session');
  const statics = attrValue(main, 'data-phx-static');
  const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec(html)?.[1];
  if (id === null || session === null || statics === null || csrf === undefined) {
    throw new Error('LiveViewJS page lacks id, session, static or csrf-token');
  }
  return { topic: `lv:${id}`, session, statics, csrf, url };
}

export async function phoenixSession(target: SessionTarget, view: string): Promise<Session> {
  const page = await getPage(target.host, target.port, `/${view}`, target.hostHeader);
  if (page.status !== 200) throw new Error(`GET /${view} answered ${page.status}`);
  const url = `http://${target.hostHeader ?? `${target.host}:${target.port}`}/${view}`;
  return new Session(target, phoenixProtocol(parsePhoenixPage(page.html, url)));
}
