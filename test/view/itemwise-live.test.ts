/**
 * Item-wise re-renders (D61) through the whole live path: a mounted view whose handlers change
 * list elements in place, write the list, change an outer value the items read, or throw after
 * changing an element. After every event the browser's HTML (the test client merges the frames
 * with `client/rendered.ts`) must be a fresh render of the state the view should have.
 */
import t from 'tap';
import { z } from 'zod';
import { LiveView, route } from '../../server/index.ts';
import { compileTemplate, createScope, renderToString } from '../../server/template/index.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { readFileSync } from 'node:fs';

interface Row { id: number; name: string; n: number; done: boolean }
interface State { rows: Row[]; unit: string }

const initial = (): State => ({ rows: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `row ${i}`, n: 0, done: false })), unit: '' });
const at = z.object({ i: z.number().int().min(0) });

/** Each event mirrors one kind of handler; `apply` below does the same to the expected state. */
class RowsView extends LiveView<State> {
  static template = 'rows.html';
  static events = { bump: at, toggle: at, insert: at, remove: at, unit: z.object({ unit: z.string() }), fail: at };
  mount() { return initial(); }
  bump({ i }: { i: number }) { this.state.rows[i].n += 1; }
  toggle({ i }: { i: number }) { const row = this.state.rows[i]; row.done = !row.done; }
  insert({ i }: { i: number }) { this.state.rows.splice(i, 0, { id: 1000 + i, name: 'new', n: 0, done: false }); }
  remove({ i }: { i: number }) { this.state.rows.splice(i, 1); }
  unit({ unit }: { unit: string }) { this.state.unit = unit; }
  fail({ i }: { i: number }) { this.state.rows[i].n += 100; throw new Error('fails after changing a row'); }
}

function apply(state: State, event: string, payload: { i?: number; unit?: string }): void {
  const i = payload.i ?? 0;
  if (event === 'bump') state.rows[i].n += 1;
  if (event === 'toggle') state.rows[i].done = !state.rows[i].done;
  if (event === 'insert') state.rows.splice(i, 0, { id: 1000 + i, name: 'new', n: 0, done: false });
  if (event === 'remove') state.rows.splice(i, 1);
  if (event === 'unit') state.unit = payload.unit!;
}

const templatesDir = new URL('./fixtures/rows/', import.meta.url);
const app = await createTestApp({ routes: [route('/rows', RowsView)], templatesDir });
t.teardown(() => app.close());
const template = compileTemplate(readFileSync(new URL('rows.html', templatesDir), 'utf8'), { name: 'rows.html' });
const expected = (state: State) => renderToString(template, createScope(state as unknown as Record<string, unknown>));

t.test('every kind of change shows exactly, whichever pass the diff took', async (t) => {
  const view = await app.mount('/rows');
  const state = initial();
  const steps: Array<[string, { i?: number; unit?: string }]> = [
    ['bump', { i: 7 }], ['bump', { i: 7 }], ['toggle', { i: 30 }], ['fail', { i: 7 }], ['bump', { i: 39 }],
    ['insert', { i: 3 }], ['bump', { i: 3 }], ['toggle', { i: 4 }], ['unit', { unit: ' kg' }], ['bump', { i: 0 }],
    ['remove', { i: 10 }], ['fail', { i: 2 }], ['toggle', { i: 10 }], ['bump', { i: 20 }], ['toggle', { i: 20 }],
  ];
  for (const [n, [event, payload]] of steps.entries()) {
    await view.event(event, payload);
    apply(state, event, payload);
    t.equal(view.find('#rows')!.outerHTML, expected(state).trim(), `step ${n}: ${event} ${JSON.stringify(payload)}`);
  }
  t.same(view.errors.map((e) => e.code), ['LV_HANDLER_FAILED', 'LV_HANDLER_FAILED'], 'the failing handlers were refused and undone');
  await view.close();
});
