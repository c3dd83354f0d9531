/**
 * Fuzzing the template compiler, the diff engine and the client's merge of rendered diffs.
 *
 * Properties:
 * - compile: any source (generated from the template grammar, then cut, spliced or nested
 *   thousands deep) compiles, or fails with a template registry code (LV_TEMPLATE_*) — never
 *   another exception (a TypeError, a stack overflow);
 * - render: a compiled template renders any data, or fails with LV_TEMPLATE_VALUE;
 * - diff ≡ render: the server's first render plus its diffs for a sequence of states, merged by
 *   the client (`client/rendered.ts`), give exactly the HTML a fresh render of each state gives;
 * - merge: a diff mutated on its way (keys dropped, values of the wrong type, lists edited
 *   wrongly, unknown fingerprints) merges or fails with the client's own error (RenderedError),
 *   which makes it rejoin — never another exception, and the tree still renders.
 */
import fc from 'fast-check';
import { mergeStatics, Rendered, RenderedError, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock } from '../../server/diff/index.ts';
import { LiveryError } from '../../server/errors.ts';
import { compileTemplate, createMemoryLoader, createScope, filterNames, renderToString, type Template } from '../../server/template/index.ts';

const NAMES = ['a', 'b', 'n', 's', 'items', 'obj', 'missing'];
// random, and timesince/timeuntil without an argument, depend on chance and the clock: a fresh
// render need not match the last one (docs/templates.md), which is what diff ≡ render compares.
const NON_DETERMINISTIC = new Set(['random', 'timesince', 'timeuntil']);
const FILTERS = filterNames().filter((f) => !NON_DETERMINISTIC.has(f));
const TEMPLATE_CODES = new Set(['LV_TEMPLATE_SYNTAX', 'LV_TEMPLATE_UNSAFE_CONTEXT', 'LV_TEMPLATE_NOT_FOUND', 'LV_TEMPLATE_COMPILE']);

const PARTS = {
  'part.html': '<i title="{{ a }}">{{ b|default:"-" }}</i>',
  'loop.html': '{% for x in items %}{{ x.name }}{% endfor %}',
  // A function component (D79): its slots render in the caller's scope, with the caller's changes.
  'components/card.html': '{% attrs t u="-" %}<section title="{{ t }}">{{ u }}{% render_slot %}{% for k in "ab" %}{% if slots.f %}{% render_slot f %}{% endif %}{% endfor %}</section>',
};
const loader = createMemoryLoader(PARTS);

// ---- sources ------------------------------------------------------------------------------

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('<p>', '</p>', 'hello ', '<b>', '</b>', '<ul>', '</ul>', '<li>', '</li>', ' ', '\n', '&amp;', '<br>', '<div class="x">', '</div>') },
  { weight: 2, arbitrary: fc.constantFrom('<a href="', '">', '<div class="', '<input value="', '" data-x="', '<img src="', '<p style="color: ', '<p title=\'', '\'>', '<!-- ', ' -->') },
  { weight: 1, arbitrary: fc.constantFrom('<script>', '</script>', '<style>', '</style>', '<textarea>', '</textarea>', '<svg><animate values="', '<meta http-equiv="refresh" content="', '<option', '<h2', ' selected', ' id="i"', '<', '>', '"', "'", '=', '{', '}', '%', '#') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('name', 'id', '0', '1', 'length', 'items', 'keys', 'x', '_secret', 'constructor')).map(([n, a]) => `${n}.${a}`) },
);
const literal = fc.oneof(fc.constantFrom('"x"', "'y'", '1', '0', '-2', '2.5', '"a,b"', '"%Y"', '""'), name);
const filter = fc.tuple(fc.constantFrom(...FILTERS), fc.option(literal, { nil: undefined })).map(([f, arg]) => (arg === undefined ? `|${f}` : `|${f}:${arg}`));
const variable = fc.tuple(name, fc.array(filter, { maxLength: 3 })).map(([n, fs]) => `{{ ${n}${fs.join('')} }}`);
const condition = fc.oneof(
  name,
  name.map((n) => `not ${n}`),
  fc.tuple(name, fc.constantFrom('==', '!=', '<', '>=', 'in', 'not in'), literal).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.tuple(name, fc.constantFrom('and', 'or'), name).map(([a, op, b]) => `${a} ${op} ${b}`),
);

