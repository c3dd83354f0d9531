/**
 * Function components in the live model (D79): a use is one scoped branch slot whose deps are its
 * attributes', its slot contents' and the globals the component reads, so a change touching none
 * of them skips the component without evaluating it; a change inside one card of a keyed loop
 * sends that card's changed values and nothing else; the component's statics travel once.
 */
import t from 'tap';
import { mergeStatics, Rendered, type StaticsCache, type WireNode } from '../../client/rendered.ts';
import { encodeRoot, renderBlock, StaticsCollector, updateBlock, type RBlock } from '../../server/diff/index.ts';
import { createMemoryLoader, createScope, renderToString, type Scope, type Template } from '../../server/template/index.ts';

const CARD = [
  '{% attrs title tone="plain" %}',
  '<section class="card {{ tone }}"><h2>{{ title }}</h2>{% render_slot %}',
  '{% if slots.footer %}<footer>{% render_slot footer %}</footer>{% endif %}</section>',
].join('');

function harness(template: Template, scope: Scope) {
  const statics = new StaticsCollector();
  const tree: RBlock = renderBlock(template.root, scope);
  const client = new Rendered();
  const cache: StaticsCache = new Map();
  const first = statics.attachTo(encodeRoot(tree, statics))!;
  mergeStatics(cache, first);
  client.merge(first, cache);
  return {
    first,
    update(changed: string[], items?: ReadonlyMap<string, ReadonlySet<number>>): WireNode | undefined {
      const diff = statics.attachTo(updateBlock(tree, scope, new Set(changed), statics, items));
      if (diff !== undefined) {
        mergeStatics(cache, diff);
        client.merge(diff, cache);
      }
      return diff;
    },
    html: () => client.toHTML(),
  };
}

t.test('a change touching neither the attributes nor the slot contents skips the component', async (t) => {
  const loader = createMemoryLoader({
    'components/card.html': CARD,
    'page.html': '{% component "card" title=title %}<p>{{ body }}</p>{% endcomponent %}<b>{{ other }}</b>',
  });
  const template = loader.load('page.html');
  t.same(template.root.slots[0].deps, new Set(['title', 'body']), 'the use reads its attribute and its slot content');
  let titleReads = 0;
  const state = {
    get title() {
      titleReads++;
      return 'Tasks';
    },
    body: 'first',
    other: 1,
  };
  const scope = createScope(state);
  const h = harness(template, scope);
  t.equal(h.html(), '<section class="card plain"><h2>Tasks</h2><p>first</p></section><b>1</b>');
  titleReads = 0;
  state.other = 2;
  t.same(h.update(['other']), { 1: '2' }, 'only the other slot');
  t.equal(titleReads, 0, 'the component was not evaluated');

  state.body = 'second';
  // Slot 0 of the page is the card; slot 2 of the card is {% render_slot %}; slot 0 there is {{ body }}.
  t.same(h.update(['body']), { 0: { 2: { 0: 'second' } } }, 'a slot content change sends that value only');
  t.equal(h.html(), renderToString(template, scope));
});

