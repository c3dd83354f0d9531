// The compiled shape the diff engine relies on: blocks, slots, deps and fingerprints.
import t from 'tap';
import { compileTemplate, createMemoryLoader, type Block, type Slot, type Template } from '../../server/template/index.ts';

const compile = (source: string, name = 'x.html'): Template => compileTemplate(source, { name });
const depsOf = (slot: Slot): string[] | null => (slot.deps === null ? null : [...slot.deps].sort());
const rootDeps = (source: string): (string[] | null)[] => compile(source).root.slots.map(depsOf);

function everyBlock(block: Block, visit: (b: Block) => void): void {
  visit(block);
  for (const slot of block.slots) {
    if (slot.kind === 'loop') {
      everyBlock(slot.body, visit);
      if (slot.empty) everyBlock(slot.empty, visit);
    }
  }
}

t.test('statics interleave slots: statics.length === slots.length + 1', async (t) => {
  const tpl = compile('<h1>{{ title }}</h1>{% for p in ps %}<li>{{ p }}</li>{% empty %}none{% endfor %}{% if a %}A{% endif %}');
  t.same(tpl.root.statics, ['<h1>', '</h1>', '', '']);
  t.same(tpl.root.slots.map((s) => s.kind), ['text', 'loop', 'branch']);
  everyBlock(tpl.root, (b) => t.equal(b.statics.length, b.slots.length + 1));
  const loop = tpl.root.slots[1];
  t.equal(loop.kind, 'loop');
  if (loop.kind === 'loop') {
    t.same(loop.body.statics, ['<li>', '</li>']);
    t.same(loop.empty?.statics, ['none']);
  }
});

t.test('comments, autoescape and literals produce no slot', async (t) => {
  const tpl = compile('a{# hidden #}b{% comment %}{{ x }}{% endcomment %}c{% autoescape off %}{{ y }}{% endautoescape %}{{ "lit" }}');
  t.same(tpl.root.statics, ['abc', 'lit']);
  t.equal(tpl.root.slots.length, 1);
});

t.test('slot locations are 1-based line and column of the tag', async (t) => {
  const tpl = compile('<p>\n  {{ a }}\n</p>{% if b %}{% endif %}');
  t.same(tpl.root.slots[0].loc, { file: 'x.html', line: 2, column: 3 });
  t.same(tpl.root.slots[1].loc, { file: 'x.html', line: 3, column: 5 });
});

t.test('deps per slot', async (t) => {
  t.same(rootDeps('{{ tenant.name|default:x }}'), [['tenant', 'x']]);
  t.same(rootDeps('{{ "lit"|default:y }}'), [['y']]);
  t.same(rootDeps('{% for p in projects key p.id %}{{ p.name }}{{ title }}{% endfor %}'), [['projects', 'title']]);
  t.same(rootDeps('{% for k, v in pairs key k %}{{ k }}{{ v }}{{ forloop.counter }}{% empty %}{{ none }}{% endfor %}'), [['none', 'pairs']]);
  t.same(rootDeps('{% for x in xs key other.id %}{% endfor %}'), [['other', 'xs']], 'a key reading outer names depends on them');
  t.same(rootDeps('{% if a %}{{ b }}{% else %}{{ c }}{% endif %}'), [['a', 'b', 'c']]);
  t.same(rootDeps('{% if a > limit or not d %}x{% elif e in f %}{% endif %}'), [['a', 'd', 'e', 'f', 'limit']]);
  t.same(rootDeps('{% with x=y.z %}{{ x }}{{ w }}{% endwith %}'), [['w', 'y']]);
  t.same(rootDeps('{% with y.z as x %}{{ x }}{% endwith %}'), [['y']]);
  t.same(rootDeps('{% if True and None is None %}{{ False }}{% endif %}'), [[]], 'True/False/None are constants');
  t.same(rootDeps('{% include name %}'), [null], 'an include by variable is unknown');
  t.same(rootDeps('{% filter upper %}{{ a }}{% endfilter %}'), [['a']], '{% filter %} binds its own "var"');
});

t.test('deps: forloop.parentloop depends on the enclosing loop', async (t) => {
  const tpl = compile('{% for a in as %}{% for b in a.bs %}{{ forloop.parentloop.counter }}{{ b }}{{ z }}{% endfor %}{% endfor %}');
  t.same(rootDeps('{% for a in as %}{% for b in a.bs %}{{ forloop.parentloop.counter }}{{ b }}{{ z }}{% endfor %}{% endfor %}'), [['as', 'z']]);
  const outer = tpl.root.slots[0];
  if (outer.kind !== 'loop') throw new Error('expected a loop');
  t.same(depsOf(outer.body.slots[0]), ['a', 'forloop', 'z'], 'the inner loop reads the outer item and its forloop');
});

t.test('deps through includes', async (t) => {
  const loader = createMemoryLoader({
    'inc.html': '{{ a }}{{ b }}{% if c %}{% endif %}',
    'main.html': '{% include "inc.html" %}|{% include "inc.html" with a=q %}|{% include "inc.html" with b=r only %}|{% include n only with a=m %}',
    'dyn.html': '{{ x }}{% include n %}',
  });
  const main = loader.load('main.html');
  t.same(main.root.slots.map(depsOf), [['a', 'b', 'c'], ['b', 'c', 'q'], ['r'], ['m', 'n']]);
  t.same([...main.deps!].sort(), ['a', 'b', 'c', 'm', 'n', 'q', 'r']);
  t.same(main.root.slots.map((s) => s.kind === 'branch' && s.scoped), [false, true, true, true]);
  t.equal(loader.load('dyn.html').deps, null, 'Template.deps is null when any root slot is unknown');
});

t.test('loop slots: keyed flag', async (t) => {
  const [keyed] = compile('{% for p in ps key p.id %}{% endfor %}').root.slots;
  const [plain] = compile('{% for p in ps %}{% endfor %}').root.slots;
  t.ok(keyed.kind === 'loop' && keyed.keyed);
  t.ok(plain.kind === 'loop' && !plain.keyed);
});

t.test('fingerprints', async (t) => {
  const fp = (source: string): string => compile(source).root.fp;
  const a = fp('<p>{{ x }}</p>');
  t.match(a, /^[0-9a-z]{1,12}$/, 'short base36');
  t.equal(a, '9pagy7jqbx2g', 'pinned: the same in every process and run');
  t.equal(fp('<p>{{ y|upper }}</p>'), a, 'values and expressions do not enter the fingerprint');
  t.equal(compile('<p>{{ x }}</p>', 'other.html').root.fp, a, 'nor does the file');
  t.not(fp('<p>{{ x }}</p> '), a, 'statics do');
  t.not(fp('<p>{% if x %}{% endif %}</p>'), a, 'slot kinds do');
  t.not(fp('{% if x %}<b>{% endif %}'), fp('{% if x %}<i>{% endif %}'), 'nested blocks do');
  t.not(fp('{% for x in y %}a{% endfor %}'), fp('{% for x in y %}a{% empty %}b{% endfor %}'), 'the empty block does');
  const [loop] = compile('{% for x in xs %}<li>{{ x }}</li>{% endfor %}').root.slots;
  const [branch] = compile('{% if a %}<li>{{ x }}</li>{% endif %}').root.slots;
  if (loop.kind !== 'loop' || branch.kind !== 'branch') throw new Error('unexpected slots');
  t.equal(branch.select({ get: () => true, push: () => { throw new Error('unused'); } })!.block.fp, loop.body.fp, 'equal blocks share a fingerprint');
});
