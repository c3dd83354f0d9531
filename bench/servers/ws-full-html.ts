/**
 * The naive design: Fastify with `@fastify/websocket` (the `ws` library), keeping each socket's
 * page state and answering every event by re-rendering and re-sending the whole page's HTML,
 * `[2,"r",ref,1,"<!DOCTYPE html>…"]`. Frames are parsed with JSON.parse, as such a server would.
 * permessage-deflate is enabled (negotiated only when the client offers it: the bench's lean client
 * never does; the bytes scenario's deflate column does).
 */
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import type { AddressInfo } from 'node:net';
import { announceReady, installControl } from './shared/control.ts';
import { applyEvent, initialState, renderPage } from './shared/pages.ts';
import type { PageState } from './shared/pages.ts';

const PAGES = ['counter', 'search', 'table', 'list'];
const counters = { events: 0, joins: 0, renders: 0 };

const app = Fastify({ logger: false });
await app.register(websocket, { options: { perMessageDeflate: true, maxPayload: 1024 * 1024 } });

for (const view of PAGES) {
  app.get(`/${view}`, async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderPage(view, initialState())));
}

app.register(async (scope) => {
  scope.get('/live', { websocket: true }, (socket) => {
    let view = 'idle';
    let state: PageState | null = null;
    socket.on('message', (data: Buffer) => {
      let msg: unknown[];
      try {
        msg = JSON.parse(data.toString()) as unknown[];
      } catch {
        socket.close(1008, 'bad frame');
        return;
      }
      const [, type, ref] = msg;
      if (type === 'j') {
        counters.joins++;
        view = String(msg[4]);
        // A plain idle connection keeps no page state (memory scenario).
        if (view !== 'idle') {
          state = initialState();
          counters.renders++;
          socket.send(JSON.stringify([2, 'r', ref, 1, renderPage(view, state)]));
        } else socket.send(`[2,"r",${Number(ref)},1]`);
      } else if (type === 'e' && state !== null) {
        counters.events++;
        applyEvent(state, String(msg[4]), (msg[5] ?? {}) as Record<string, unknown>);
        counters.renders++;
        socket.send(JSON.stringify([2, 'r', ref, 1, renderPage(view, state)]));
      } else {
        socket.send(`[2,"r",${Number(ref)},1]`);
      }
    });
  });
});

await app.listen({ host: '127.0.0.1', port: 0 });
announceReady((app.server.address() as AddressInfo).port, { features: ['counter', 'search', 'table', 'list', 'idle'] });

installControl({
  stats: () => ({ ...counters }),
  reset: () => {
    counters.events = 0;
    counters.joins = 0;
    counters.renders = 0;
  },
  close: async () => {
    for (const client of app.websocketServer.clients) client.terminate();
    await app.close();
  },
});
