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
  t.equal(findNonPlainValue({ a: [1, 'x', true, null, { b: undefined }] }), null);
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
