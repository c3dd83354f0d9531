/**
 * The order part of keyed list diffs (server/diff/keyed.ts, D63): the placements of the classic
 * `d` + `m` form, then the choice among `d` + `m`, `r` + `m` and `k` — applied by the client's own
 * `reorder` (client/rendered.ts), it reproduces the new order, and it is never longer than the
 * `d` + `m` form protocol 1 always sent.
 */
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { Rendered, reorder, mergeStatics, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock } from '../../server/diff/index.ts';
import { diffOrder, encodeOrder, jsonBytes } from '../../server/diff/keyed.ts';
import { compileTemplate, createScope, renderToString } from '../../server/template/index.ts';
import { ITEMS } from '../../views/search.ts';

/** The client's algorithm from docs/protocol.md: delete removed, take out placed, insert in order. */
function apply(old: string[], removed: string[], placed: Array<[number, string]>): string[] {
  const out = old.filter((key) => !removed.includes(key) && !placed.some(([, k]) => k === key));
  for (const [index, key] of placed) out.splice(index, 0, key);
  return out;
}

function check(t: Test, old: string[], next: string[]) {
  const d = diffOrder(old, next, new Set(next));
  t.same(apply(old, d.removed, d.placed), next, `${old.join('')} → ${next.join('')}`);
  return d;
}

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
/** Strings of any code points, and of any UTF-16 code units (lone surrogates included). */
const anyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength }));

/** The three candidate forms, built independently of the encoder. */
function candidates(old: string[], next: string[]): { d: WireNode; r: WireNode; k: WireNode } {
  const { removed, placed } = diffOrder(old, next, new Set(next));
  const kept = new Set(next);
  const runs: number[] = [];
  for (let i = 0, keeping = true; i < old.length; keeping = !keeping) {
    const start = i;
    while (i < old.length && kept.has(old[i]) === keeping) i++;
    runs.push(i - start);
  }
  if (runs.length % 2 === 1) runs.pop(); // the last run kept keys: implied
  const m = placed.length > 0 ? { m: placed } : {};
  return {
    d: { ...(removed.length > 0 ? { d: removed } : {}), ...m },
    r: { ...(runs.length > 0 ? { r: runs } : {}), ...m },
    k: { k: next },
  };
}

t.test('one insert costs one placement', async (t) => {
  const old = Array.from({ length: 1000 }, (_, i) => String(i));
  const next = [...old.slice(0, 500), 'new', ...old.slice(500)];
  const d = check(t, old, next);
  t.same(d, { removed: [], placed: [[500, 'new']] });
  t.same(encodeOrder(old, next, new Set(next)).wire, { m: [[500, 'new']] });
});

t.test('one move costs one placement; a removal costs no placement', async (t) => {
  t.same(check(t, ['a', 'b', 'c', 'd'], ['d', 'a', 'b', 'c']), { removed: [], placed: [[0, 'd']] });
  t.same(check(t, ['a', 'b', 'c', 'd'], ['a', 'c', 'd']), { removed: ['b'], placed: [] });
});

t.test('reversal keeps one key and places the rest', async (t) => {
  const d = check(t, ['a', 'b', 'c', 'd', 'e'], ['e', 'd', 'c', 'b', 'a']);
  t.equal(d.placed.length, 4);
  t.same(encodeOrder(['a', 'b', 'c', 'd', 'e'], ['e', 'd', 'c', 'b', 'a'], new Set('abcde')).wire, { k: ['e', 'd', 'c', 'b', 'a'] }, 'the whole order is shorter');
});

t.test('each form wins where it should; ties keep d', async (t) => {
  const old = Array.from({ length: 100 }, (_, i) => String(i + 1));
  const enc = (next: string[]) => encodeOrder(old, next, new Set(next)).wire;
  t.same(enc(old.filter((k) => k !== '50')), { d: ['50'] }, 'one removal: by key (a tie with r:[49,1] keeps d)');
  t.same(enc(old.slice(0, 10)), { r: [10, 90] }, 'a long tail cut: one run');
  t.same(enc(old.slice(40, 60)), { r: [0, 40, 20, 40] }, 'a window: runs');
  t.same(enc(['7', '3']), { k: ['7', '3'] }, 'two survivors, out of order: the whole order');
  t.same(enc([...old.slice(1), '1']), { m: [[99, '1']] }, 'one move: one placement');
});

t.test('narrowing the example search ("r" → "ra"): runs, a fraction of the removed keys', async (t) => {
  const ids = (q: string) => ITEMS.filter((item) => item.name.includes(q)).map((item) => String(item.id));
  const old = ids('r');
  const next = ids('ra');
  const { wire, removed } = encodeOrder(old, next, new Set(next));
  t.same(Object.keys(wire), ['r']);
  t.equal(removed.length, old.length - next.length);
  t.same(reorder(old, wire)?.keys, next);
  const forms = candidates(old, next);
  t.ok(bytes(wire) * 5 < bytes(forms.d), `${bytes(wire)} B of runs against ${bytes(forms.d)} B of removed keys`);
  t.ok(bytes(wire) < bytes(forms.k), `and against ${bytes(forms.k)} B of kept keys`);
});