/** A name that always compiles (slot content is mostly kept valid, to reach the diff). */
const plainName = name.filter((n) => !n.includes('._'));

const source: fc.Arbitrary<string> = fc.letrec<{ node: string; nodes: string; slot: string }>((tie) => ({
  nodes: fc.array(tie('node'), { maxLength: 6 }).map((parts) => parts.join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: text },
    { weight: 4, arbitrary: variable },
    { weight: 2, arbitrary: fc.tuple(condition, tie('nodes'), fc.option(fc.tuple(condition, tie('nodes')), { nil: undefined }), fc.option(tie('nodes'), { nil: undefined }))
      .map(([c, body, elif, otherwise]) => `{% if ${c} %}${body}${elif ? `{% elif ${elif[0]} %}${elif[1]}` : ''}${otherwise !== undefined ? `{% else %}${otherwise}` : ''}{% endif %}`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('items', 'obj', 's', 'n', 'a'), fc.constantFrom('', ' key x.id', ' key x', ' key x.name', ' reversed'), tie('nodes'), fc.option(tie('nodes'), { nil: undefined }))
      .map(([list, key, body, empty]) => `{% for x in ${list}${key} %}${body}{{ x.name }}{{ forloop.counter }}${empty !== undefined ? `{% empty %}${empty}` : ''}{% endfor %}`) },
    { weight: 1, arbitrary: fc.tuple(name, tie('nodes')).map(([value, body]) => `{% with y=${value} %}${body}{{ y }}{% endwith %}`) },
    { weight: 1, arbitrary: fc.constantFrom('{% include "part.html" %}', '{% include "loop.html" %}', '{% include "nope.html" %}', '{% include a %}') },
    { weight: 1, arbitrary: fc.constantFrom('{# note #}', '{% comment %}x{% endcomment %}', '{% verbatim %}{{ a }}{% endverbatim %}', '{% filter upper %}x{% endfilter %}') },
    { weight: 1, arbitrary: tie('nodes').map((body) => `{% autoescape off %}${body}{% endautoescape %}`) },
    { weight: 2, arbitrary: fc.tuple(plainName, tie('slot'), fc.option(tie('slot'), { nil: undefined }))
      .map(([t, body, f]) => `{% component "card" t=${t} %}${body}${f !== undefined ? `{% slot f %}${f}{% endslot %}` : ''}{% endcomponent %}`) },
  ),
  // Slot content mostly ends where it starts (in text), or the component is refused at compile.
  slot: fc.array(fc.oneof({ weight: 3, arbitrary: plainName.map((n) => `{{ ${n} }}`) }, { weight: 2, arbitrary: fc.constantFrom('<b>', '</b>', 'x ', '<p>', '</p>') }, { weight: 2, arbitrary: tie('node') }), { maxLength: 4 })
    .map((parts) => parts.join('')),
})).nodes;

/**
 * Sources built around function components (D79) from parts that compile, so the diff property
 * reaches slot contents updated with the caller's changes: loops and conditions around and inside
 * components, components in slots, slots rendered repeatedly.
 */
