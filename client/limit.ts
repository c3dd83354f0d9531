/**
 * `lv-debounce` and `lv-throttle`: rate limits per element and DOM event type.
 *
 * Each send is a closure over the payload read at event time, so the trailing send carries the
 * latest value. Debounced sends still pending when their element blurs go out at once (for
 * `lv-debounce="blur"` that is the only way they go out).
 */
import { B_DEBOUNCE, B_THROTTLE } from '../server/protocol/index.ts';

interface Pending {
  timer?: ReturnType<typeof setTimeout>;
  send?: () => void;
  debounced?: boolean;
}

const pending = new WeakMap<Element, Map<string, Pending>>();

/** Runs `send` now, or later as `el`'s `lv-debounce` / `lv-throttle` attribute says. */
export function limit(el: Element, kind: string, send: () => void): void {
  const debounce = el.getAttribute(B_DEBOUNCE);
  const throttle = el.getAttribute(B_THROTTLE);
  if (debounce === null && throttle === null) return send();
  let slots = pending.get(el);
  if (!slots) pending.set(el, (slots = new Map()));
  const slot = slots.get(kind);

  if (debounce !== null) {
    clearTimeout(slot?.timer);
    const next: Pending = { send, debounced: true };
    if (debounce !== 'blur') next.timer = setTimeout(() => fire(slots, kind), Number(debounce) || 0);
    slots.set(kind, next);
    return;
  }
  if (slot) {
    slot.send = send; // inside the window: keep only the latest, sent when the window ends
    return;
  }
  send();
  const ms = Number(throttle) || 0;
  const tick = (): void => {
    const cur = slots.get(kind) as Pending;
    if (!cur.send) return void slots.delete(kind);
    const later = cur.send;
    cur.send = undefined;
    later();
    cur.timer = setTimeout(tick, ms);
  };
  slots.set(kind, { timer: setTimeout(tick, ms) });
}

/** `el` lost focus: send its pending debounced events now. */
export function flushDebounced(el: Element): void {
  const slots = pending.get(el);
  if (!slots) return;
  for (const [kind, slot] of slots) {
    if (slot.debounced) {
      clearTimeout(slot.timer);
      fire(slots, kind);
    }
  }
}

function fire(slots: Map<string, Pending>, kind: string): void {
  const send = slots.get(kind)?.send;
  slots.delete(kind);
  send?.();
}