t.test('jsonBytes is the UTF-8 length of the JSON string', async (t) => {
  for (const s of ['', 'a', '"', '\\', '\n', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '\u2028']) {
    // Named by code units: a raw U+2028 in a test name would break the TAP stream's line.
    t.equal(jsonBytes(s), bytes(s), `code units ${Array.from(s, (c) => c.charCodeAt(0).toString(16)).join(' ') || '(none)'}`);
  }
  fc.assert(fc.property(anyString(12), (s) => jsonBytes(s) === bytes(s)), { seed: 63, numRuns: 2000 });
});

// Keys as apps make them (numbers) and as they might (any string, escapes and surrogates included).
const key = fc.oneof(fc.nat(3000).map(String), anyString(4));
const edit = fc
  .record({
    old: fc.uniqueArray(key, { maxLength: 60 }),
    keepRatio: fc.double({ min: 0, max: 1, noNaN: true }),
    draws: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 60, maxLength: 60 }),
    added: fc.array(fc.tuple(key, fc.nat()), { maxLength: 8 }),
    swaps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
    shuffleAll: fc.boolean(),
  })
  .map(({ old, keepRatio, draws, added, swaps, shuffleAll }) => {
    const next = old.filter((_, i) => draws[i] < keepRatio);
    const seen = new Set(old);
    for (const [k, at] of added) {
      if (seen.has(k)) continue;
      seen.add(k);
      next.splice(at % (next.length + 1), 0, k);
    }
    for (const [i, j] of swaps) {
      if (next.length < 2) break;
      const a = i % next.length;
      const b = j % next.length;
      [next[a], next[b]] = [next[b], next[a]];
    }
    if (shuffleAll) next.sort((a, b) => (jsonBytes(a) * 31 + a.length) % 7 - ((jsonBytes(b) * 31 + b.length) % 7));
    return { old, next };
  });

t.test('property: the chosen form reproduces the new order, and is the shortest of the three', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(edit, ({ old, next }) => {
      const { wire, removed } = encodeOrder(old, next, new Set(next));
      const sent = JSON.parse(JSON.stringify(wire)) as WireNode; // what the client gets
      const result = reorder(old, sent);
      if (JSON.stringify(result?.keys ?? old) !== JSON.stringify(next)) throw new Error(`${JSON.stringify(wire)} gave ${JSON.stringify(result?.keys)}`);
      const gone = old.filter((k) => !next.includes(k));
      if (JSON.stringify(removed) !== JSON.stringify(gone)) throw new Error('removed keys are the keys that left, in old order');
      const forms = candidates(old, next);
      const shortest = Math.min(bytes(forms.d), bytes(forms.r), bytes(forms.k));
      if (bytes(wire) > bytes(forms.d)) throw new Error(`${bytes(wire)} B is longer than d + m's ${bytes(forms.d)} B`);
      if (bytes(wire) !== shortest) throw new Error(`${JSON.stringify(wire)}: ${bytes(wire)} B, the shortest form has ${shortest} B`);
      runs++;
    }),
    { seed: 1207, numRuns: 3000 },
  );
  t.equal(runs, 3000, '3,000 random edits: exact order, shortest form');
});

t.test('property: server diffs of a keyed loop, merged by the client, render what a fresh render gives', async (t) => {
  const template = compileTemplate('<ul>{% for x in items key x.id %}<li>{{ x.id }}:{{ x.n }}</li>{% endfor %}</ul>', { name: 'keyed.html' });
  const lists = fc.array(fc.uniqueArray(fc.nat(40), { maxLength: 30 }), { minLength: 2, maxLength: 6 });
  let merged = 0;
  fc.assert(
    fc.property(lists, fc.nat(3), (sequence, salt) => {
      const state = (ids: number[], step: number) => ({ items: ids.map((id) => ({ id, n: (id * (step + salt)) % 3 })) });
      const root: Record<string, unknown> = state(sequence[0], 0);
      const scope = createScope(root);
      const tree = renderBlock(template.root, scope);
      const statics = new StaticsCollector(new Set());
      const client = new Rendered();
      const cache: StaticsCache = new Map();
      const first = JSON.parse(JSON.stringify(statics.attachTo(encodeRoot(tree, statics)))) as WireNode;
      mergeStatics(cache, first);
      client.merge(first, cache);
      sequence.slice(1).forEach((ids, i) => {
        root.items = state(ids, i + 1).items;
        const diff = statics.attachTo(updateBlock(tree, scope, new Set(['items']), statics));
        if (diff !== undefined) client.merge(JSON.parse(JSON.stringify(diff)) as WireNode, cache);
        const expected = renderToString(template, createScope({ ...root }));
        if (client.toHTML() !== expected) throw new Error(`after ${JSON.stringify(diff)}: ${client.toHTML()} ≠ ${expected}`);
        merged++;
      });
    }),
    { seed: 63, numRuns: 500 },
  );
  t.ok(merged >= 500, `${merged} diffs merged, each rendering exactly`);
});
