import t from 'tap';
import { findNonPlainValue, trackState } from '../../server/view/tracked-state.ts';

t.test('writes, deletes and reads of objects mark keys; primitive reads do not', async (t) => {
  const tracked = trackState<{ count: number; items: string[]; name: string; gone?: number }>({ count: 1, items: [], name: 'x', gone: 1 });
  const state = tracked.proxy;
  t.equal(state.count + 1, 2);
  t.equal(state.name, 'x');
  t.same([...tracked.changed], [], 'reading primitives marks nothing');
  state.count = 5;
  state.items.push('a');
  delete state.gone;
  t.same([...tracked.changed].sort(), ['count', 'gone', 'items']);
  t.same(tracked.raw, { count: 5, items: ['a'], name: 'x' }, 'writes land on the raw object');
});

t.test('only plain JSON data passes the state check', async (t) => {
  t.equal(findNonPlainValue({ a: [2, 'x', true, null, { b: undefined }] }), null);
  t.equal(findNonPlainValue({ when: new Date() }), 'state.when');
  t.equal(findNonPlainValue({ fn: () => 1 }), 'state.fn');
  t.equal(findNonPlainValue({ list: [1, new Map()] }), 'state.list[1]');
  t.equal(findNonPlainValue({ n: Number.NaN }), 'state.n');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.equal(findNonPlainValue(cyclic), 'state.self');
  const shared = { x: 1 };
  t.equal(findNonPlainValue({ a: shared, b: shared }), null, 'a shared (non-cyclic) object is fine');
});

t.test('rollback restores every touched key as it was at begin, and unmarks what it undid', async (t) => {
  const tracked = trackState<Record<string, any>>({ count: 10, items: ['a'], meta: { n: 1 }, gone: 1 });
  const state = tracked.proxy;
  state.count = 11; // changed before the handler (not yet diffed): stays marked
  tracked.begin();
  state.count -= 5;
  state.items.push('b');
  state.meta.n = 2;
  state.fresh = 'x';
  delete state.gone;
  Object.defineProperty(state, 'defined', { value: 1, enumerable: true, configurable: true, writable: true });
  t.equal(Object.getPrototypeOf(state.__proto__), null, 'reading __proto__ is not state…');
  tracked.rollback();
  t.same(tracked.raw, { count: 11, items: ['a'], meta: { n: 1 }, gone: 1 });
  t.equal(Object.getPrototypeOf(tracked.raw), Object.prototype, '…and is never "restored"');
  t.same([...tracked.changed], ['count'], 'only the change from before the handler is left to diff');
});

t.test('commit keeps the changes; outside begin/commit nothing is recorded', async (t) => {
  const tracked = trackState<{ count: number; items: string[] }>({ count: 1, items: [] });
  tracked.begin();
  tracked.proxy.count = 2;
  tracked.proxy.items.push('kept');
  tracked.commit();
  tracked.proxy.count = 3; // between handlers (e.g. onJoin): not journaled
  tracked.rollback();
  t.same(tracked.raw, { count: 3, items: ['kept'] }, 'a rollback with no handler running undoes nothing');
});

t.test('commit(maxBytes) measures the state exactly from the touched keys, and refuses growth past the bound', async (t) => {
  const raw: Record<string, unknown> = { count: 1, items: ['a'], meta: { n: 1 }, gone: 'x' };
  const tracked = trackState(raw);
  const steps: Array<(s: Record<string, unknown>) => void> = [
    (s) => { s.count = 12345; },
    (s) => { (s.items as string[]).push('ü ✓ "quoted"'); },
    (s) => { delete s.gone; },
    (s) => { s.added = { deep: [1, 2, null] }; },
    (s) => { s.maybe = undefined; },
    (s) => { (s.meta as { n: number }).n = 100; s.count = 0; },
    (s) => { for (const key of Object.keys(s)) delete s[key]; s.only = true; },
  ];
  for (const [i, step] of steps.entries()) {
    // One byte too few refuses the change and leaves the state as it was …
    const before = JSON.stringify(raw);
    tracked.begin();
    step(tracked.proxy);
    const exact = JSON.stringify(raw).length;
    try {
      tracked.commit(exact - 1);
      t.fail(`step ${i}: a state of ${exact} bytes passed a bound of ${exact - 1}`);
    } catch (error) {
      t.equal((error as { code?: string }).code, 'LV_STATE_OVER_LIMIT', `step ${i}: refused`);
      tracked.rollback();
    }
    t.equal(JSON.stringify(raw), before, `step ${i}: rolled back to the last good state`);
    // … the exact length passes.
    tracked.begin();
    step(tracked.proxy);
    tracked.commit(exact);
    t.equal(JSON.stringify(raw).length, exact, `step ${i}: committed at exactly ${exact} bytes`);
  }
});