const componentSource: fc.Arbitrary<string> = fc.letrec<{ node: string; nodes: string }>((tie) => ({
  nodes: fc.array(tie('node'), { maxLength: 4 }).map((parts) => parts.join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: plainName.map((n) => `{{ ${n} }}`) },
    { weight: 2, arbitrary: fc.constantFrom('<b>', '</b>', 'x ', '<p>', '</p>') },
    { weight: 2, arbitrary: fc.tuple(plainName, tie('nodes'), fc.option(tie('nodes'), { nil: undefined }))
      .map(([t, body, f]) => `{% component "card" t=${t} %}${body}${f !== undefined ? `{% slot f %}${f}{% endslot %}` : ''}{% endcomponent %}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('items', 'obj', 's'), fc.constantFrom('', ' key x.id', ' key x'), tie('nodes'))
      .map(([list, key, body]) => `{% for x in ${list}${key} %}${body}{{ x.name }}{% endfor %}`) },
    { weight: 1, arbitrary: fc.tuple(plainName, tie('nodes')).map(([c, body]) => `{% if ${c} %}${body}{% endif %}`) },
    { weight: 1, arbitrary: fc.tuple(plainName, tie('nodes')).map(([value, body]) => `{% with y=${value} %}${body}{{ y }}{% endwith %}`) },
  ),
})).nodes;

/** A valid-looking source, sometimes damaged, sometimes nested very deep. */
const damaged: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: source },
  { weight: 2, arbitrary: fc.tuple(source, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('{%', '%}', '{{', '}}', '{', '}', '"', '|', ':', '{% endif %}', '{% endfor %}', '{% else %}', '{% if %}', '{% for %}', '{#', '\u0000'))
    .map(([src, at, junk]) => src.slice(0, Math.floor(at * src.length)) + junk + src.slice(Math.floor(at * src.length))) },
  { weight: 1, arbitrary: fc.tuple(source, fc.double({ min: 0, max: 1, noNaN: true })).map(([src, at]) => src.slice(0, Math.floor(at * src.length))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom(['{% if a %}', '{% endif %}'], ['{% for x in items %}', '{% endfor %}'], ['{% with y=a %}', '{% endwith %}'], ['{% autoescape off %}', '{% endautoescape %}'], ['{% if a %}', '']))
    .map(([depth, [open, close]]) => open.repeat(depth) + '{{ a }}' + close.repeat(depth)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => `{{ a${'|default:a'.repeat(n)} }}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => `{% if ${Array.from({ length: n }, () => 'a').join(' and ')} %}x{% endif %}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => `{% if ${'not '.repeat(n)}a %}x{% endif %}`) },
);

// ---- data ---------------------------------------------------------------------------------

const scalar = fc.oneof(fc.constantFrom('', '<b>&"\'', 'x', 'javascript:alert(1)', '0', 'a,b'), fc.string({ maxLength: 10 }), fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const item = fc.record({ id: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom('1', 'a', '', null)), name: scalar }, { requiredKeys: [] });
const state = fc.record({
  a: scalar,
  b: scalar,
  n: fc.oneof(fc.integer({ min: -3, max: 3 }), scalar),
  s: fc.oneof(fc.string({ maxLength: 5 }), scalar),
  items: fc.oneof({ weight: 5, arbitrary: fc.array(item, { maxLength: 6 }) }, { weight: 1, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })), { maxLength: 3 }) }),
  obj: fc.oneof(fc.dictionary(fc.constantFrom('name', 'id', 'x', 'items', '0'), scalar, { maxKeys: 4 }), scalar),
}, { requiredKeys: [] });

// ---- properties ---------------------------------------------------------------------------

function compile(src: string): Template | undefined {
  try {
    return compileTemplate(src, { name: 'fuzz.html', loader });
  } catch (error) {
    if (error instanceof LiveryError && TEMPLATE_CODES.has(error.code)) return undefined;
    throw new Error(`compiling threw ${describeError(error)} for source ${JSON.stringify(src.slice(0, 300))}`, { cause: error });
  }
}

/** The render errors data may cause: a value of the wrong shape, an include named by data that does not exist. */
function dataDoesNotFit(error: unknown): boolean {
  return error instanceof LiveryError && (error.code === 'LV_TEMPLATE_VALUE' || error.code === 'LV_TEMPLATE_NOT_FOUND');
}

/** Renders, or undefined when the data does not fit the template (LV_TEMPLATE_VALUE). */
function attempt<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (dataDoesNotFit(error)) return undefined;
    throw new Error(`${what} threw ${describeError(error)}`, { cause: error });
  }
}

/** fast-check's failure: the property's own error (its `cause`) and the counterexample, cut short. */
export function summarize(error: unknown): string {
  const report = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const counterexample = /Counterexample: (.*)/.exec(report)?.[1] ?? '';
  const what = cause === undefined ? report.slice(0, 3000) : `${cause.message.slice(0, 2000)}${cause.cause instanceof Error ? `\n  caused by ${cause.cause.stack?.split('\n').slice(0, 6).join('\n  ')}` : ''}`;
  return `${what}\ncounterexample: ${counterexample.slice(0, 1500)}${counterexample.length > 1500 ? '…' : ''}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 300)}` : String(error);
}

/**
 * The live path for one template and a sequence of states, checked against fresh renders.
 * Returns the diffs it produced (wire nodes, as sent) for the merge property to damage.
 */
function diffMatchesRender(template: Template, states: Record<string, unknown>[]): WireNode[] {
  const wire: WireNode[] = [];
  const root: Record<string, unknown> = { ...states[0] };
  const scope = createScope(root);
  const tree = attempt('renderBlock', () => renderBlock(template.root, scope));
  if (tree === undefined) return wire;
  const expected0 = attempt('renderToString', () => renderToString(template, createScope({ ...root })));
  if (expected0 === undefined) throw new Error('renderBlock rendered data that renderToString refused');
  const statics = new StaticsCollector(new Set());
  const client = new Rendered();
  const cache: StaticsCache = new Map();
  const first = JSON.parse(JSON.stringify(statics.attachTo(encodeRoot(tree, statics)))) as WireNode;
  wire.push(first);
  mergeStatics(cache, first);
  client.merge(first, cache);
  if (client.toHTML() !== expected0) throw new Error(`the join render differs from renderToString:\n  client: ${JSON.stringify(client.toHTML().slice(0, 400))}\n  server: ${JSON.stringify(expected0.slice(0, 400))}`);
  for (const next of states.slice(1)) {
    const changed = new Set<string>();
    for (const key of new Set([...Object.keys(root), ...Object.keys(next)])) {
      if (JSON.stringify(root[key]) === JSON.stringify(next[key])) continue;
      changed.add(key);
      if (key in next) root[key] = next[key];
      else delete root[key];
    }
    const expected = attempt('renderToString', () => renderToString(template, createScope({ ...root })));
    let diff: WireNode | undefined;
    try {
      diff = statics.attachTo(updateBlock(tree, scope, changed, statics));
    } catch (error) {
      if (expected === undefined && dataDoesNotFit(error)) return wire; // the view would re-render (LV_RENDER_FAILED)
      throw new Error(`updateBlock threw ${describeError(error)}`, { cause: error });
    }
    if (expected === undefined) throw new Error('updateBlock rendered data that renderToString refused');
    if (diff !== undefined) {
      const sent = JSON.parse(JSON.stringify(diff)) as WireNode;
      wire.push(sent);
      mergeStatics(cache, sent);
      client.merge(sent, cache);
    }
    if (client.toHTML() !== expected) {
      throw new Error(`after a diff the client's HTML differs from a fresh render:\n  diff: ${JSON.stringify(diff)?.slice(0, 400)}\n  client: ${JSON.stringify(client.toHTML().slice(0, 400))}\n  server: ${JSON.stringify(expected.slice(0, 400))}`);
    }
  }
  return wire;
}

