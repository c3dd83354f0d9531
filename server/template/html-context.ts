/**
 * A compile-time HTML context tracker: a small state machine fed with a template's static text
 * in order, so each `{{ }}` knows where it lands — text, a quoted attribute value, a URL
 * attribute, or a place where no escaping makes a value safe (inside a tag, an unquoted value,
 * an event handler, <script>/<style>), which is a compile error.
 *
 * Branches (`if`, loop bodies) start from a snapshot and their end states are merged; branches
 * that leave the HTML in different places are an error, except that the in-tag states are one
 * (`<input {% if on %}checked{% endif %}>`).
 */
import { TemplateSyntaxError } from './errors.ts';
import type { SourceLocation } from './types.ts';

const TEXT = 0, TAG_OPEN = 1, END_TAG_OPEN = 2, TAG_NAME = 3, IN_TAG = 4, ATTR_NAME = 5, AFTER_ATTR_NAME = 6;
const BEFORE_VALUE = 7, VALUE_DQ = 8, VALUE_SQ = 9, VALUE_UNQ = 10, MARKUP = 11, MARKUP_DASH = 12, COMMENT = 13;
const BOGUS = 14, RAW = 15;

const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'poster', 'cite', 'xlink:href', 'srcset', 'background',
  'data', 'codebase', 'manifest', 'longdesc', 'ping', 'usemap', 'icon',
]);

export interface HtmlState {
  readonly s: number;
  readonly tag: string;
  readonly endTag: boolean;
  readonly attr: string;
  /** In an attribute value: static text precedes the current position in this value. */
  readonly valueHasStatic: boolean;
  readonly dashes: number;
  readonly tail: string;
}

export type SlotContext = { readonly kind: 'text' } | { readonly kind: 'attr'; readonly url: boolean };

const INITIAL: HtmlState = { s: TEXT, tag: '', endTag: false, attr: '', valueHasStatic: false, dashes: 0, tail: '' };
const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const TAG_LEVEL = new Set([IN_TAG, ATTR_NAME, AFTER_ATTR_NAME]);

function unsafe(loc: SourceLocation, message: string): TemplateSyntaxError {
  return new TemplateSyntaxError(loc, message, 'LV_TEMPLATE_UNSAFE_CONTEXT');
}

export class HtmlContextTracker {
  state: HtmlState = INITIAL;

  feed(text: string): void {
    let st = { ...this.state };
    for (const c of text) st = step(st, c);
    this.state = st;
  }

  /** Where a `{{ }}` at the current position lands, or a compile error saying what to do instead. */
  classify(loc: SourceLocation): SlotContext {
    const { s, tag, attr } = this.state;
    if (s === TEXT || s === COMMENT) return { kind: 'text' };
    if (s === VALUE_DQ || s === VALUE_SQ) {
      if (attr.startsWith('on')) {
        throw unsafe(loc, `{{ }} in the event-handler attribute '${attr}': a value inside JavaScript cannot be escaped safely. Pass the data in a data-* attribute (data-x="{{ … }}") and read it from client code, or use an lv-* binding.`);
      }
      if (attr === 'srcdoc') throw unsafe(loc, `{{ }} in 'srcdoc': its value is parsed as a whole HTML document. Render the content in a separate page and use src instead.`);
      return { kind: 'attr', url: URL_ATTRS.has(attr) && !this.state.valueHasStatic };
    }
    if (s === VALUE_UNQ || s === BEFORE_VALUE) {
      throw unsafe(loc, `{{ }} in the unquoted value of attribute '${attr}': quote the value, e.g. ${attr}="{{ … }}".`);
    }
    if (s === RAW) {
      throw unsafe(loc, `{{ }} inside <${tag}>: ${tag} content is not HTML and cannot be escaped safely. Pass data through a data-* attribute on an element${tag === 'style' ? ', or use a class or a style="…" attribute' : ' and read it from the script'}.`);
    }
    throw unsafe(loc, `{{ }} inside a tag, outside any attribute value (e.g. <div {{ attrs }}>): it could inject attributes or markup. Write the attribute name in the template with a quoted value (class="{{ cls }}"), or choose static attributes with {% if %}.`);
  }

  /** `{% include %}` and `{% filter %}` produce HTML of their own, so they belong in text. */
  requireText(loc: SourceLocation, what: string): void {
    if (this.state.s !== TEXT) {
      throw unsafe(loc, `${what} must be used in text content, not ${describe(this.state)}: its output is HTML. Move it outside the tag.`);
    }
  }

  /** The state after alternative paths (if-branches, a loop's body and its repetition). */
  merge(states: readonly HtmlState[], loc: SourceLocation, what: string): HtmlState {
    const [first] = states;
    const same = (a: HtmlState): boolean => key(a) === key(first);
    if (states.every(same)) return { ...first, valueHasStatic: states.every((st) => st.valueHasStatic) };
    if (states.every((st) => TAG_LEVEL.has(st.s) && st.tag === first.tag && st.endTag === first.endTag)) {
      return { ...first, s: IN_TAG, attr: '' };
    }
    const other = states.find((st) => !same(st))!;
    throw unsafe(loc, `the paths through this ${what} end in different HTML contexts (${describe(first)} and ${describe(other)}). Open and close tags and attribute quotes within each branch.`);
  }
}

