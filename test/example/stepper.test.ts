/**
 * The example home page's live component (D80): the Stepper has its own step and events
 * (`lv-target`), adds its step to the page's total (`sendParent` → `handleComponentMessage`), and
 * both survive a reconnect.
 */
import t from 'tap';
import { createTestApp } from '../../server/testing/index.ts';
import { exampleApp } from './example-app.ts';

const app = await createTestApp(exampleApp);
t.teardown(() => app.close());

t.test('the home page\'s Stepper: its own step, added to the page\'s total', async (t) => {
  const view = await app.mount('/');
  t.equal(view.find('#step')?.text, '2');
  await view.click('#stepper button[lv-click=bigger]');
  t.equal(view.find('#step')?.text, '3');
  await view.click('#add-step');
  await view.waitFor(() => view.find('#home-total')?.text === '3');
  await view.click('#stepper button[lv-click=smaller]');
  await view.click('#add-step');
  await view.waitFor(() => view.find('#home-total')?.text === '5');
  t.equal(view.find('#step')?.text, '2', 'the parent\'s render leaves the component alone');
  await view.reconnect();
  t.equal(view.find('#step')?.text, '2', 'its state is saved with the view\'s');
  t.equal(view.find('#home-total')?.text, '5');
  t.same(view.errors, []);
  await view.close();
});
