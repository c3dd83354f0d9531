/**
 * A compile-time HTML context tracker: a small state machine fed with a template's static text
 * in order, so each `{{ }}` knows where it lands — text, a quoted attribute value, a URL
 * attribute, or a place where no escaping makes a value safe (inside a tag, an unquoted value,
 * an event handler, <script>/<style>), which is a compile error.
 *
 * Branches (`if`, loop bodies) start from a snapshot and their end states are merged; branches
 * that leave the HTML in different places are an error, except inside one tag: there the paths
 * meet at a seam (`<option{% if sel %} selected{% endif %}>`, `<input {% if on %}checked{% endif %}>`),
 * where only what means the same on every path may follow.
 */
import { TemplateSyntaxError } from './errors.ts';
import type { SourceLocation } from './types.ts';

const TEXT = 0, TAG_OPEN = 1, END_TAG_OPEN = 2, TAG_NAME = 3, IN_TAG = 4, ATTR_NAME = 5, AFTER_ATTR_NAME = 6;
const BEFORE_VALUE = 7, VALUE_DQ = 8, VALUE_SQ = 9, VALUE_UNQ = 10, MARKUP = 11, MARKUP_DASH = 12, COMMENT = 13;
const BOGUS = 14, RAW = 15;
/**
 * Inside one tag where branches left different places: a tag name, an attribute name, between
 * attributes or after an attribute name (SEAM); the same after whitespace, which ended any name,
 * so between attributes or after a name (SEAM_WS). The next character must mean the same on
 * every path: after SEAM whitespace, `/` or `>` (anything else would go on with a tag or
 * attribute name on one path only: `<scrip{% if x %} a{% endif %}t>` is a <script> when x is
 * false); after SEAM_WS anything but `=` (which would give a value to an attribute on one path).
 */
const SEAM = 16, SEAM_WS = 17;

const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'poster', 'cite', 'xlink:href', 'srcset', 'background',
  'data', 'codebase', 'manifest', 'longdesc', 'ping', 'usemap', 'icon',
]);
/**
 * SVG animation elements set another attribute's value over time: `<set attributeName="href"
 * to="javascript:…">` on an `<a>` is a URL sink, so their `to`/`from`/`by` are URL attributes
 * and `values` (a `;`-separated list) is checked item by item.
 */
const ANIMATION_TAGS = new Set(['animate', 'set', 'animatemotion', 'animatetransform', 'animatecolor']);
const ANIMATION_URL_ATTRS = new Set(['to', 'from', 'by']);
/** Meta attributes that make a `<meta>` not a pragma (its `content` is plain text then). */
const META_NAMING_ATTRS = new Set(['name', 'property', 'itemprop', 'charset']);
/** `meta` flags: an http-equiv attribute seen, a naming attribute seen, a `{{ }}` placed in `content` unchecked (the tag was named). */
const META_EQUIV = 1, META_NAMED = 2, META_CONTENT_SLOT = 4;
/** How much static text of an attribute value the tracker keeps (enough to see `url(` or `0;url=`). */
const LEAD_MAX = 256, SINCE_MAX = 16;
/** Marks text the tracker cannot know (branches left different text, or more than it keeps). */
const UNKNOWN = '\u0001';

export interface HtmlState {
  readonly s: number;
  readonly tag: string;
  readonly endTag: boolean;
  readonly attr: string;
  /** In an attribute value: static text precedes the current position in this value. */
  readonly valueHasStatic: boolean;
  readonly dashes: number;
  readonly tail: string;
  /** In a `<meta>` tag: META_* flags. */
  readonly meta: number;
  /** In an attribute value: its static text before its first `{{ }}` (UNKNOWN-prefixed when cut). */
  readonly lead: string;
  /** In an attribute value: the last static characters since its last `{{ }}` (or its start). */
  readonly since: string;
  /** In an attribute value: a `{{ }}` already sits in it. */
  readonly slotted: boolean;
}

/**
 * Where a `{{ }}` lands. In attribute values, `url` asks for the scheme check of a URL at the
 * start of the value, and `sink` names a value with a grammar of its own that can carry a URL or
 * more CSS: a `style` declaration (`css`), a `url(` inside one (`css-url`), a `;`-list of URLs
 * (`url-list`; `itemStart` when the slot begins an item) or `<meta>` content that may be a
 * refresh (`refresh`; `lead` is the static text before the slot).
 */
