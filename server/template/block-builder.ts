/**
 * Accumulates one block while its tokens are parsed: text is appended to the last static (and
 * fed to the HTML tracker), a slot closes the current static and opens the next, so
 * `statics.length === slots.length + 1` holds by construction.
 */
import { union, type Deps } from './deps.ts';
import { fingerprint } from './fingerprint.ts';
import type { HtmlContextTracker } from './html-context.ts';
import type { Block, Slot, SourceLocation } from './types.ts';

export interface BuiltBlock {
  readonly block: Block;
  /** Union of the block's slot deps, as seen from the scope the block is rendered in. */
  readonly deps: Deps;
}

export class BlockBuilder {
  private readonly statics: string[] = [''];
  private readonly slots: Slot[] = [];
  private readonly structure: string[] = [];
  private readonly html: HtmlContextTracker | null;

  constructor(html: HtmlContextTracker | null) {
    this.html = html;
  }

  text(text: string, loc: SourceLocation): void {
    this.statics[this.statics.length - 1] += text;
    this.html?.feed(text, loc);
  }

  /** Text the shared HTML tracker has already followed (a body parsed through it, then rewritten). */
  fedText(text: string): void {
    this.statics[this.statics.length - 1] += text;
  }

  /** `shape` describes the slot's kind and nested blocks for the fingerprint (never values). */
  slot(slot: Slot, shape: string): void {
    this.slots.push(slot);
    this.structure.push(shape);
    this.statics.push('');
  }

  /**
   * Appends what another builder collected, as if it had been parsed here (a `{% block %}` body
   * lands in its layout with no slot of its own). Its text already went through the shared HTML
   * tracker, so it is not fed again.
   */
  inline(other: BlockBuilder): void {
    const [first, ...more] = other.statics;
    this.statics[this.statics.length - 1] += first;
    this.statics.push(...more);
    this.slots.push(...other.slots);
    this.structure.push(...other.structure);
  }

  finish(): BuiltBlock {
    const statics = Object.freeze(this.statics.slice());
    const slots = Object.freeze(this.slots.slice());
    const block: Block = Object.freeze({ fp: fingerprint(statics, this.structure), statics, slots });
    return { block, deps: union(slots.map((s) => s.deps)) };
  }
}
