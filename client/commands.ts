/**
 * JS commands (D78): small DOM changes run in the browser without a round trip, written as JSON in
 * any `lv-*` event attribute (`lv-click='[["toggle",{"to":"#menu"}],["push",{"event":"opened"}]]'`)
 * or built on the server (`JS` in server/view/js.ts). JSON, not code: nothing is evaluated, so
 * they work under a `script-src 'self'` policy.
 *
 * What a command does to an element's classes, attributes and display is "sticky": it is
 * remembered for that element and applied again to what the server renders for it, so a menu a
 * command opened stays open when a diff re-renders its parent (patch.ts calls `keepSticky`).
 */
export type Command = [string, Args];
export type Commands = Command[];

interface Args {
  to?: string;
  inner?: string;
  closest?: string;
  names?: string;
  name?: string;
  value?: unknown;
  display?: string;
  transition?: string;
  start?: string;
  end?: string;
  time?: number;
  in?: Args;
  out?: Args;
  event?: string;
  detail?: unknown;
  bubbles?: boolean;
}

/** What `push` does: send `event` with `value` (merged into the binding's payload) to the element's view. */
export type Push = (event: string, value: Record<string, unknown>) => void;

/** Per element, the changes commands made: `c:NAME` a class (null: removed), `a:NAME` an attribute, `d` the display. */
const sticky = new WeakMap<Element, Map<string, string | null>>();

const FOCUSABLE = 'a[href],area[href],button:not([disabled]),input:not([disabled]):not([type=hidden]),select:not([disabled]),textarea:not([disabled]),iframe,[contenteditable],[tabindex]:not([tabindex="-1"])';

function set(el: Element, key: string, value: string | null): void {
  const kind = key[0];
  const name = key.slice(2);
  if (kind === 'c') el.classList.toggle(name, value !== null);
  else if (kind === 'a') value === null ? el.removeAttribute(name) : el.setAttribute(name, value);
  else (el as HTMLElement).style.display = value as string;
}

/** Changes `el` and remembers the change (sticky). */
function op(el: Element, key: string, value: string | null): void {
  set(el, key, value);
  let ops = sticky.get(el);
  if (!ops) sticky.set(el, (ops = new Map()));
  ops.delete(key); // the latest change goes last
  ops.set(key, value);
}

/** Applies the sticky changes of `from` (on the page) to `to` (what the server rendered), before morphdom syncs them. */
export function keepSticky(from: Element, to: Element): void {
  const ops = sticky.get(from);
  if (ops) for (const [key, value] of ops) set(to, key, value);
}

const words = (s?: string): string[] => (s ?? '').split(/\s+/).filter(Boolean);

function targets(origin: Element, a: Args): Element[] {
  if (a.to) return Array.from(document.querySelectorAll(a.to));
  if (a.inner) return Array.from(origin.querySelectorAll(a.inner));
  if (a.closest) return [origin.closest(a.closest)].filter((el): el is Element => el !== null);
  return [origin];
}

const visible = (el: Element): boolean => getComputedStyle(el).display !== 'none';

/**
 * Runs `transition` (classes kept while it runs), `start` (first frame) → `end` (next frame) on
 * `el`, for `time` ms (default 200); then removes the transition and end classes and calls `done`.
 */
function transition(el: Element, a: Args, done?: () => void): void {
  const run = words(a.transition), start = words(a.start), end = words(a.end);
  for (const c of [...run, ...start]) op(el, 'c:' + c, '');
  for (const c of end) op(el, 'c:' + c, null);
  requestAnimationFrame(() => requestAnimationFrame(() => {
    for (const c of start) op(el, 'c:' + c, null);
    for (const c of end) op(el, 'c:' + c, '');
  }));
  setTimeout(() => {
    const ops = sticky.get(el);
    for (const c of [...run, ...start, ...end]) {
      ops?.delete('c:' + c);
      if (!start.includes(c)) el.classList.remove(c);
    }
    done?.();
  }, a.time ?? 200);
}

function show(el: Element, a: Args): void {
  op(el, 'd', a.display ?? '');
  if (!visible(el)) op(el, 'd', 'block'); // hidden by a class or the `hidden` attribute
  if (a.transition || a.start || a.end) transition(el, a);
}

function hide(el: Element, a: Args): void {
  if (a.transition || a.start || a.end) transition(el, a, () => op(el, 'd', 'none'));
  else op(el, 'd', 'none');
}

const RUN: Record<string, (el: Element, a: Args) => void> = {
  show,
  hide,
  toggle: (el, a) => (visible(el) ? hide(el, { ...a, ...a.out }) : show(el, { ...a, ...a.in })),
  add_class: (el, a) => words(a.names).forEach((c) => op(el, 'c:' + c, '')),
  remove_class: (el, a) => words(a.names).forEach((c) => op(el, 'c:' + c, null)),
  toggle_class: (el, a) => words(a.names).forEach((c) => op(el, 'c:' + c, el.classList.contains(c) ? null : '')),
  set_attribute: (el, a) => op(el, 'a:' + a.name, String(a.value ?? '')),
  remove_attribute: (el, a) => op(el, 'a:' + a.name, null),
  transition: (el, a) => transition(el, a),
  focus: (el) => (el as HTMLElement).focus(),
  focus_first: (el) => el.querySelector<HTMLElement>(FOCUSABLE)?.focus(),
  dispatch: (el, a) => el.dispatchEvent(new CustomEvent(a.event as string, { bubbles: a.bubbles !== false, detail: a.detail })),
};

/**
 * Runs `commands` (an attribute's JSON, or the array) from `origin`, in order. `push` sends an
 * event (the bindings' adds the binding's payload). A bad command is reported and skipped.
 */
export function exec(origin: Element, commands: string | Commands, push?: Push): void {
  let list: Commands;
  try {
    list = typeof commands === 'string' ? JSON.parse(commands) : commands;
    if (!Array.isArray(list)) throw new Error('not an array');
  } catch (err) {
    return console.error(`[livery] JS commands: ${String(err)}: ${String(commands).slice(0, 80)}`);
  }
  for (const command of list) {
    const [name, args = {}] = Array.isArray(command) ? command : [];
    if (name === 'push') {
      const value = (args.value ?? {}) as Record<string, unknown>;
      if (typeof args.event === 'string') push?.(args.event, value);
      continue;
    }
    const run = RUN[name as string];
    if (!run) {
      console.error(`[livery] JS commands: unknown command ${JSON.stringify(name)}`);
      continue;
    }
    try {
      for (const el of targets(origin, args)) run(el, args);
    } catch (err) {
      console.error(`[livery] JS command ${name}:`, err); // a bad selector: the next command still runs
    }
  }
}
