/**
 * The view side of streams (D82): `static streams` is checked at startup (livery.C072); the
 * helpers key every item before a stream changes, refuse unknown names and bad options with their
 * codes, keep a batch's order at any `at`, and hold only the operations since the last render.
 */
import t from 'tap';
import { LiveView, route, StartupError } from '../../server/index.ts';
import { Stream } from '../../server/diff/index.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { STREAMS } from '../../server/view/live-view.ts';
import { FIXTURE_TEMPLATES } from '../live/harness.ts';

class Chat extends LiveView<object> {
  static template = 'chat.html';
  static streams = { messages: {}, people: { key: (p: { email?: string }) => p.email } };
  mount() {
    return {};
  }
}

const codeOf = (fn: () => void) => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

const pending = (view: Chat, name: string) => Stream.fresh(view[STREAMS]!.byName[name].batch()).map(([key]) => key);

t.test('C072: a bad stream declaration stops startup', async (t) => {
  class Bad extends LiveView<object> {
    static template = 'chat.html';
    static streams = { 'not a name': {}, keyed: { key: 'id' }, nothing: null } as never;
    mount() {
      return {};
    }
  }
  try {
    const app = await createTestApp({ routes: [route('/bad', Bad)], templatesDir: FIXTURE_TEMPLATES });
    await app.close();
    t.fail('started');
  } catch (error) {
    t.ok(error instanceof StartupError);
    const problems = (error as StartupError).problems.filter((p) => p.id === 'livery.C072').map((p) => p.detail);
    t.equal(problems.length, 3, problems.join('\n'));
    t.match(problems.join('\n'), /"not a name": the name must be an identifier[\s\S]*"keyed": key must be a function[\s\S]*"nothing": declare it/);
  }
});

t.test('keys, names and options are checked before a stream changes', async (t) => {
  const view = new Chat();
  view.stream('messages', [{ id: 1 }, { id: 'b' }]);
  t.same(pending(view, 'messages'), ['1', 'b']);
  t.equal(codeOf(() => view.stream('messages', [{ id: 2 }, { text: 'no id' }])), 'LV_STREAM_ITEM_KEY');
  t.equal(codeOf(() => view.streamInsert('messages', { id: '' })), 'LV_STREAM_ITEM_KEY', 'an empty key is no key');
  t.equal(codeOf(() => view.streamInsert('messages', { id: { nested: 1 } })), 'LV_STREAM_ITEM_KEY');
  t.equal(codeOf(() => view.streamInsert('people', { id: 1 })), 'LV_STREAM_ITEM_KEY', 'a declared key function is used, not id');
  t.same(pending(view, 'messages'), ['1', 'b'], 'a batch with a keyless item inserted nothing');
  t.equal(codeOf(() => view.streamInsert('nosuch', { id: 1 })), 'LV_STREAM_UNKNOWN');
  t.equal(codeOf(() => view.streamDelete('constructor', 1)), 'LV_STREAM_UNKNOWN', 'names are own keys only');
  t.equal(codeOf(() => view.streamInsert('messages', { id: 3 }, { at: -2 })), 'LV_STREAM_OPTIONS_INVALID');
  t.equal(codeOf(() => view.streamInsert('messages', { id: 3 }, { at: 1.5 })), 'LV_STREAM_OPTIONS_INVALID');
  t.equal(codeOf(() => view.stream('messages', [{ id: 3 }], { limit: Number.NaN })), 'LV_STREAM_OPTIONS_INVALID');
});

t.test('a batch keeps its order wherever it lands; reset, replace, delete and limit coalesce', async (t) => {
  const view = new Chat();
  view.stream('messages', [{ id: 1 }, { id: 2 }, { id: 3 }], { at: 0 });
  t.same(pending(view, 'messages'), ['1', '2', '3'], 'at: 0 prepends the items first item first');
  view.stream('messages', [{ id: 4 }, { id: 5 }], { at: 1 });
  t.same(pending(view, 'messages'), ['1', '4', '5', '2', '3']);
  view.streamDelete('messages', { id: 4 });
  view.streamInsert('messages', { id: 6 }, { limit: -3 });
  // Deletes apply before inserts: 5 is placed at index 2 of a list that never held 4.
  t.same(pending(view, 'messages'), ['5', '3', '6']);
  view.stream('messages', [{ id: 7 }], { reset: true });
  t.same(pending(view, 'messages'), ['7'], 'a reset drops what came before it');
  const batch = view[STREAMS]!.byName.messages.batch();
  t.same([batch.reset, batch.deletes], [true, []]);
  view[STREAMS]!.clear();
  t.notOk(view[STREAMS]!.pending, 'cleared after a render: nothing held');
  t.same([...view[STREAMS]!.byName.messages], [], 'iterates nothing once sent');
});

t.test('a handler\'s operations are undone with it', async (t) => {
  const view = new Chat();
  const streams = () => view[STREAMS]!;
  view.streamInsert('messages', { id: 1 });
  streams().begin();
  view.streamInsert('messages', { id: 2 });
  view.streamInsert('people', { email: 'a@x' });
  streams().rollback();
  t.same(pending(view, 'messages'), ['1'], 'what was pending before the handler stays');
  t.same(pending(view, 'people'), []);
});
