/**
 * Item-wise re-renders (D61): when a view changes elements of an array in place, a loop over that
 * array re-renders only those items. The property: whatever a handler does through the state
 * proxy, the incremental render — the server's tree and the client's merge of its diffs — equals
 * a full render of the new state. And the point of it: one changed row of 10,000 costs one row.
 */
import t, { type Test } from 'tap';
import { mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock, type RBlock, type RValue } from '../../server/diff/index.ts';
import { compileTemplate, createMemoryLoader, createScope, renderToString, type Template } from '../../server/template/index.ts';
import { trackState } from '../../server/view/tracked-state.ts';

type State = Record<string, any>;

/** The server's tree as HTML: what the client holds if every diff was right. */
function treeHtml(value: RValue): string {
  if (typeof value !== 'object') return String(value);
  if ('keys' in value) return value.keys.map((key) => treeHtml(value.items.get(key)!)).join('');
  if ('streamBody' in value) return ''; // no streams here
  const { statics } = value.block;
  let html = statics[0];
  for (let i = 0; i < value.values.length; i++) html += treeHtml(value.values[i]) + statics[i + 1];
  return html;
}

/** One view: its tracked state, the server's tree and the client's copy, and a handler runner like mounted-view's. */
function harness(template: Template, initial: State) {
  const tracked = trackState(initial);
  const scope = createScope(tracked.raw);
  const statics = new StaticsCollector(new Set());
  let tree: RBlock = renderBlock(template.root, scope);
  const client = new Rendered();
  const cache: StaticsCache = new Map();
  const apply = (diff: WireNode | undefined) => {
    if (diff === undefined) return;
    mergeStatics(cache, diff);
    client.merge(diff, cache);
  };
  apply(statics.attachTo(encodeRoot(tree, statics)));
  return {
    tracked,
    /** Runs a handler as mounted-view does (begin → commit, or rollback when it throws) and diffs. */
    run(handler: (state: State) => void): WireNode | undefined {
      tracked.begin();
      try {
        handler(tracked.proxy as State);
        tracked.commit();
      } catch {
        tracked.rollback();
      }
      if (tracked.changed.size === 0) return undefined;
      const diff = statics.attachTo(updateBlock(tree, scope, tracked.changed, statics, tracked.changedItems));
      tracked.clearChanges();
      apply(diff);
      return diff;
    },
    check(t: Test, what: string): boolean {
      const expected = renderToString(template, scope);
      const server = treeHtml(tree);
      const browser = client.toHTML();
      if (server === expected && browser === expected) return true;
      t.equal(server, expected, `${what}: the server's tree`);
      t.equal(browser, expected, `${what}: the client's merge`);
      tree = renderBlock(template.root, scope);
      return false;
    },
  };
}

const PARTIALS = {
  'cell.html': '<td class="{{ row.meta.tone }}">{{ row.meta.x }}{{ sep }}</td>',
  'page.html': [
    '<table>{% for row in rows key row.id %}',
    '<tr class="{% if row.done %}done{% endif %}"><th>{{ forloop.counter }}/{{ forloop.length }}{% if forloop.first %}!{% endif %}</th>',
    '<td>{{ row.name|upper }}</td><td>{{ row.n|add:1 }}{{ unit }}</td>',
    '{% with count=row.tags|length %}<td>{{ count }}</td>{% endwith %}',
    '<td>{% for tag in row.tags %}{{ tag }}{{ forloop.parentloop.counter }}{% if not forloop.last %}{{ sep }}{% endif %}{% endfor %}</td>',
    '<td>{% for col in cols %}{{ col }}{% endfor %}</td>',
    '{% include "cell.html" %}',
    '</tr>{% empty %}<tr><td>none {{ unit }}</td></tr>{% endfor %}</table>',
    '{% if show %}<ol>{% for row in rows reversed %}<li>{{ row.name }}:{{ forloop.counter0 }}</li>{% endfor %}</ol>{% endif %}',
    '<p>{% for row in rows|default:"" %}{% if forloop.counter < 4 %}{{ row.n }}{% endif %}{% endfor %} of {{ rows|length }}</p>',
    '{% for name in names %}<b>{{ name }}</b>{% endfor %}',
    '{% for a, b in pairs %}<i>{{ a }}={{ b.v }}</i>{% endfor %}',
  ].join(''),
};