// ---- damaged diffs ------------------------------------------------------------------------

type Damage = { readonly at: number; readonly with: unknown } | { readonly at: number; readonly drop: true };
const hostile = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, 1e9, '', 'x', true, [], {}, [[0, 'zz']], [['a', 1]], ['nope'], { s: 'nope' }, { 0: 'x' }, { k: 'x' }, { k: [1, 2] }, { e: [] }, { d: 'x' }, { m: 7 }, { m: [[1e9, '1']] }, { m: [[-1, '1']] }, { r: 'x' }, { r: [0, 1] }, { r: [1e9] }, { k: ['1', '1'] }, { k: ['zz'] }, { r: [0, 1], d: ['1'] }, { p: 'x' }, { p: { f: 'x' } }, '__proto__', { __proto__: null },
    // Streams (D82) and live components (D80): their members with what no server sends.
    { i: 'x' }, { i: [[0]] }, { i: [['x', '1']] }, { i: [[1e9, '1']], e: {} }, { i: [[-2, '1']], e: { 1: {} } }, { n: 5 }, { n: '__proto__' }, { l: 'x' }, { l: 1.5 }, { l: -1e9 },
    { c: { 1: 'x' } }, { c: [] }, { c: { '-1': {} } }, { c: { 1: null } }, { c: { 1: { s: 'nope' } } }, { c: { ['__proto__']: { s: 'fp' } } }),
  fc.jsonValue({ maxDepth: 2 }),
);
const damage: fc.Arbitrary<Damage[]> = fc.array(fc.oneof(
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), with: hostile }),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), drop: fc.constant(true as const) }),
), { minLength: 1, maxLength: 3 });