t.test('slot contents render in the caller’s scope, so the caller’s change set applies to them', async (t) => {
  const loader = createMemoryLoader({
    'components/card.html': CARD,
    'components/box.html': '{% attrs %}<div>{% with x=1 %}{% render_slot %}{% endwith %}</div>',
    // Passes its own caller's content on to another component.
    'components/panel.html': '{% attrs %}{% component "box" %}{% render_slot %}{% endcomponent %}',
    'page.html': [
      '{% component "card" title=title %}<p>{{ note }}</p>{% for row in rows %}<i>{{ row.name }}{{ row.n }}</i>{% endfor %}',
      '{% slot footer %}{% component "box" %}{{ note }}|{{ title }}{% endcomponent %}{% endslot %}{% endcomponent %}',
      '{% component "panel" %}{{ note }}/{{ title }}{% endcomponent %}',
    ].join(''),
  });
  const template = loader.load('page.html');
  let noteReads = 0;
  let nameReads = 0;
  const row = (i: number) => ({
    n: i,
    get name() {
      nameReads++;
      return `r${i}`;
    },
  });
  const state = {
    title: 'T',
    get note() {
      noteReads++;
      return 'note';
    },
    rows: Array.from({ length: 20 }, (_, i) => row(i)),
  };
  const scope = createScope(state);
  const h = harness(template, scope);
  [noteReads, nameReads] = [0, 0];
  state.title = 'U';
  // card: title (1), footer if (3) → render_slot (0) → box (0) → with (0) → render_slot (0) → {{ title }} (1).
  // panel (1): box (0) → with (0) → render_slot (0) → panel's render_slot (0) → {{ title }} (1).
  t.same(h.update(['title']), { 0: { 1: 'U', 3: { 0: { 0: { 0: { 0: { 1: 'U' } } } } } }, 1: { 0: { 0: { 0: { 0: { 1: 'U' } } } } } });
  t.same([noteReads, nameReads], [0, 0], 'slot content not reading the change is skipped, also in a component’s slot and passed on by one');

  [noteReads, nameReads] = [0, 0];
  state.rows[3].n = 33;
  // The loop in the default slot (render_slot 2 → loop 1) re-renders only row 3 (D61).
  t.same(h.update(['rows'], new Map([['rows', new Set([3])]])), { 0: { 2: { 1: { e: { 3: { 1: '33' } } } } } });
  t.same([noteReads, nameReads], [0, 1], 'only the changed row was evaluated');
  t.equal(h.html(), renderToString(template, scope));
});

t.test('a change inside one card of a keyed loop sends only that card’s changed values', async (t) => {
  const loader = createMemoryLoader({
    'components/card.html': CARD,
    'page.html': [
      '<h1>{{ heading }}</h1>',
      '{% for p in projects key p.id %}{% component "card" title=p.name tone="info" %}<p>{{ p.count }} in {{ heading }}</p>',
      '{% slot footer %}<a href="/p/{{ p.id }}">{{ p.name }}</a>{% endslot %}{% endcomponent %}{% endfor %}',
    ].join(''),
  });
  const template = loader.load('page.html');
  const state = { heading: 'Board', projects: [{ id: 1, name: 'Alpha', count: 3 }, { id: 2, name: 'Beta', count: 5 }] };
  const scope = createScope(state);
  const h = harness(template, scope);

  // The card's statics are sent once although two cards use them.
  const cardFp = loader.load('components/card.html').root.fp;
  const statics = h.first.p as Record<string, string[]>;
  t.same(statics[cardFp], ['<section class="card ', '"><h2>', '</h2>', '', '</section>']);
  t.equal(JSON.stringify(h.first).split(`"s":"${cardFp}"`).length - 1, 2, 'both cards name the fingerprint; its statics travel once');

  state.projects[1].count = 6;
  t.same(h.update(['projects']), { 1: { e: { 2: { 0: { 2: { 0: '6' } } } } } }, 'one value of card 2');

  state.projects[0].name = 'Alfa';
  // title (slot 1) and the footer link text: if (slot 3) → footer render_slot (0) → {{ p.name }} (1).
  t.same(h.update(['projects']), { 1: { e: { 1: { 0: { 1: 'Alfa', 3: { 0: { 1: 'Alfa' } } } } } } });

  state.heading = 'Plan';
  t.same(h.update(['heading']), { 0: 'Plan', 1: { e: { 1: { 0: { 2: { 1: 'Plan' } } }, 2: { 0: { 2: { 1: 'Plan' } } } } } }, 'the caller’s name read inside each slot');

  state.projects.push({ id: 3, name: 'Gamma', count: 0 });
  const added = h.update(['projects']) as { p?: unknown; 1: { e: Record<string, unknown> } };
  t.equal(added.p, undefined, 'no statics again for a new card');
  t.same(Object.keys(added[1].e), ['3']);
  t.equal(h.html(), renderToString(template, scope), 'the client holds what a full render gives');
});