function seeded(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

t.test('random handlers on a keyed list: the incremental render equals a full render', async (t) => {
  const loader = createMemoryLoader(PARTIALS);
  const template = loader.load('page.html');
  let failures = 0;
  for (let run = 0; run < 60 && failures === 0; run++) {
    const random = seeded(1000 + run);
    const pick = (n: number) => Math.floor(random() * n);
    let nextId = 0;
    const row = () => ({ id: nextId++, name: `r${nextId}`, n: pick(5), done: random() < 0.5, tags: ['a', 'b'].slice(0, pick(3)), meta: { x: pick(9), tone: 'plain' } });
    const h = harness(template, {
      rows: Array.from({ length: 16 + pick(30) }, row),
      cols: ['x', 'y'],
      names: Array.from({ length: 20 }, (_, i) => `n${i}`),
      pairs: Array.from({ length: 18 }, (_, i) => [`k${i}`, { v: i }]),
      sep: ',',
      unit: 'kg',
      show: true,
    });
    const ops: Array<[string, (s: State) => void]> = [
      ['bump', (s) => { const rows = s.rows; if (rows.length) rows[pick(rows.length)].n += 1; }],
      ['rename', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].name = `x${pick(100)}`; }],
      ['toggle', (s) => { if (s.rows.length) { const r = s.rows[pick(s.rows.length)]; r.done = !r.done; } }],
      ['tag', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].tags.push(`t${pick(9)}`); }],
      ['nested', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].meta.x += 1; }],
      ['nested-replace', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].meta = { x: 0, tone: 'loud' }; }],
      ['rekey', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].id = pick(4) === 0 && s.rows.length > 1 ? s.rows[0].id : nextId++; }],
      ['several', (s) => { for (let k = 0; k < 3 && s.rows.length; k++) s.rows[pick(s.rows.length)].n += 2; }],
      ['insert', (s) => { s.rows.splice(pick(s.rows.length + 1), 0, row()); }],
      ['remove', (s) => { if (s.rows.length) s.rows.splice(pick(s.rows.length), 1); }],
      ['move', (s) => { if (s.rows.length > 1) { const [r] = s.rows.splice(pick(s.rows.length), 1); s.rows.splice(pick(s.rows.length + 1), 0, r); } }],
      ['replace-element', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)] = row(); }],
      ['replace-same-key', (s) => { if (s.rows.length) { const i = pick(s.rows.length); s.rows[i] = { ...s.rows[i], name: 'copy' }; } }],
      ['alias', (s) => { if (s.rows.length) s.rows.push(s.rows[pick(s.rows.length)]); }],
      ['sort', (s) => { s.rows.sort((a: State, b: State) => a.n - b.n); }],
      ['reverse', (s) => { s.rows.reverse(); }],
      ['find', (s) => { const r = s.rows.find((x: State) => x.n === pick(5)); if (r) r.n += 10; }],
      ['scan-read', (s) => { let total = 0; for (const r of s.rows) total += r.n; s.unit = total % 2 ? 'kg' : 'g'; }],
      ['filter', (s) => { s.rows = s.rows.filter(() => random() < 0.9); }],
      ['refill', (s) => { s.rows = s.rows.length > 0 && random() < 0.3 ? [] : Array.from({ length: 16 + pick(20) }, row); }],
      ['outer', (s) => { s.sep = s.sep === ',' ? ';' : ','; }],
      ['cols', (s) => { s.cols.push('z'); }],
      ['show', (s) => { s.show = !s.show; }],
      ['read-only', (s) => { void s.rows.length; if (s.rows.length) void s.rows[0].n; }],
      ['names', (s) => { s.names[pick(s.names.length)] = `m${pick(9)}`; }],
      ['pairs', (s) => { s.pairs[pick(s.pairs.length)][1].v += 1; }],
      ['throws', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].n += 100; s.rows.splice(0, 1); throw new Error('handler failed'); }],
      ['throws-in-place', (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].name = 'never'; throw new Error('handler failed'); }],
      ['keep-and-mutate', (s) => { const rows = s.rows; s.rows = rows; if (rows.length) rows[pick(rows.length)].n += 1; }],
    ];
    for (let step = 0; step < 40; step++) {
      const [name, op] = ops[pick(ops.length)];
      h.run(op);
      if (!h.check(t, `run ${run}, step ${step} (${name})`)) {
        failures++;
        break;
      }
    }
  }
  t.equal(failures, 0, '60 runs of 40 random handlers rendered exactly');
});