t.test('check(maxBytes) leaves the record open: a refused store still rolls back, an accepted one commits', async (t) => {
  const raw = { items: ['a'] as string[], n: 1 };
  const tracked = trackState(raw);
  tracked.begin();
  tracked.proxy.items.push('b');
  tracked.proxy.n = 2;
  tracked.check(1000);
  tracked.rollback(); // e.g. the tenant's budget refused the save (D36)
  t.same(raw, { items: ['a'], n: 1 }, 'checked, then undone exactly');
  tracked.begin();
  tracked.proxy.items.push('c');
  tracked.check(1000);
  tracked.commit();
  t.same(raw, { items: ['a', 'c'], n: 1 });
  tracked.begin();
  tracked.proxy.items.push('x'.repeat(100));
  t.throws(() => tracked.check(JSON.stringify(raw).length - 1), { code: 'LV_STATE_OVER_LIMIT' }, 'the length check counted the committed change');
  tracked.rollback();
  t.same(raw, { items: ['a', 'c'], n: 1 });
});

t.test('arrays at root keys are tracked element by element (D61)', async (t) => {
  const tracked = trackState<Record<string, any>>({ rows: [{ n: 1 }, { n: 2 }, { n: 3 }], tags: ['a', 'b'], n: 1 });
  const state = tracked.proxy;
  t.equal(state.rows.length, 3);
  t.equal(state.tags[0], 'a');
  t.ok(Array.isArray(state.rows), 'the proxy is an array');
  t.same([...tracked.changed], [], 'length and primitive elements mark nothing');
  state.rows[1].n += 1;
  t.same([...tracked.changed], ['rows']);
  t.same([...tracked.changedItems!.get('rows')!], [1], 'an element read as an object is marked, not the list');
  void state.rows[2];
  t.same([...tracked.changedItems!.get('rows')!], [1, 2]);
  state.rows.push({ n: 4 });
  t.equal(tracked.changedItems!.has('rows'), false, 'a write to the array marks the whole key');
  void state.rows[0];
  t.equal(tracked.changedItems!.has('rows'), false, '… which stays whole until the diff');
  state.tags[1] = 'c';
  t.equal(tracked.changedItems!.has('tags'), false, 'an index write is a write to the array');
  tracked.clearChanges();
  t.same([...tracked.changed], []);
  t.equal(tracked.changedItems, undefined);
  void state.rows[0].n;
  t.same([...tracked.changedItems!.get('rows')!], [0], 'after the diff, element-wise again');
  state.rows = [{ n: 9 }];
  t.equal(tracked.changedItems!.has('rows'), false, 'replacing the key marks it whole');
  t.equal(JSON.stringify(state.rows), '[{"n":9}]', 'JSON through the proxy');
});

t.test('array proxies keep one identity per handler and are stored as the array itself', async (t) => {
  const tracked = trackState<Record<string, any>>({ rows: [{ n: 1 }] });
  const state = tracked.proxy;
  tracked.begin();
  t.equal(state.rows, state.rows, 'the same proxy within a handler');
  state.copy = state.rows;
  t.equal(tracked.raw.copy, tracked.raw.rows, 'storing the proxy stores the array, not the proxy');
  state.nested = [];
  state.nested.push(state.rows);
  t.equal(tracked.raw.nested[0], tracked.raw.rows, 'also into another tracked array');
  tracked.commit();
});

