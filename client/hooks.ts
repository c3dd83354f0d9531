/**
 * Hooks (D77): page code attached to the elements a view renders with `lv-hook="Name"`, for what
 * the server cannot render — a chart on a canvas, a map, an editor.
 *
 * The page registers them from its own script (`Livery.hooks.Name = {…}`, or `window.Livery =
 * {hooks: {…}}` before the client loads): no inline script, no eval, so they work under a
 * `script-src 'self'` policy. Each element gets its own instance (`Object.create(definition)`)
 * with `el`, `pushEvent`, `handleEvent` and `exec`, and its callbacks run:
 * - `mounted` once the element is on the page after a patch (the join's or a later one);
 * - `beforeUpdate` / `updated` around a patch that changes what the server renders for the
 *   element (its attributes or content: not what the page's own script did to it);
 * - `destroyed` once it left the page (or its view did);
 * - `disconnected` / `reconnected` when the socket drops and the view joins again.
 * A hook element needs an id (like a keyed row, it must be matched, not replaced, by patches).
 */
import { A_TOKEN, B_HOOK } from '../server/protocol/index.ts';
import { exec, type Commands } from './commands.ts';

type Callback = (this: Hook) => void;
type Handler = (payload: unknown) => void;

/** What a hook's callbacks see as `this`. */
export interface Hook {
  readonly el: HTMLElement;
  /** Sends the event to the element's view; resolves with the plain object the handler returned ({} if none). */
  pushEvent(event: string, payload?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Runs `cb(payload)` for each event the server pushes with this name (`this.pushEvent` in the view). */
  handleEvent(event: string, cb: Handler): void;
  /** Runs JS commands (docs/client.md) from this element. */
  exec(commands: string | Commands): void;
  [name: string]: unknown;
}

export type HookDefinition = Partial<Record<'mounted' | 'beforeUpdate' | 'updated' | 'destroyed' | 'disconnected' | 'reconnected', Callback>> & Record<string, unknown>;

/** What a hook needs of its view. */
export interface HookView {
  readonly el: HTMLElement;
  call(el: Element, event: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The page's hooks by name: `Livery.hooks`. */
export const hooks: Record<string, HookDefinition> = {};

const instances = new WeakMap<Element, Hook>();
const handlers = new WeakMap<Hook, Map<string, Handler[]>>();
/** The HTML the server last rendered for each hook element: `updated` runs when it changes. */
const served = new WeakMap<Element, string>();
/** Elements whose `beforeUpdate` ran in the patch under way; `updated` follows it. */
const updating = new Set<Hook>();
/** Elements already reported (no id, unknown hook), so the console is not flooded at each patch. */
const reported = new WeakSet<Element>();

function call(hook: Hook, name: keyof HookDefinition): void {
  const fn = hook[name];
  if (typeof fn !== 'function') return;
  try {
    fn.call(hook);
  } catch (err) {
    // A failing hook must not stop the patch, the other hooks or the socket.
    console.error(`[livery] hook ${hook.el.getAttribute(B_HOOK)}#${hook.el.id}.${name}:`, err);
  }
}

/** morphdom added an element: what the server rendered for it, if it is a hook's. */
export function hookAdded(el: Element): void {
  if (el.hasAttribute(B_HOOK)) served.set(el, el.outerHTML);
}

/** morphdom is about to update `from` to the server's `to`: `beforeUpdate` if that changes it. */
export function hookBefore(from: Element, to: Element): void {
  if (!to.hasAttribute(B_HOOK)) return;
  const html = to.outerHTML;
  if (served.get(from) === html) return;
  served.set(from, html);
  const hook = instances.get(from);
  if (hook === undefined || updating.has(hook)) return;
  updating.add(hook);
  call(hook, 'beforeUpdate');
}

/** The hooks of one view. */
export class ViewHooks {
  private readonly live = new Set<Hook>();
  private readonly view: HookView;

  constructor(view: HookView) {
    this.view = view;
  }

  /**
   * After a patch of `roots` (the container, or the rows patched): hooks that left are
   * destroyed, new hook elements mounted, the updated ones told.
   */
  patched(roots: Element[]): void {
    // A hook whose element left, or now names another hook (or none), is done: the new name mounts below.
    for (const hook of this.live) if (!hook.el.isConnected || hooks[hook.el.getAttribute(B_HOOK) ?? ''] !== Object.getPrototypeOf(hook)) this.destroy(hook);
    for (const root of roots) {
      if (root.hasAttribute(B_HOOK)) this.mount(root as HTMLElement);
      for (const el of root.querySelectorAll<HTMLElement>(`[${B_HOOK}]`)) this.mount(el);
    }
    for (const hook of updating) {
      updating.delete(hook);
      if (this.live.has(hook)) call(hook, 'updated');
    }
  }

  private mount(el: HTMLElement): void {
    if (instances.has(el) || el.closest(`[${A_TOKEN}]`) !== this.view.el) return;
    const name = el.getAttribute(B_HOOK) as string;
    const definition = hooks[name];
    if (!el.id || definition === undefined) {
      if (!reported.has(el)) console.error(`[livery] lv-hook="${name}": ${el.id ? 'no such hook in Livery.hooks' : 'the element needs an id'}`);
      reported.add(el);
      return;
    }
    const view = this.view;
    const hook: Hook = Object.assign(Object.create(definition) as Hook, {
      el,
      pushEvent: (event: string, payload: Record<string, unknown> = {}) => view.call(el, event, payload),
      handleEvent(event: string, cb: Handler) {
        const map = handlers.get(hook) as Map<string, Handler[]>;
        map.set(event, [...(map.get(event) ?? []), cb]);
      },
      exec: (commands: string | Commands) => exec(el, commands, (event, value) => void view.call(el, event, value).catch(() => {})),
    });
    handlers.set(hook, new Map());
    instances.set(el, hook);
    if (!served.has(el)) served.set(el, el.outerHTML);
    this.live.add(hook);
    call(hook, 'mounted');
  }

  private destroy(hook: Hook): void {
    this.live.delete(hook);
    updating.delete(hook);
    instances.delete(hook.el);
    call(hook, 'destroyed');
  }

  /** The view left the page. */
  destroyAll(): void {
    for (const hook of this.live) this.destroy(hook);
  }

  /** `disconnected` or `reconnected` on every hook. */
  each(name: 'disconnected' | 'reconnected'): void {
    for (const hook of this.live) call(hook, name);
  }

  /** Events the server pushed (`[[name, payload], …]`), to the hooks that handle them. */
  dispatch(events: unknown): void {
    if (!Array.isArray(events)) return;
    for (const [name, payload] of events as Array<[string, unknown]>) {
      for (const hook of this.live) {
        for (const cb of handlers.get(hook)?.get(name) ?? []) {
          try {
            cb.call(hook, payload);
          } catch (err) {
            console.error(`[livery] hook ${hook.el.getAttribute(B_HOOK)}#${hook.el.id} handling "${name}":`, err);
          }
        }
      }
    }
  }
}