export type SlotContext =
  | { readonly kind: 'text' }
  | {
    readonly kind: 'attr';
    readonly url: boolean;
    readonly sink?: 'css' | 'css-url' | 'url-list' | 'refresh';
    readonly itemStart?: boolean;
    readonly lead?: string;
  };

type AttrContext = Extract<SlotContext, { kind: 'attr' }>;

const INITIAL: HtmlState = { s: TEXT, tag: '', endTag: false, attr: '', valueHasStatic: false, dashes: 0, tail: '', meta: 0, lead: '', since: '', slotted: false };
const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
/** The states inside one tag the merge can join at a seam; paths all between attributes or after a name meet at SEAM_WS. */
const IN_ONE_TAG = new Set([TAG_NAME, IN_TAG, ATTR_NAME, AFTER_ATTR_NAME, SEAM, SEAM_WS]);
const BETWEEN_ATTRS = new Set([IN_TAG, AFTER_ATTR_NAME, SEAM_WS]);

function unsafe(loc: SourceLocation, message: string): TemplateSyntaxError {
  return new TemplateSyntaxError(loc, message, 'LV_TEMPLATE_UNSAFE_CONTEXT');
}

export class HtmlContextTracker {
  state: HtmlState = INITIAL;

  feed(text: string, loc: SourceLocation): void {
    let st = { ...this.state };
    for (const c of text) {
      if (st.s === SEAM && !isSpace(c) && c !== '/' && c !== '>') {
        throw unsafe(loc, `'${c}' right after an {% if %} or {% for %} inside the <${st.tag}> tag: the tag name or an attribute name ends there on one path and goes on on another. Follow the tag with whitespace, / or >, and start each branch with a space (<h2{% if x %} id="a"{% endif %} class="b">).`);
      }
      if (st.s === SEAM_WS && c === '=') {
        throw unsafe(loc, `'=' after an {% if %} or {% for %} inside the <${st.tag}> tag: it would give a value to a different attribute on each path. Write each attribute with its value inside the branch (<p{% if x %} title="a"{% endif %}>).`);
      }
      const next = step(st, c);
      // An http-equiv named after a `{{ }}` already went into this meta's content unchecked.
      if ((next.meta & META_EQUIV) !== 0 && (st.meta & (META_EQUIV | META_CONTENT_SLOT)) === META_CONTENT_SLOT) {
        throw unsafe(loc, `http-equiv in a <meta> whose content already holds a {{ }} (taken as plain text because the tag was named): a pragma's content, such as a refresh URL, must be checked. Drop name=…, or write http-equiv before content.`);
      }
      st = next;
    }
    this.state = st;
  }

  /** Where a `{{ }}` at the current position lands, or a compile error saying what to do instead. */
  classify(loc: SourceLocation): SlotContext {
    const { s, tag, attr } = this.state;
    if (s === TEXT || s === COMMENT) return { kind: 'text' };
    if (s === VALUE_DQ || s === VALUE_SQ) {
      const context = this.#attrContext(loc);
      // The next slot in this value follows this one's output, not the static text before it.
      const unchecked = tag === 'meta' && attr === 'content' && context.sink !== 'refresh';
      this.state = { ...this.state, slotted: true, since: '', meta: this.state.meta | (unchecked ? META_CONTENT_SLOT : 0) };
      return context;
    }
    if (s === VALUE_UNQ || s === BEFORE_VALUE) {
      throw unsafe(loc, `{{ }} in the unquoted value of attribute '${attr}': quote the value, e.g. ${attr}="{{ … }}".`);
    }
    if (s === RAW) {
      throw unsafe(loc, `{{ }} inside <${tag}>: ${tag} content is not HTML and cannot be escaped safely. Pass data through a data-* attribute on an element${tag === 'style' ? ', or use a class or a style="…" attribute' : ' and read it from the script'}.`);
    }
    throw unsafe(loc, `{{ }} inside a tag, outside any attribute value (e.g. <div {{ attrs }}>): it could inject attributes or markup. Write the attribute name in the template with a quoted value (class="{{ cls }}"), or choose static attributes with {% if %}.`);
  }

