/**
 * The test client under Node's own runner (`node:test`), as an app that does not use tap would
 * write its tests. tap runs this file too: node:test reports in TAP when its output is piped.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, mountView, type TestApp } from '../../server/testing/index.ts';
import { fixtureApp } from './fixtures/views.ts';

let app: TestApp;
before(async () => { app = await createTestApp(fixtureApp); });
after(() => app.close());

test('a click reaches the handler and the merged HTML shows it', async () => {
  const view = await app.mount('/form');
  await view.click('button[lv-click=pick]');
  assert.deepEqual(JSON.parse(view.find('#last')!.text), { event: 'pick', payload: { id: '7' } });
  await view.close();
});

test('ticks under node:test', async () => {
  const view = await app.mount('/ticks');
  await view.tick();
  assert.equal(view.find('#n')?.text, '1');
  await view.close();
});

test('mountView alone', async () => {
  const view = await mountView(fixtureApp, '/form', { session: { userId: 'road-runner' } });
  assert.equal(view.find('#who')?.text.trim(), 'road-runner');
  await view.close();
});
