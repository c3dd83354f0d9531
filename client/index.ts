/**
 * Livery client boot: numbers the page's view containers 1…n, opens one socket for all of them
 * and routes server frames to views by `vid`.
 *
 * Containers that appear later (e.g. a nested view patched in) are joined as they appear; views
 * whose container left the page are left. A MutationObserver drives both, so it does not matter
 * whether a patch or other script changed the page.
 */
import { A_TOKEN, C_CONNECTING } from '../server/protocol/index.ts';
import { bindEvents } from './bindings.ts';
import { exec, type Commands } from './commands.ts';
import { hooks, type HookDefinition } from './hooks.ts';
import { bindNavigation } from './navigation.ts';
import { bindUploads } from './uploads.ts';
import { RenderedError } from './rendered.ts';
import { LiveSocket, type ServerFrame, type SocketState } from './socket.ts';
import { View } from './view.ts';

export interface LiveryGlobal {
  socket: LiveSocket;
  views: Map<number, View>;
  /** The page's hooks by name (`lv-hook="Name"`, docs/client.md). */
  hooks: Record<string, HookDefinition>;
  /** Runs JS commands from `el` (its view receives a `push`). */
  exec(el: Element, commands: string | Commands): void;
  connect(): void;
  disconnect(): void;
}

declare global {
  interface Window {
    Livery: LiveryGlobal;
  }
}

const views = new Map<number, View>();
const byContainer = new WeakMap<Element, View>();
let nextVid = 1;

const socket = new LiveSocket({ state: onState, frame: onFrame });

function onState(state: SocketState): void {
  for (const view of views.values()) {
    if (state === 'open') view.join();
    else if (state === 'connecting') view.setState(C_CONNECTING);
    else view.dropped();
  }
}

function onFrame(frame: ServerFrame): void {
  // Only the dev loop sends these; the overlay script it adds to pages listens (docs/development.md).
  if (frame.type === 'dev') return void document.dispatchEvent(new CustomEvent('lv:dev', { detail: frame.report }));
  if (frame.type === 'version') return;
  const view = views.get(frame.vid);
  if (frame.type === 'error') {
    // vid 0: an error about the socket, not one view; every view shows it.
    for (const v of view ? [view] : frame.vid ? [] : views.values()) v.error(frame.ref, frame.code, frame.message, frame.dev);
    return;
  }
  if (!view) return; // a reply to a leave, or a view that just left
  try {
    if (frame.type === 'reply') view.reply(frame.ref, frame.diff);
    else view.diff(frame.diff);
  } catch (err) {
    if (!(err instanceof RenderedError)) throw err;
    // The tree no longer matches the server's: only a fresh join on a new socket repairs it.
    view.error(0, err.code, err.message);
    socket.reset();
  }
}

/** Joins containers not seen before (document order, so parents get the smaller vids). */
function scan(): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[${A_TOKEN}]`)) {
    if (byContainer.has(el)) continue;
    const view = new View(nextVid++, el, el.getAttribute(A_TOKEN) as string, socket);
    views.set(view.vid, view);
    byContainer.set(el, view);
    if (socket.state === 'open') view.join();
    else view.setState(C_CONNECTING);
  }
}

function sweep(): void {
  for (const view of views.values()) {
    if (view.el.isConnected) continue;
    view.leave();
    view.hooks.destroyAll(); // gone with their view: destroyed, not disconnected
    view.dropped(); // its answers will not be routed to it: release what waits for them
    views.delete(view.vid);
    byContainer.delete(view.el);
  }
  scan();
}

/** The view an element belongs to; for an element outside every view (the layout), the page's first top-level view. */
function viewOf(el: Element | null, outermost = false): View | undefined {
  let own = el?.closest(`[${A_TOKEN}]`);
  // Navigation acts on the page: from inside a nested view, on the view it is nested in (D81).
  for (let up; outermost && (up = own?.parentElement?.closest(`[${A_TOKEN}]`)); ) own = up;
  if (own) return byContainer.get(own);
  for (const view of views.values()) if (!view.el.parentElement?.closest(`[${A_TOKEN}]`)) return view;
  return undefined;
}

/** `ready`: the page's deferred scripts have run (DOMContentLoaded fired). */
function boot(ready: boolean): void {
  scan();
  if (!views.size) return;
  const host = { viewOf: (el: Element) => byContainer.get(el.closest(`[${A_TOKEN}]`) as Element) };
  bindEvents(host);
  bindUploads(host);
  bindNavigation({ viewOf: (el) => viewOf(el, true) });
  new MutationObserver(sweep).observe(document.body, { childList: true, subtree: true });
  // Deferred page scripts after this one register hooks: join (and mount hooks) once they ran
  // (`load` too, for a script added after DOMContentLoaded).
  if (ready) return socket.connect();
  for (const type of ['DOMContentLoaded', 'load']) addEventListener(type, () => socket.state === 'closed' && socket.connect(), { once: true });
}

// A page may set `window.Livery = {hooks: {…}}` before this script: its hooks are kept.
Object.assign(hooks, (window.Livery as Partial<LiveryGlobal> | undefined)?.hooks);
window.Livery = {
  socket,
  views,
  hooks,
  exec: (el, commands) => exec(el, commands, (event, value) => viewOf(el)?.push(el, event, value)),
  connect: () => socket.connect(),
  disconnect: () => socket.disconnect(),
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => boot(true));
else boot(document.readyState === 'complete');
