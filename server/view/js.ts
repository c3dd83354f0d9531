/**
 * JS commands built on the server (D78): the JSON an `lv-*` event attribute carries to run in the
 * browser without a round trip (docs/client.md, "JS commands"). Immutable: each call returns a
 * longer chain, so a shared start (`JS`) is never changed.
 *
 * @example
 * ```ts
 * class MenuView extends LiveView<{ items: string[] }> {
 *   static commands = { openMenu: JS.show({ to: '#menu' }).addClass('open', { to: '#menu-button' }).push('menuOpened') };
 * }
 * // template: <button id="menu-button" lv-click="{{ js.openMenu }}">Menu</button>
 * ```
 */

/** Which elements a command changes: `to` (a selector in the document), `inner` (inside the element), `closest` (its ancestor); default the element itself. */
export interface CommandTarget {
  readonly to?: string;
  readonly inner?: string;
  readonly closest?: string;
}

/** `transition` classes stay while it runs; `start` is on for the first frame, `end` from the next one; `time` ms (default 200). */
export interface TransitionOptions {
  readonly transition?: string;
  readonly start?: string;
  readonly end?: string;
  readonly time?: number;
}

type Args = object;

export class JsCommands {
  readonly commands: ReadonlyArray<readonly [string, Args]>;

  constructor(commands: ReadonlyArray<readonly [string, Args]> = []) {
    this.commands = commands;
  }

  #with(name: string, args: Args): JsCommands {
    return new JsCommands([...this.commands, [name, args]]);
  }

  /** Shows the element (`display`, default its stylesheet's, else `block`), with an optional transition. */
  show(options: CommandTarget & TransitionOptions & { readonly display?: string } = {}): JsCommands {
    return this.#with('show', options);
  }

  /** Hides the element (`display: none`), after an optional transition. */
  hide(options: CommandTarget & TransitionOptions = {}): JsCommands {
    return this.#with('hide', options);
  }

  /** Shows the element if hidden, else hides it; `in` / `out` are the transitions each way. */
  toggle(options: CommandTarget & { readonly display?: string; readonly in?: TransitionOptions; readonly out?: TransitionOptions } = {}): JsCommands {
    return this.#with('toggle', options);
  }

  /** Adds the classes (space-separated). */
  addClass(names: string, options: CommandTarget = {}): JsCommands {
    return this.#with('add_class', { ...options, names });
  }

  removeClass(names: string, options: CommandTarget = {}): JsCommands {
    return this.#with('remove_class', { ...options, names });
  }

  toggleClass(names: string, options: CommandTarget = {}): JsCommands {
    return this.#with('toggle_class', { ...options, names });
  }

  setAttribute(name: string, value: string, options: CommandTarget = {}): JsCommands {
    return this.#with('set_attribute', { ...options, name, value });
  }

  removeAttribute(name: string, options: CommandTarget = {}): JsCommands {
    return this.#with('remove_attribute', { ...options, name });
  }

  transition(options: CommandTarget & TransitionOptions): JsCommands {
    return this.#with('transition', options);
  }

  focus(options: CommandTarget = {}): JsCommands {
    return this.#with('focus', options);
  }

  /** Focuses the first focusable element inside the target. */
  focusFirst(options: CommandTarget = {}): JsCommands {
    return this.#with('focus_first', options);
  }

  /** Dispatches a DOM `CustomEvent` (bubbling unless `bubbles: false`) on the target. */
  dispatch(event: string, options: CommandTarget & { readonly detail?: unknown; readonly bubbles?: boolean } = {}): JsCommands {
    return this.#with('dispatch', { ...options, event });
  }

  /** Sends `event` to the view, with the binding's payload and `value` merged in. */
  push(event: string, options: { readonly value?: Readonly<Record<string, unknown>> } = {}): JsCommands {
    return this.#with('push', { ...options, event });
  }

  /** The attribute value: `{{ js.name }}` in a template renders (and escapes) this. */
  toString(): string {
    return JSON.stringify(this.commands);
  }

  toJSON(): ReadonlyArray<readonly [string, Args]> {
    return this.commands;
  }
}

/** The empty chain every command list starts from: `JS.toggle({ to: '#menu' }).push('opened')`. */
export const JS = new JsCommands();

/** A view's `static commands` as the template's `js` sees them: each chain's attribute value. */
export function commandStrings(commands: Readonly<Record<string, JsCommands | string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, chain] of Object.entries(commands ?? {})) out[name] = String(chain);
  return out;
}