/** Every (object, key) place in a wire node, depth first. */
function places(node: unknown, out: Array<[Record<string, unknown>, string]> = []): Array<[Record<string, unknown>, string]> {
  if (typeof node !== 'object' || node === null) return out;
  for (const key of Object.keys(node)) {
    out.push([node as Record<string, unknown>, key]);
    places((node as Record<string, unknown>)[key], out);
  }
  return out;
}

function damageDiff(diff: WireNode, damages: readonly Damage[]): WireNode {
  const copy = JSON.parse(JSON.stringify(diff)) as WireNode;
  for (const d of damages) {
    const all = places(copy);
    if (all.length === 0) break;
    const [parent, key] = all[Math.floor(d.at * all.length)]!;
    if ('drop' in d) delete parent[key];
    else parent[key] = d.with;
  }
  return JSON.parse(JSON.stringify(copy)) as WireNode; // what the client gets is always JSON.parse's
}

/** A damaged diff merges, or fails with RenderedError; either way the tree still renders. */
function mergeSurvives(template: Template, states: Record<string, unknown>[], damages: readonly Damage[], which: number): void {
  const wire = diffMatchesRender(template, states);
  if (wire.length === 0) return;
  const target = Math.min(which, wire.length - 1);
  const client = new Rendered();
  const cache: StaticsCache = new Map();
  for (let i = 0; i < wire.length; i++) {
    const diff = i === target ? damageDiff(wire[i]!, damages) : wire[i]!;
    try {
      mergeStatics(cache, diff);
      client.merge(diff, cache);
    } catch (error) {
      if (error instanceof RenderedError) return; // the client rejoins: a fresh tree
      throw new Error(`merging a damaged diff threw ${describeError(error)}:\n  diff: ${JSON.stringify(diff).slice(0, 500)}`, { cause: error });
    }
    try {
      const html = client.toHTML();
      if (typeof html !== 'string') throw new TypeError(`toHTML returned ${typeof html}`);
    } catch (error) {
      throw new Error(`after merging a damaged diff, rendering threw ${describeError(error)}:\n  diff: ${JSON.stringify(diff).slice(0, 500)}`, { cause: error });
    }
  }
}

