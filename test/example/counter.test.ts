import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const app = await createTestApp(exampleApp);
t.teardown(() => app.close());

t.test('/counter: + three times shows 3, - takes one off', async (t) => {
  const view = await app.mount('/counter');
  t.equal(view.find('#count')?.text, '0');
  for (let i = 0; i < 3; i++) await view.click('button[lv-click=inc]');
  t.equal(view.find('#count')?.text, '3');
  await view.click('button[lv-click=dec]');
  t.equal(view.find('#count')?.text, '2');
  t.same(view.errors, []);
  await view.close();
});

t.test('each tab counts on its own', async (t) => {
  const one = await app.mount('/counter');
  const two = await app.mount('/counter');
  await one.click('button[lv-click=inc]');
  t.equal(one.find('#count')?.text, '1');
  t.equal(two.find('#count')?.text, '0');
  await Promise.all([one.close(), two.close()]);
});

