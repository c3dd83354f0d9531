import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../server/testing/index.ts';
import app from './example-app.ts';

// One server (and one in-memory database) for the whole file; each test mounts its own views.
let server: TestApp;
before(async () => { server = await createTestApp(app); });
after(() => server.close());

test('the counter counts clicks', async () => {
  const view = await server.mount('/counter');
  await view.click('button[lv-click=inc]');
  await view.click('button[lv-click=inc]');
  assert.equal(view.find('#count')?.text, '2');
  await view.close();
});

test('the search narrows as the user types', async () => {
  const view = await server.mount('/search');
  await view.change('input[name=q]', { q: 'rav' });
  assert.equal(view.find('#summary')?.text, '25 of 600 items');
  await view.close();
});

test('projects belong to their tenant', async () => {
  const acme = await server.mount('/projects', { tenant: 'acme' });
  await acme.submit('form', { name: 'Rocket Skates' });
  assert.deepEqual(acme.findAll('#projects li').map((li) => li.text), ['Rocket Skates']);

  const globex = await server.mount('/projects', { tenant: 'globex' });
  assert.equal(globex.find('.empty')?.text, 'No projects yet.');
  await Promise.all([acme.close(), globex.close()]);
});

test('a second tab sees a new project without reloading', async () => {
  const one = await server.mount('/projects', { tenant: 'initech' });
  const two = await server.mount('/projects', { tenant: 'initech' });
  await one.submit('form', { name: 'TPS reports' });
  await two.waitFor(() => two.findAll('#projects li').length === 1);
  await Promise.all([one.close(), two.close()]);
});

test('the clock shows the time of its latest tick', async () => {
  const view = await server.mount('/clock');
  await view.tick();
  assert.match(view.find('#clock')?.text ?? '', /^\d\d:\d\d:\d\d$/);
  await view.close();
});

test('the home page shows the server time in a nested clock view', async () => {
  const home = await server.mount('/');
  const clock = home.nested('clock'); // {% live "ClockBadgeView" id="clock" %} in home.html
  await clock.tick();
  assert.match(clock.find('time')?.text ?? '', /^\d\d:\d\d:\d\d$/);
  assert.equal(home.find('time'), null); // the page's HTML holds the clock's container, not its content
  await home.close();
});
