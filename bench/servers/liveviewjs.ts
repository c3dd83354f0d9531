/**
 * LiveViewJS 0.8.1 (`liveviewjs` + `@liveviewjs/express`): the counter from its examples, and an
 * idle view holding ~1 KB of state, behind Express + express-session, with `ws` on
 * `/live/websocket` as the Phoenix JS client expects.
 *
 * Known crash (0.8.1): `WsHandler.send` passes its `maybeHandleError` method unbound as the `ws`
 * send callback; when a send fails because the client has gone, the callback dereferences
 * `this.#config` on `undefined` and throws an uncaught TypeError that kills the process. The bench
 * guards it (below) and counts the hits in `stats.guardedCrashes`; the runner also stops this peer
 * last. Its close handler is a no-op too (`() => this.close`), so views of closed sockets live on
 * until the 60 s heartbeat check — visible in the memory scenario as slower reclamation.
 */
import './shared/offline-mime.ts';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { createLiveView, html, safe } from 'liveviewjs';
import type { LiveViewTemplate } from 'liveviewjs';
import { NodeExpressLiveViewServer } from '@liveviewjs/express';
import { announceReady, installControl } from './shared/control.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(handler: Handler): void;
}

// Express ships no types here (no @types/express installed); the surface used is two calls.
const require = createRequire(import.meta.url);
const express = require('express') as () => ExpressApp;
const session = require('express-session') as (opts: Record<string, unknown>) => Handler;

let guardedCrashes = 0;
process.on('uncaughtException', (err) => {
  if (err instanceof TypeError && /private member/.test(err.message)) {
    guardedCrashes++;
    return;
  }
  process.stderr.write(`liveviewjs: ${err.stack ?? err.message}\n`);
  process.exit(1);
});

const counters = { events: 0, joins: 0 };

const counter = createLiveView<{ count: number }, { type: 'inc' } | { type: 'dec' }>({
  mount: (socket) => {
    counters.joins++;
    socket.assign({ count: 0 });
  },
  handleEvent: (event, socket) => {
    counters.events++;
    socket.assign({ count: socket.context.count + (event.type === 'inc' ? 1 : -1) });
  },
  render: (ctx) =>
    html`<section class="counter"><h1>Counter</h1><p>Count: <strong>${ctx.count}</strong></p><button phx-click="dec">-</button><button phx-click="inc">+</button></section>`,
});

const idle = createLiveView<{ note: string }>({
  mount: (socket) => {
    counters.joins++;
    socket.assign({ note: 'x'.repeat(1024) });
  },
  render: (ctx) => html`<section class="idle"><p>${ctx.note.length} bytes of state</p></section>`,
});

const pageTemplate = (_title: unknown, csrfToken: string, content: LiveViewTemplate): LiveViewTemplate =>
  html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="csrf-token" content="${csrfToken}"><title>Bench</title></head><body>${safe(content)}</body></html>`;

const lv = new NodeExpressLiveViewServer({ '/counter': counter, '/idle': idle }, pageTemplate, { title: 'Bench' }, { serDeSigningSecret: 'bench-only-secret' });

const app = express();
app.use(session({ secret: 'bench-only-secret', resave: false, saveUninitialized: true }));
app.use(lv.httpMiddleware() as unknown as Handler);

const server = createServer(app);
const wss = new WebSocketServer({ server, path: '/live/websocket', perMessageDeflate: true });
await lv.wsMiddleware()(wss);

server.listen(0, '127.0.0.1', () => {
  announceReady((server.address() as AddressInfo).port, { features: ['counter', 'idle'] });
});

installControl({
  stats: () => ({ ...counters, guardedCrashes }),
  reset: () => {
    counters.events = 0;
    counters.joins = 0;
  },
  close: () => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    server.close();
  },
});