t.test('rollback undoes element-wise changes in place, whatever moved', async (t) => {
  const a = { id: 'a', tags: ['x'] };
  const b = { id: 'b', tags: [] as string[] };
  const c = { id: 'c', tags: [] as string[] };
  const rows = [a, b, c];
  const tracked = trackState<Record<string, any>>({ rows });
  const state = tracked.proxy;
  state.rows[0].id = 'A'; // before the handler, not yet diffed
  tracked.begin();
  state.rows[1].tags.push('y');
  state.rows.splice(0, 1); // b moves to index 0
  state.rows[0].id = 'B';
  state.rows.reverse();
  state.rows[0].extra = true;
  state.rows.push({ id: 'd' });
  tracked.rollback();
  t.equal(tracked.raw.rows, rows, 'the same array');
  t.same(rows, [{ id: 'A', tags: ['x'] }, { id: 'b', tags: [] }, { id: 'c', tags: [] }], 'exactly as at begin');
  t.ok(rows[0] === a && rows[1] === b && rows[2] === c, 'each element keeps its identity');
  t.same([...tracked.changed], ['rows'], 'the change from before the handler is still to diff');
  t.same([...tracked.changedItems!.get('rows') ?? ['whole']], ['whole'], 'marked whole: the handler wrote to the array, and over-marking is safe');
  tracked.clearChanges();
  tracked.begin();
  state.rows[2].id = 'C';
  tracked.rollback();
  t.equal(c.id, 'c');
  t.same([...tracked.changed], [], 'an undone element-wise change leaves nothing to diff');
});

t.test('random handlers on arrays: rollback restores exactly; the length check is exact', async (t) => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (n: number) => Math.floor(random() * n);
  const raw: Record<string, any> = { rows: Array.from({ length: 12 }, (_, i) => ({ id: i, s: 'é'.repeat(i % 3), tags: [i] })), n: 1 };
  const tracked = trackState(raw);
  const ops: Array<(s: Record<string, any>) => void> = [
    (s) => { if (s.rows.length) s.rows[pick(s.rows.length)].s += '"✓"'; },
    (s) => { if (s.rows.length) (s.rows[pick(s.rows.length)].tags ??= []).push(pick(1000)); },
    (s) => { if (s.rows.length) delete s.rows[pick(s.rows.length)].s; },
    (s) => { s.rows.splice(pick(s.rows.length), 1); },
    (s) => { s.rows.splice(pick(s.rows.length), 0, { id: pick(99), s: 'new' }); },
    (s) => { s.rows[pick(s.rows.length)] = { id: -1 }; },
    (s) => { s.rows.sort((x: any, y: any) => x.id - y.id); },
    (s) => { s.rows = s.rows.slice(1); },
    (s) => { s.n += 1; },
    (s) => { void s.rows.find((r: any) => r.id === pick(12)); },
  ];
  let checked = 0;
  for (let run = 0; run < 300; run++) {
    if (raw.rows.length < 4) {
      tracked.begin();
      tracked.proxy.rows.push(...Array.from({ length: 8 }, (_, i) => ({ id: 100 + i, s: '' })));
      tracked.commit(1_000_000);
    }
    const before = JSON.stringify(raw);
    tracked.begin();
    for (let k = 1 + pick(4); k > 0; k--) ops[pick(ops.length)](tracked.proxy);
    const exact = JSON.stringify(raw).length;
    if (random() < 0.5) {
      t.throws(() => tracked.check(exact - 1), { code: 'LV_STATE_OVER_LIMIT' }, `run ${run}: measured at least ${exact} bytes`);
      tracked.rollback();
      if (JSON.stringify(raw) !== before) t.fail(`run ${run}: rollback left ${JSON.stringify(raw)}, not ${before}`);
    } else {
      tracked.commit(exact);
      try {
        tracked.check(exact - 1);
        t.fail(`run ${run}: ${exact} bytes passed a bound of ${exact - 1}`);
      } catch {
        checked++;
      }
      tracked.commit();
    }
    tracked.clearChanges();
  }
  t.ok(checked > 100, `${checked} committed handlers measured exactly`);
});

t.test('an idle state holds no changed-set of its own, and marks never leak between states (D68)', async (t) => {
  const a = trackState<Record<string, unknown>>({ n: 1 });
  const b = trackState<Record<string, unknown>>({ n: 1 });
  t.equal(a.changed.size, 0);
  a.proxy.n = 2;
  t.same([...a.changed], ['n']);
  t.same([...b.changed], [], 'the other state saw nothing');
  a.clearChanges();
  t.same([...a.changed], []);
  a.mark('errors');
  t.same([...a.changed], ['errors'], 'a name that is not a state key can be marked');
  t.same([...b.changed], [], 'still nothing on the other');
  b.changed.clear(); // what a shared push does to a state with nothing marked: harmless
  b.proxy.n = 3;
  t.same([...b.changed], ['n']);
  t.same([...a.changed], ['errors']);
});
