/**
 * The projects board is tenant-scoped: what acme adds, acme's tabs see (live, through
 * notify-on-save), and globex never does.
 */
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const app = await createTestApp(exampleApp);
t.teardown(() => app.close());

const ACME = { id: 'acme', name: 'Acme Corp', settings: { primaryColor: '#d9480f', plan: 'pro' } };
const projects = (view: { findAll(s: string): Array<{ text: string }> }) => view.findAll('#projects li').map((li) => li.text);

t.test('a tenant adds a project through the form; another tenant does not see it', async (t) => {
  const acme = await app.mount('/projects', { tenant: ACME });
  t.equal(acme.find('#tenant-name')?.text, 'Acme Corp');
  t.match(acme.find('#tenant-name')?.getAttribute('style'), '#d9480f');
  t.equal(acme.find('.empty')?.text, 'No projects yet.');

  await acme.submit('form', { name: 'Rocket Skates' });
  t.same(projects(acme), ['Rocket Skates']);
  t.equal(acme.find('.empty'), null);

  const globex = await app.mount('/projects', { tenant: 'globex' });
  t.equal(globex.find('#tenant-name')?.text, 'globex');
  t.same(projects(globex), [], 'globex sees none of acme\'s projects');
  await acme.submit('form', { name: 'Giant Magnet' });
  t.same(projects(acme), ['Rocket Skates', 'Giant Magnet']);
  t.same(projects(globex), [], 'nor later ones');
  t.same([...acme.errors, ...globex.errors], []);
  await Promise.all([acme.close(), globex.close()]);
});

t.test('another acme tab sees additions live and counts who is here', async (t) => {
  const one = await app.mount('/projects', { tenant: ACME });
  const two = await app.mount('/projects', { tenant: ACME });
  await one.waitFor(() => one.find('#presence')?.text === '2');
  t.pass('both tabs are on the board');
  const before = projects(two).length;
  await one.submit('form', { name: 'Tornado Seeds' });
  await two.waitFor(() => projects(two).length === before + 1);
  t.equal(projects(two).at(-1), 'Tornado Seeds', 'the other tab re-rendered from the save notification');
  await one.click('button[lv-click=wave]');
  await two.waitFor(() => two.find('#waves')?.text === '1');
  t.pass('a broadcast wave reached the other tab');
  await Promise.all([one.close(), two.close()]);
});

t.test('an empty name is refused with a message, and nothing is added', async (t) => {
  const view = await app.mount('/projects', { tenant: 'initech' });
  await view.submit('form', { name: '   ' });
  t.equal(view.find('.error')?.text, 'Give the project a name.');
  t.same(projects(view), []);
  await view.close();
});
