import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const app = await createTestApp(exampleApp);
t.teardown(() => app.close());

const names = (view: { findAll(s: string): Array<{ text: string }> }) => view.findAll('#results li').map((li) => li.text);

t.test('/search narrows the list as the user types, and widens it again', async (t) => {
  const view = await app.mount('/search');
  t.equal(names(view).length, 600);
  await view.change('input[name=q]', { q: 'rav' });
  t.equal(names(view).length, 25);
  t.ok(names(view).every((name) => name.includes('rav')), 'every result matches');
  t.equal(view.find('#summary')?.text, '25 of 600 items');
  await view.change('input[name=q]', { q: 'zzz' });
  t.equal(names(view).length, 0);
  t.equal(view.find('.empty')?.text, 'Nothing matches “zzz”.');
  await view.change('input[name=q]', { q: '' });
  t.equal(names(view).length, 600);
  t.equal(view.find('.empty'), null);
  await view.close();
});

t.test('a query over the schema\'s limit is refused and changes nothing', async (t) => {
  const view = await app.mount('/search');
  await view.change('input[name=q]', { q: 'x'.repeat(201) });
  t.same(view.errors.map((e) => e.code), ['LV_EVENT_PAYLOAD_INVALID']);
  t.equal(names(view).length, 600);
  await view.close();
});

t.test('the query lives in the URL: /search?q= renders filtered, and typing patches the URL in place', async (t) => {
  const view = await app.mount('/search?q=rav');
  t.equal(names(view).length, 25, 'the first paint is already filtered');
  t.equal(view.find('input[name=q]')?.getAttribute('value'), 'rav');
  await view.change('input[name=q]', { q: 'rave' });
  t.equal(view.url, '/search?q=rave');
  t.same(view.history, ['/search?q=rave'], 'typing replaces the entry: no entry per keystroke');
  await view.change('input[name=q]', { q: '' });
  t.equal(view.url, '/search');
  t.equal(names(view).length, 600);
  await view.close();
});
