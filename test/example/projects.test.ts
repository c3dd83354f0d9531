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

t.test('the board\'s order and page come from the query string (lv-patch links)', async (t) => {
  const view = await app.mount('/projects', { tenant: 'umbrella' });
  for (const name of ['Charlie', 'Alpha', 'Bravo']) await view.submit('form', { name });
  t.same(projects(view), ['Charlie', 'Alpha', 'Bravo'], 'oldest first by default');
  await view.clickLink('#sort-name');
  t.equal(view.url, '/projects?sort=name');
  t.same(projects(view), ['Alpha', 'Bravo', 'Charlie']);
  await view.clickLink('#sort-newest');
  t.same(projects(view), ['Bravo', 'Alpha', 'Charlie']);
  await view.back();
  t.same(projects(view), ['Alpha', 'Bravo', 'Charlie'], 'back: the previous order');
  for (let i = 0; i < 20; i++) await view.submit('form', { name: `Project ${String(i).padStart(2, '0')}` });
  t.equal(view.find('#pages')?.text.replace(/\s+/g, ' ').trim(), 'Page 1 of 2 Next');
  await view.clickLink('#next-page');
  t.equal(view.url, '/projects?sort=name&page=2');
  t.same(projects(view), ['Project 17', 'Project 18', 'Project 19'], 'twenty-three projects, twenty a page');
  const bookmarked = await app.mount('/projects?sort=name&page=2', { tenant: 'umbrella' });
  t.same(projects(bookmarked), ['Project 17', 'Project 18', 'Project 19'], 'the same URL renders the same page');
  t.same([...view.errors, ...bookmarked.errors], []);
  await Promise.all([view.close(), bookmarked.close()]);
});

t.test('a project\'s page, reached by lv-navigate from the board; the back button returns to the board', async (t) => {
  const view = await app.mount('/projects', { tenant: 'hooli' });
  await view.submit('form', { name: 'Nucleus' });
  t.same(view.flash, { info: 'Added “Nucleus”.' });
  await view.clickLink('#projects li:first-child a');
  t.equal(view.name, 'ProjectView');
  t.match(view.url, /^\/projects\/[\w-]+$/);
  t.equal(view.find('#project-name')?.text, 'Nucleus');
  t.equal(view.title, 'Nucleus · Livery');
  t.same(view.flash, { info: 'Added “Nucleus”.' }, 'the flash came along one navigation');
  await view.back();
  t.equal(view.name, 'ProjectsView');
  t.same(projects(view), ['Nucleus']);
  t.same(view.flash, {}, 'and no further');
  await view.forward();
  await view.clickLink('#back-to-board');
  t.equal(view.url, '/projects');
  t.same(view.errors, []);
  await view.close();
});

t.test('another tenant\'s project id is "not found": back to the board, with a message', async (t) => {
  const acme = await app.mount('/projects', { tenant: 'acme' });
  await acme.submit('form', { name: 'Secret Plans' });
  const acmeProject = acme.find('#projects li:last-child a')!.getAttribute('href')!;
  await acme.close();
  const globex = await app.mount(`/${acmeProject}`, { tenant: 'globex' });
  t.equal(globex.name, 'ProjectsView', 'redirected to globex\'s board');
  t.equal(globex.url, '/projects');
  t.same(globex.flash, { error: 'That project does not exist (or belongs to another team).' });
  await globex.navigate(`/${acmeProject}`);
  t.equal(globex.name, 'ProjectsView', 'over the socket too');
  t.same(globex.flash, { error: 'That project does not exist (or belongs to another team).' });
  await globex.close();
});

t.test('the name is validated as it is typed, and the message shows only once the field was used', async (t) => {
  const view = await app.mount('/projects', { tenant: 'stark' });
  t.equal(view.find('#name-error'), null, 'no message before typing');
  await view.change('input[name=name]', { name: 'R' });
  t.same(view.fieldErrors(), {});
  t.equal(view.find('input[name=name]')?.getAttribute('value'), 'R', 'the draft is kept and rendered');
  await view.change('input[name=name]', { name: '  ' });
  t.equal(view.find('#name-error')?.text, 'Give the project a name.');
  await view.change('input[name=name]', { name: 'x'.repeat(201) });
  t.equal(view.find('#name-error')?.text, 'Keep the name under 200 characters.');
  await view.submit('form', { name: 'Road Runner Trap' });
  t.same(projects(view), ['Road Runner Trap']);
  t.equal(view.find('#name-error'), null);
  t.equal(view.find('input[name=name]')?.getAttribute('value'), '', 'the form renders an empty draft after the add');
  await view.close();
});

t.test('the board summary loads in the background and follows saves', async (t) => {
  const view = await app.mount('/projects', { tenant: 'wayne' });
  await view.awaitAsync();
  t.equal(view.find('#project-total')?.text, '0');
  t.equal(view.find('.loading'), null);
  await view.submit('form', { name: 'T-Virus' });
  await view.waitFor(() => view.find('#project-total')?.text === '1');
  t.equal(view.find('#newest')?.text, 'T-Virus');
  t.same(view.errors, []);
  await view.close();
});
