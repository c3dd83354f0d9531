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