t.test('a component reading a global re-renders when it changes; the caller’s names are not visible', async (t) => {
  const loader = createMemoryLoader({
    'components/badge.html': '{% attrs label %}<span title="{{ tenant.name }}">{{ label }}{{ count }}</span>',
    'page.html': '{% with count=9 %}{% component "badge" label=name %}{% endcomponent %}{% endwith %}',
  });
  t.throws(() => loader.load('page.html'), /components\/badge\.html:1:1: this component reads 'count', which it does not declare/);
  const ok = createMemoryLoader({
    'components/badge.html': '{% attrs label %}<span title="{{ tenant.name }}">{{ label }}</span>{% if errors.name %}!{% endif %}',
    'page.html': '{% component "badge" label=name %}{% endcomponent %}',
  });
  const template = ok.load('page.html');
  t.same(template.deps, new Set(['name', 'tenant', 'errors']));
  const globals = { tenant: { name: 'Acme' }, errors: {} as Record<string, string> };
  const state = { name: 'x', tenant: { name: 'not the tenant' } };
  const scope = createScope(state, globals);
  const h = harness(template, scope);
  t.equal(h.html(), '<span title="Acme">x</span>');
  globals.errors.name = 'required';
  t.not(h.update(['errors']), undefined, 'a change of errors reaches the component')
  t.equal(h.html(), '<span title="Acme">x</span>!');
});

t.test('random handlers on cards with slots: the incremental render equals a full render', async (t) => {
  const loader = createMemoryLoader({
    'components/card.html': CARD,
    'components/row.html': '{% attrs n %}<i>{{ n }}</i>{% render_slot %}{% if slots.extra %}{% for k in "ab" %}{% render_slot extra %}{% endfor %}{% endif %}',
    'page.html': [
      '{% component "card" title=tone %}{% for row in flat %}<b>{{ row.n }}{{ sep }}</b>{% endfor %}{% endcomponent %}',
      '{% for g in groups key g.id %}{% component "card" title=g.name tone=tone %}',
      '{% for row in g.rows key row.id %}{% component "row" n=row.n %}{{ row.name }}{{ sep }}{% slot extra %}[{{ g.name }}{{ forloop.counter }}]{% endslot %}{% endcomponent %}{% endfor %}',
      '{% for row in flat %}<b>{{ row.n }}</b>{% endfor %}',
      '{% slot footer %}{% if g.open %}{{ sep }}{{ g.rows|length }}{% endif %}{% endslot %}{% endcomponent %}{% endfor %}',
    ].join(''),
  });
  const template = loader.load('page.html');
  const { trackState } = await import('../../server/view/tracked-state.ts');
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (n: number) => Math.floor(random() * n);
  let id = 0;
  const row = () => ({ id: id++, n: pick(9), name: `r${id}` });
  const group = () => ({ id: id++, name: `g${id}`, open: random() < 0.5, rows: Array.from({ length: pick(4) }, row) });
  const tracked = trackState({ groups: Array.from({ length: 3 }, group), flat: Array.from({ length: 20 }, row), tone: 'info', sep: ',' });
  const scope = createScope(tracked.raw);
  const h = harness(template, scope);
  type S = { groups: ReturnType<typeof group>[]; flat: ReturnType<typeof row>[]; tone: string; sep: string };
  const ops: Array<(s: S) => void> = [
    (s) => { if (s.groups.length) { const g = s.groups[pick(s.groups.length)]; if (g.rows.length) g.rows[pick(g.rows.length)].n += 1; } },
    (s) => { if (s.groups.length) s.groups[pick(s.groups.length)].name = `x${pick(99)}`; },
    (s) => { if (s.groups.length) s.groups[pick(s.groups.length)].rows.push(row()); },
    (s) => { if (s.groups.length) { const g = s.groups[pick(s.groups.length)]; g.open = !g.open; } },
    (s) => { s.groups.splice(pick(s.groups.length + 1), 0, group()); },
    (s) => { if (s.groups.length) s.groups.splice(pick(s.groups.length), 1); },
    (s) => { s.flat[pick(s.flat.length)].n += 1; },
    (s) => { s.tone = s.tone === 'info' ? 'warn' : 'info'; },
    (s) => { s.sep = s.sep === ',' ? ';' : ','; },
  ];
  for (let step = 0; step < 300; step++) {
    tracked.begin();
    ops[pick(ops.length)](tracked.proxy as S);
    tracked.commit();
    if (tracked.changed.size > 0) h.update([...tracked.changed], tracked.changedItems);
    tracked.clearChanges();
    const expected = renderToString(template, scope);
    if (h.html() !== expected) {
      t.equal(h.html(), expected, `step ${step}`);
      return;
    }
  }
  t.pass('300 random steps matched a full render');
});
