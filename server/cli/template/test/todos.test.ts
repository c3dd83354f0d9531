import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountView } from 'livery/testing';
import app from '../app.ts';

test('adding a todo shows it in the list', async () => {
  const view = await mountView(app, '/todos', { tenant: 'acme' });
  try {
    await view.submit('form', { title: 'Write the first test' });
    assert.match(view.html(), /Write the first test/);
  } finally {
    await view.close();
  }
});