/** What distinguishes two states for the purposes of a later `{{ }}` (a closed tag's name does not). */
function key(st: HtmlState): string {
  switch (st.s) {
    case TEXT: case TAG_OPEN: case END_TAG_OPEN: case MARKUP: case MARKUP_DASH: case COMMENT: case BOGUS:
      return String(st.s);
    case RAW: case TAG_NAME:
      return `${st.s}:${st.tag}`;
    case IN_TAG:
      return `${st.s}:${st.tag}:${st.endTag}`;
    default:
      return `${st.s}:${st.tag}:${st.endTag}:${st.attr}`;
  }
}

function describe(st: HtmlState): string {
  if (st.s === TEXT) return 'text';
  if (st.s === VALUE_DQ || st.s === VALUE_SQ || st.s === VALUE_UNQ || st.s === BEFORE_VALUE) return `the value of attribute '${st.attr}'`;
  if (st.s === RAW) return `inside <${st.tag}>`;
  if (st.s === COMMENT || st.s === MARKUP || st.s === MARKUP_DASH || st.s === BOGUS) return 'an HTML comment';
  return st.tag ? `inside the <${st.endTag ? '/' : ''}${st.tag}> tag` : 'inside a tag';
}

function close(st: HtmlState): HtmlState {
  const raw = !st.endTag && (st.tag === 'script' || st.tag === 'style');
  return { ...st, s: raw ? RAW : TEXT, attr: '', tail: '' };
}

function step(st: HtmlState, c: string): HtmlState {
  switch (st.s) {
    case TEXT:
      return c === '<' ? { ...st, s: TAG_OPEN } : st;
    case TAG_OPEN:
      if (isAlpha(c)) return { ...st, s: TAG_NAME, tag: c.toLowerCase(), endTag: false, attr: '' };
      if (c === '/') return { ...st, s: END_TAG_OPEN };
      if (c === '!') return { ...st, s: MARKUP };
      if (c === '?') return { ...st, s: BOGUS };
      return { ...st, s: c === '<' ? TAG_OPEN : TEXT };
    case END_TAG_OPEN:
      if (isAlpha(c)) return { ...st, s: TAG_NAME, tag: c.toLowerCase(), endTag: true, attr: '' };
      return { ...st, s: c === '>' ? TEXT : BOGUS };
    case TAG_NAME:
      if (isSpace(c) || c === '/') return { ...st, s: IN_TAG };
      if (c === '>') return close(st);
      return { ...st, tag: st.tag + c.toLowerCase() };
    case IN_TAG:
    case AFTER_ATTR_NAME:
      if (isSpace(c) || (c === '/' && st.s === IN_TAG)) return st;
      if (c === '/') return { ...st, s: IN_TAG };
      if (c === '>') return close(st);
      if (c === '=' && st.s === AFTER_ATTR_NAME) return { ...st, s: BEFORE_VALUE };
      return { ...st, s: ATTR_NAME, attr: c.toLowerCase() };
    case ATTR_NAME:
      if (isSpace(c)) return { ...st, s: AFTER_ATTR_NAME };
      if (c === '/') return { ...st, s: IN_TAG };
      if (c === '=') return { ...st, s: BEFORE_VALUE };
      if (c === '>') return close(st);
      return { ...st, attr: st.attr + c.toLowerCase() };
    case BEFORE_VALUE:
      if (isSpace(c)) return st;
      if (c === '"') return { ...st, s: VALUE_DQ, valueHasStatic: false };
      if (c === "'") return { ...st, s: VALUE_SQ, valueHasStatic: false };
      if (c === '>') return close(st);
      return { ...st, s: VALUE_UNQ, valueHasStatic: true };
    case VALUE_DQ:
    case VALUE_SQ:
      if (c === (st.s === VALUE_DQ ? '"' : "'")) return { ...st, s: IN_TAG };
      return st.valueHasStatic ? st : { ...st, valueHasStatic: true };
    case VALUE_UNQ:
      if (isSpace(c)) return { ...st, s: IN_TAG };
      return c === '>' ? close(st) : st;
    case MARKUP:
      return { ...st, s: c === '-' ? MARKUP_DASH : c === '>' ? TEXT : BOGUS };
    case MARKUP_DASH:
      return { ...st, s: c === '-' ? COMMENT : c === '>' ? TEXT : BOGUS, dashes: 0 };
    case COMMENT:
      if (c === '>' && st.dashes >= 2) return { ...st, s: TEXT, dashes: 0 };
      return { ...st, dashes: c === '-' ? st.dashes + 1 : 0 };
    case BOGUS:
      return c === '>' ? { ...st, s: TEXT } : st;
    default: {
      // RAW: only `</script` (or `</style`) followed by a delimiter ends it.
      const before = st.tail.toLowerCase();
      if ((isSpace(c) || c === '/' || c === '>') && before.endsWith(`</${st.tag}`)) {
        return c === '>' ? { ...st, s: TEXT, tail: '' } : { ...st, s: IN_TAG, endTag: true, tail: '' };
      }
      return { ...st, tail: (st.tail + c).slice(-(st.tag.length + 2)) };
    }
  }
}
