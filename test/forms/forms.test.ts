/**
 * Forms through the test client (docs/forms.md): payload issues become the view's field errors,
 * shown for used fields only; a refused payload fails the event with LV_EVENT_PAYLOAD_INVALID
 * and changes no state; a valid one clears its fields' messages and runs the handler.
 */
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { formsApp } from './fixtures/views.ts';

const app = await createTestApp(formsApp);
t.teardown(() => app.close());

const tasks = (view: { findAll(s: string): Array<{ text: string }> }) => view.findAll('#tasks li').map((li) => li.text);
const codes = (view: { errors: ReadonlyArray<{ code: string }> }) => view.errors.map((e) => e.code);

t.test('typing validates the form; only the fields typed in show their message', async (t) => {
  const view = await app.mount('/tasks');
  t.same(view.fieldErrors(), {}, 'nothing shown before the user types');

  await view.change('#task input[name=title]', { title: ' ' });
  t.same(view.fieldErrors(), { title: 'Give the task a title.' }, 'the title was typed in; due was not, so its message waits');
  t.equal(view.find('#title-error')?.text, 'Give the task a title.', 'the template shows it beside the field');
  t.equal(view.find('#due-error'), null);
  t.same(codes(view), ['LV_EVENT_PAYLOAD_INVALID'], 'the event failed with the registry code');

  await view.change('#task input[name=title]', { title: 'Buy milk' });
  t.same(view.fieldErrors(), {}, 'a valid title clears its message, though the form is still invalid (due)');
  t.equal(view.find('#title-error'), null);

  await view.change('#task input[name=due]', { due: 'tomorrow' });
  t.same(view.fieldErrors(), { due: 'Use YYYY-MM-DD.' }, 'due now used: its message shows');

  await view.change('#task input[name=due]', { due: '2026-12-24' });
  t.same(view.fieldErrors(), {});
  t.equal(view.find('input[name=title]')?.getAttribute('value'), 'Buy milk', 'validate kept the draft, which the form renders');
  t.same(codes(view), ['LV_EVENT_PAYLOAD_INVALID', 'LV_EVENT_PAYLOAD_INVALID', 'LV_EVENT_PAYLOAD_INVALID'], 'the last change was valid');
  await view.close();
});

t.test('a submit shows every message; a refused submit changes no state', async (t) => {
  const view = await app.mount('/tasks');
  await view.submit('#task', { title: '', due: '' });
  t.same(view.fieldErrors(), { title: 'Give the task a title.', due: 'Use YYYY-MM-DD.' }, 'submitting uses every field');
  t.same(tasks(view), []);
  t.same(codes(view), ['LV_EVENT_PAYLOAD_INVALID']);

  await view.change('#task input[name=title]', { title: 'Call Bob' });
  t.same(view.fieldErrors(), { due: 'Use YYYY-MM-DD.' }, 'after a refused submit every field stays used');

  await view.submit('#task', { title: 'Call Bob', due: '2026-01-02' });
  t.same(tasks(view), ['Call Bob']);
  t.same(view.fieldErrors(), {}, 'a valid submit clears the messages');
  t.equal(view.find('input[name=title]')?.getAttribute('value'), '', 'the handler reset the draft the form renders');

  await view.change('#task input[name=title]', { title: '' });
  t.same(view.fieldErrors(), { title: 'Give the task a title.' }, 'after a successful submit the form starts over: due is unused again');
  await view.close();
});

t.test('the view refuses a submit itself and keeps what the user typed by rendering it', async (t) => {
  const view = await app.mount('/tasks');
  await view.submit('#task', { title: 'Once', due: '2026-01-01' });
  await view.submit('#task', { title: 'Once', due: '2026-01-01' });
  t.same(tasks(view), ['Once'], 'no duplicate');
  t.equal(view.find('#taken')?.text, '"Once" is already on the list.');
  t.equal(view.find('input[name=title]')?.getAttribute('value'), 'Once', 'the form shows the draft again');
  t.same(view.errors, [], 'not an error of the page');
  await view.close();
});

t.test('a message about the whole payload is `errors.form`, shown once every field was used', async (t) => {
  const view = await app.mount('/tasks');
  await view.change('#password input[name=password]', { password: 'long enough' });
  t.same(view.fieldErrors(), {}, 'the passwords differ, but "again" is unused');
  await view.change('#password input[name=again]', { again: 'different' });
  t.same(view.fieldErrors(), { form: 'The passwords differ.' });
  t.equal(view.find('#form-error')?.text, 'The passwords differ.');
  await view.change('#password input[name=again]', { again: 'long enough' });
  t.same(view.fieldErrors(), {});
  await view.close();
});

t.test('the view reads the same errors; each form\'s event replaces only its own fields', async (t) => {
  const view = await app.mount('/tasks');
  await view.submit('#task', { title: '', due: '2026-01-01' });
  await view.change('#password input[name=password]', { password: 'short' });
  t.same(view.fieldErrors(), { title: 'Give the task a title.', password: 'At least 8 characters.' }, 'each form\'s event replaced only its own fields');
  await view.event('peek');
  t.same(JSON.parse(view.find('#seen')!.text.replaceAll('&quot;', '"')), view.fieldErrors(), 'this.errors is what the template shows');
  await view.close();
});

t.test('_unused is Livery\'s: never validated, never handed to the handler; a malformed one hides nothing', async (t) => {
  const view = await app.mount('/tasks');
  await view.event('validate', { title: '', due: 'x', _unused: 'due' });
  t.same(view.fieldErrors(), { title: 'Give the task a title.', due: 'Use YYYY-MM-DD.' }, 'not a list: every message shows');
  await view.event('validate', { title: 'ok', due: '2026-01-01', _unused: ['title', 7] });
  t.equal(view.find('input[name=title]')?.getAttribute('value'), 'ok', 'the handler ran with the payload minus _unused');
  t.same(view.fieldErrors(), {});
  await view.close();
});

t.test('field names cannot reach the errors map\'s prototype', async (t) => {
  const view = await app.mount('/tasks');
  // Sent raw: JSON.parse makes "__proto__" and "constructor" own keys of the payload.
  await view.event('validate', JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "title": "", "due": ""}'));
  const errors = view.fieldErrors();
  t.equal(Object.getPrototypeOf({}).polluted, undefined, 'Object.prototype untouched');
  t.same(errors, { title: 'Give the task a title.', due: 'Use YYYY-MM-DD.' });
  await view.close();
});