/** Wire nodes made up from nothing: merged into an empty tree and into a real one. */
function mergeArbitrary(node: unknown, statics: unknown): void {
  // A plain block; and a tree with a stream (D82) and a component (D80) in it, as a join reply carries them.
  const bases: WireNode[] = [{ s: 'fp', 0: 'x' }, { s: 'ul', 0: { s: 'li', k: ['1'], e: { 1: { 0: 'x' } }, n: 'msgs' }, c: { 1: { s: 'fp', 0: 'y' } } }];
  for (const base of bases) {
    const client = new Rendered();
    const cache: StaticsCache = new Map([['fp', ['<p>', '</p>']], ['li', ['<li>', '</li>']], ['ul', ['<ul>', '</ul>']]]);
    const diffs = base.c === undefined ? [base, node] : [base, node, { 0: node }, { c: { 1: node } }];
    for (const diff of diffs) {
      try {
        if (typeof diff !== 'object' || diff === null || Array.isArray(diff)) continue;
        mergeStatics(cache, { p: statics, ...(diff as WireNode) });
        client.merge(diff as WireNode, cache);
        client.toHTML();
      } catch (error) {
        if (error instanceof RenderedError) break;
        throw new Error(`merging ${JSON.stringify(node).slice(0, 300)} (statics ${JSON.stringify(statics).slice(0, 100)}) threw ${describeError(error)}`, { cause: error });
      }
    }
  }
}

// ---- runner -------------------------------------------------------------------------------

export interface TemplateFuzzOptions {
  /** Templates compiled (each rendered and diffed through a few states). */
  readonly templates: number;
  /** Diffs damaged and merged by the client. */
  readonly diffs: number;
  readonly seed: number;
  readonly path?: string;
  readonly only?: 'compile' | 'diff' | 'merge' | 'wire';
}

export interface PropertyResult {
  readonly name: string;
  readonly runs: number;
  readonly elapsedMs: number;
  readonly failure?: { readonly what: string; readonly reproduce: string };
}

export function fuzzTemplates(options: TemplateFuzzOptions): PropertyResult[] {
  const properties: Array<[name: 'compile' | 'diff' | 'merge' | 'wire', runs: number, property: fc.IProperty<never>]> = [
    ['compile', options.templates, fc.property(damaged, (src) => { compile(src); }) as never],
    ['diff', options.templates, fc.property(fc.oneof({ weight: 3, arbitrary: source }, { weight: 1, arbitrary: componentSource }), fc.array(state, { minLength: 1, maxLength: 5 }), (src, states) => {
      const template = compile(src);
      if (template !== undefined) diffMatchesRender(template, states);
    }) as never],
    ['merge', options.diffs, fc.property(source, fc.array(state, { minLength: 1, maxLength: 4 }), damage, fc.nat(4), (src, states, damages, which) => {
      const template = compile(src);
      if (template !== undefined) mergeSurvives(template, states, damages, which);
    }) as never],
    ['wire', options.diffs, fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.constantFrom('c', 'i', 'e', 'd', 'l', 'n', 'k', 's', 'm', 'r', '0', '1'), hostile, { maxKeys: 4 })), fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })), (node, statics) => mergeArbitrary(JSON.parse(JSON.stringify(node)) as unknown, statics)) as never], // what the client gets is always JSON.parse's
  ];
  const results: PropertyResult[] = [];
  for (const [name, runs, property] of properties) {
    if (options.only !== undefined && options.only !== name) continue;
    const started = performance.now();
    let failure: PropertyResult['failure'];
    try {
      fc.assert(property, { seed: options.seed, numRuns: runs, ...(options.path === undefined ? {} : { path: options.path }) });
    } catch (error) {
      const path = /path: "([^"]*)"/.exec((error as Error).message)?.[1];
      failure = { what: summarize(error), reproduce: `--only ${name} --seed ${options.seed}${path === undefined ? '' : ` --path ${path}`}` };
    }
    results.push({ name, runs, elapsedMs: performance.now() - started, ...(failure === undefined ? {} : { failure }) });
  }
  return results;
}
