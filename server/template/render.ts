/**
 * Renders a block to one HTML string: the HTTP first render. Produces exactly what the diff
 * engine's rendered tree turns into (an empty loop renders its `{% empty %}` block or nothing).
 */
import { componentHost } from './tags/live-component.ts';
import type { Block, Scope, Slot, Template } from './types.ts';

export function renderToString(templateOrBlock: Template | Block, scope: Scope): string {
  const block = 'root' in templateOrBlock ? templateOrBlock.root : templateOrBlock;
  const { statics, slots } = block;
  let html = statics[0];
  for (let i = 0; i < slots.length; i++) html += renderSlot(slots[i], scope) + statics[i + 1];
  return html;
}

function renderSlot(slot: Slot, scope: Scope): string {
  switch (slot.kind) {
    case 'text':
      return slot.render(scope);
    case 'branch': {
      const chosen = slot.select(scope);
      return chosen === null ? '' : renderToString(chosen.block, chosen.scope);
    }
    case 'loop': {
      const items = slot.iterate(scope);
      if (items.length === 0) return slot.empty === null ? '' : renderToString(slot.empty, scope);
      let html = '';
      for (let i = 0; i < items.length; i++) html += renderToString(slot.body, items[i].scope);
      return html;
    }
    case 'component':
      return componentHost(scope, slot).html(slot, scope);
  }
}
