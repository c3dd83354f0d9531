/**
 * A socket's view table keeps its first view in fields and makes a Map from the second (D68):
 * both forms answer alike, in join order.
 */
import t from 'tap';
import { ViewTable } from '../../server/live/view-table.ts';

t.test('one view, then several, then fewer: the same answers as a Map', async (t) => {
  const table = new ViewTable<string>();
  const map = new Map<number, string>();
  const same = (what: string) => {
    t.equal(table.size, map.size, `${what}: size`);
    t.same([...table.values()], [...map.values()], `${what}: values in join order`);
    for (const vid of [1, 2, 3, 4]) t.equal(table.get(vid), map.get(vid), `${what}: get(${vid})`);
    for (const vid of [1, 2, 3, 4]) t.equal(table.has(vid), map.has(vid), `${what}: has(${vid})`);
  };
  same('empty');
  t.equal(table.delete(1), map.delete(1), 'deleting from an empty table');
  table.set(2, 'b'); map.set(2, 'b');
  same('one view');
  t.equal(table.delete(1), map.delete(1), 'deleting another vid leaves the one view');
  table.set(2, 'b2'); map.set(2, 'b2');
  same('the one view replaced');
  table.set(1, 'a'); map.set(1, 'a');
  table.set(3, 'c'); map.set(3, 'c');
  same('three views');
  t.equal(table.delete(2), map.delete(2), 'deleting one of three');
  same('two left');
  t.equal(table.delete(1), map.delete(1));
  t.equal(table.delete(3), map.delete(3));
  same('all gone');
  table.set(4, 'd'); map.set(4, 'd');
  same('joined again');
});

t.test('values() can be iterated while views leave (drain, end)', async (t) => {
  const table = new ViewTable<string>();
  table.set(1, 'a');
  const seen: string[] = [];
  for (const view of table.values()) {
    seen.push(view);
    table.delete(1);
  }
  t.same(seen, ['a']);
  t.equal(table.size, 0);
});
