/**
 * Regression: the first paint saved the mounted state without the size bound every later save
 * checks, so a view could start with a state it could never save again.
 */
import t from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { getPage, startServer } from './harness.ts';

class BigView extends LiveView<{ blob: string }> {
  static template = 'counter.html';
  mount() { return { blob: 'x'.repeat(2000), count: 0 }; }
}

t.test('the first paint refuses a state over state.maxBytes, like every other save', async (t) => {
  const s = await startServer({ routes: [route('/big', BigView)], state: { maxBytes: 1024 } });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/big');
  t.equal(page.status, 500);
  t.match(page.html, 'LV_STATE_OVER_LIMIT');
  t.equal(page.token, '', 'no live view container');
});