t.test('one changed row of 10,000 re-renders one row and sends one entry', async (t) => {
  const template = compileTemplate('<table>{% for row in rows key row.id %}<tr><td>{{ row.id }}</td><td>{{ row.label }}</td></tr>{% endfor %}</table>{{ title }}', { name: 't.html' });
  let reads = 0;
  const rows = Array.from({ length: 10_000 }, (_, id) => {
    const r: State = { id, b: 0 };
    // Counts renders of this row's cell: a full pass would read every row's label.
    Object.defineProperty(r, 'label', { enumerable: false, get: () => (reads++, `b=${r.b}`) });
    return r;
  });
  const h = harness(template, { rows, title: 'T' });
  reads = 0;
  const diff = h.run((s) => { s.rows[4242].b += 1; });
  t.equal(reads, 1, 'one row rendered');
  t.same(diff, { 0: { e: { 4242: { 1: 'b=1' } } } }, 'one entry, one cell');
  reads = 0;
  t.equal(h.run((s) => { void s.rows.length; void s.rows.at(-1)?.b; }), undefined, 'reading the length changes nothing…');
  t.equal(reads, 1, '… and an element reached through the proxy is read as an object: its item is re-rendered');
  reads = 0;
  t.equal(h.run((s) => { void s.rows[17].b; }), undefined, 'a marked item that did not change sends nothing');
  t.equal(reads, 1);
  reads = 0;
  h.run((s) => { s.title = 'U'; });
  t.equal(reads, 0, 'a change outside the loop does not touch it');
  reads = 0;
  h.run((s) => { s.rows.push({ id: 10_000, b: 0, label: 'new' }); });
  t.equal(reads, 10_000, 'a write to the array itself re-renders the list (the new row has a plain label)');
  t.ok(h.check(t, 'after the push'));
});

t.test('a loop re-renders in full when item-wise cannot be proven', async (t) => {
  const template = compileTemplate('{% for row in rows key row.id %}<i>{{ row.n }}{{ sep }}</i>{% endfor %}', { name: 't.html' });
  const rows = Array.from({ length: 20 }, (_, id) => ({ id, n: 0 }));
  const h = harness(template, { rows, sep: '.' });
  const entries = (diff: WireNode | undefined) => Object.keys(((diff?.[0] as WireNode | undefined)?.e as WireNode | undefined) ?? {}).length;
  t.equal(entries(h.run((s) => { s.rows[3].n = 1; s.sep = ';'; })), 20, 'an outer name the body reads changed too: every item');
  t.ok(h.check(t, 'outer'));
  h.run((s) => { s.rows.push(s.rows[5]); });
  t.ok(h.check(t, 'an element shown twice'));
  const diff = h.run((s) => { s.rows[5].n = 7; });
  t.ok(h.check(t, 'both positions of the shared element changed'));
  t.equal(entries(diff), 2, 'a list with a shared element is never item-wise');
  h.run((s) => { s.rows.pop(); });
  t.equal(entries(h.run((s) => { s.rows[5].n = 8; })), 1, 'distinct again after the next full pass: item-wise');
  t.ok(h.check(t, 'item-wise again'));
  const small = harness(template, { rows: rows.slice(0, 3).map((r) => ({ ...r })), sep: '.' });
  small.run((s) => { s.rows[1].n = 5; });
  t.ok(small.check(t, 'a short list takes the full pass'));
});