  #attrContext(loc: SourceLocation): AttrContext {
    const { tag, attr, valueHasStatic, since, lead, slotted, meta } = this.state;
    if (attr.startsWith('on')) {
      throw unsafe(loc, `{{ }} in the event-handler attribute '${attr}': a value inside JavaScript cannot be escaped safely. Pass the data in a data-* attribute (data-x="{{ … }}") and read it from client code, or use an lv-* binding.`);
    }
    if (attr === 'srcdoc') throw unsafe(loc, `{{ }} in 'srcdoc': its value is parsed as a whole HTML document. Render the content in a separate page and use src instead.`);
    if (attr === 'http-equiv' && tag === 'meta') {
      throw unsafe(loc, `{{ }} in a <meta>'s http-equiv: the value picks a pragma (refresh, cookies, CSP) the page would obey. Write it in the template.`);
    }
    if (attr === 'style') {
      if (/expression\s*\(/i.test(lead + since)) {
        throw unsafe(loc, `{{ }} in a style attribute that uses expression(…): its argument is script (old Internet Explorer). Compute the value in the view.`);
      }
      return { kind: 'attr', url: false, sink: /url\(\s*["']?$/i.test(since) && !since.includes(UNKNOWN) ? 'css-url' : 'css' };
    }
    if (tag === 'meta' && attr === 'content' && (meta & (META_EQUIV | META_NAMED)) !== META_NAMED) {
      if (slotted || lead.includes(UNKNOWN)) {
        const why = slotted ? 'a second {{ }}' : 'a {{ }} after static text that differs between branches (or is very long)';
        throw unsafe(loc, `${why} in this <meta>'s content, which may be a refresh (no name attribute before it): only one {{ }} after known text can be checked as a refresh URL. Use one {{ }}, or write name="…" before content.`);
      }
      return { kind: 'attr', url: false, sink: 'refresh', lead };
    }
    if (ANIMATION_TAGS.has(tag)) {
      if (ANIMATION_URL_ATTRS.has(attr)) return { kind: 'attr', url: !valueHasStatic };
      if (attr === 'values') {
        const itemStart = since.includes(UNKNOWN) || (slotted ? /;\s*$/.test(since) : /^(|.*;)\s*$/.test(since));
        return { kind: 'attr', url: false, sink: 'url-list', itemStart };
      }
    }
    return { kind: 'attr', url: URL_ATTRS.has(attr) && !valueHasStatic };
  }

  /** `{% include %}` and `{% filter %}` produce HTML of their own, so they belong in text. */
  requireText(loc: SourceLocation, what: string): void {
    if (this.state.s !== TEXT) {
      throw unsafe(loc, `${what} must be used in text content, not ${describe(this.state)}: its output is HTML. Move it outside the tag.`);
    }
  }

  /**
   * Where a loop body starts. Its second pass starts where its first ended, and the body is
   * checked once: inside a tag that may be elsewhere in the tag (`<p{% for c in cs %} data-{{…}}`
   * ends after an attribute name), so the body is checked from the seam, which covers every place.
   */
  loopStart(start: HtmlState): HtmlState {
    return IN_ONE_TAG.has(start.s) ? { ...start, s: SEAM, attr: '' } : start;
  }

  /** The state after alternative paths (if-branches, a loop's body and its repetition). */
  merge(states: readonly HtmlState[], loc: SourceLocation, what: string): HtmlState {
    const [first] = states;
    const same = (a: HtmlState): boolean => key(a) === key(first);
    if (states.every(same)) return { ...first, valueHasStatic: states.every((st) => st.valueHasStatic), ...mergeDetails(states) };
    if (states.every((st) => IN_ONE_TAG.has(st.s) && st.tag === first.tag && st.endTag === first.endTag)) {
      return { ...first, s: states.every((st) => BETWEEN_ATTRS.has(st.s)) ? SEAM_WS : SEAM, attr: '', ...mergeDetails(states) };
    }
    const other = states.find((st) => !same(st))!;
    throw unsafe(loc, `the paths through this ${what} end in different HTML contexts (${describe(first)} and ${describe(other)}). Open and close tags and attribute quotes within each branch.`);
  }
}

/**
 * What branches leave behind inside a tag or value, merged conservatively: text that differs is
 * unknown, a slot or http-equiv on any path counts, a naming attribute only if on every path.
 */
function mergeDetails(states: readonly HtmlState[]): Pick<HtmlState, 'meta' | 'lead' | 'since' | 'slotted'> {
  const [first] = states;
  const agree = (pick: (st: HtmlState) => string) => states.every((st) => pick(st) === pick(first));
  const any = (flag: number) => (states.some((st) => (st.meta & flag) !== 0) ? flag : 0);
  return {
    meta: any(META_EQUIV) | any(META_CONTENT_SLOT) | (states.every((st) => (st.meta & META_NAMED) !== 0) ? META_NAMED : 0),
    lead: agree((st) => st.lead) ? first.lead : UNKNOWN,
    since: agree((st) => st.since) ? first.since : UNKNOWN,
    slotted: states.some((st) => st.slotted),
  };
}

/** What distinguishes two states for the purposes of a later `{{ }}` (a closed tag's name does not). */
function key(st: HtmlState): string {
  switch (st.s) {
    case TEXT: case TAG_OPEN: case END_TAG_OPEN: case MARKUP: case MARKUP_DASH: case COMMENT: case BOGUS:
      return String(st.s);
    case RAW: case TAG_NAME:
      return `${st.s}:${st.tag}`;
    case IN_TAG: case SEAM: case SEAM_WS:
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

/** An attribute name is complete: in a `<meta>`, note whether it makes the tag a pragma or names it. */
function beforeValue(st: HtmlState): HtmlState {
  if (st.tag !== 'meta' || st.endTag) return { ...st, s: BEFORE_VALUE };
  const flag = st.attr === 'http-equiv' ? META_EQUIV : META_NAMING_ATTRS.has(st.attr) ? META_NAMED : 0;
  return { ...st, s: BEFORE_VALUE, meta: st.meta | flag };
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
      if (isAlpha(c)) return { ...st, s: TAG_NAME, tag: c.toLowerCase(), endTag: false, attr: '', meta: 0 };
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
    case SEAM:
    case SEAM_WS:
      // feed() refused what differs between the paths; what is left means the same on all.
      if (isSpace(c)) return { ...st, s: SEAM_WS };
      if (c === '/') return { ...st, s: IN_TAG };
      if (c === '>') return close(st);
      return { ...st, s: ATTR_NAME, attr: c.toLowerCase() };
    case IN_TAG:
    case AFTER_ATTR_NAME:
      if (isSpace(c) || (c === '/' && st.s === IN_TAG)) return st;
      if (c === '/') return { ...st, s: IN_TAG };
      if (c === '>') return close(st);
      if (c === '=' && st.s === AFTER_ATTR_NAME) return beforeValue(st);
      return { ...st, s: ATTR_NAME, attr: c.toLowerCase() };
    case ATTR_NAME:
      if (isSpace(c)) return { ...st, s: AFTER_ATTR_NAME };
      if (c === '/') return { ...st, s: IN_TAG };
      if (c === '=') return beforeValue(st);
      if (c === '>') return close(st);
      return { ...st, attr: st.attr + c.toLowerCase() };
    case BEFORE_VALUE:
      if (isSpace(c)) return st;
      if (c === '"') return { ...st, s: VALUE_DQ, valueHasStatic: false, lead: '', since: '', slotted: false };
      if (c === "'") return { ...st, s: VALUE_SQ, valueHasStatic: false, lead: '', since: '', slotted: false };
      if (c === '>') return close(st);
      return { ...st, s: VALUE_UNQ, valueHasStatic: true };
    case VALUE_DQ:
    case VALUE_SQ:
      if (c === (st.s === VALUE_DQ ? '"' : "'")) return { ...st, s: IN_TAG };
      return {
        ...st,
        valueHasStatic: true,
        lead: st.slotted ? st.lead : st.lead.length >= LEAD_MAX ? (st.lead.startsWith(UNKNOWN) ? st.lead : UNKNOWN + st.lead) : st.lead + c,
        since: (st.since + c).slice(-SINCE_MAX),
      };
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
