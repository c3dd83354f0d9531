/**
 * Async work (docs/views.md, "Async work"; D54): `assignAsync` and `startAsync` run outside the
 * view's mailbox, the view keeps handling events, the outcome is applied in order through the
 * mailbox, failures are reported like handler failures, and leaving aborts the work and drops
 * its outcome.
 */
import t from 'tap';
import type { LiveryEntityManager } from '../../server/data/index.ts';
import { createTestApp } from '../../server/testing/index.ts';
import { ASYNC_WORK } from '../../server/view/async-result.ts';
import { DATA, LiveView } from '../../server/view/live-view.ts';
import { Deferred, formsApp, work } from './fixtures/views.ts';

const app = await createTestApp(
  formsApp,
  { options: { state: { maxBytes: 2048 } } },
);
t.teardown(() => app.close());

t.beforeEach(() => {
  work.next = undefined;
  work.signals.length = 0;
  work.outcomes.length = 0;
});

t.test('loading, then ok with the result; events are handled while the work runs', async (t) => {
  const slow = (work.next = new Deferred());
  const view = await app.mount('/stats');
  t.equal(view.find('.loading')?.text, 'Loading…', 'the join shows the key loading');
  await view.event('click');
  await view.event('click');
  t.equal(view.find('#clicks')?.text, '2', 'the view answered events while its work ran');
  t.equal(view.find('.loading')?.text, 'Loading…');
  slow.resolve({ total: 3 });
  await view.awaitAsync();
  t.equal(view.find('#total')?.text, '3');
  t.equal(view.find('.loading'), null);
  t.same(view.errors, []);
  await view.close();
});

t.test('loading again keeps the last result; starting the same key again aborts and drops the older work', async (t) => {
  const view = await app.mount('/stats');
  await view.awaitAsync();
  t.equal(view.find('#total')?.text, '7');
  const older = (work.next = new Deferred());
  await view.event('reload');
  t.equal(view.find('.loading')?.text, 'Loading…');
  t.equal(view.find('#total')?.text, '7', 'the last result stays while it loads again');
  const newer = (work.next = new Deferred());
  await view.event('reload');
  t.equal(work.signals.at(-2)?.aborted, true, 'the older work was aborted');
  older.resolve({ total: 100 });
  newer.resolve({ total: 8 });
  await view.awaitAsync();
  t.equal(view.find('#total')?.text, '8', 'only the newest outcome is applied');
  await view.close();
});

t.test('failed work: `failed` holds the code, the last result stays, and it is reported like a failed handler', async (t) => {
  const view = await app.mount('/stats');
  await view.awaitAsync();
  const failing = (work.next = new Deferred());
  await view.event('reload');
  failing.reject(new Error('database down'));
  await view.awaitAsync();
  t.equal(view.find('#failed')?.text, 'LV_ASYNC_FAILED');
  t.equal(view.find('#total')?.text, '7', 'the last good result is still there');
  t.equal(view.find('.loading'), null, 'not loading any more');
  t.same(view.errors.map((e) => [e.code, e.ref]), [['LV_ASYNC_FAILED', 0]], 'an error frame, as for a failed tick');
  const line = app.logs.find((l) => l.code === 'LV_ASYNC_FAILED');
  t.equal(line?.handler, 'assignAsync(stats)', 'logged with the view and the work');
  t.match((line?.err as { message?: string })?.message, 'database down');

  const again = (work.next = new Deferred());
  await view.event('reload');
  again.resolve({ total: 9 });
  await view.awaitAsync();
  t.equal(view.find('#failed'), null, 'a later success clears the failure');
  t.equal(view.find('#total')?.text, '9');
  await view.close();
});

t.test('several keys at once; a missing key fails them all', async (t) => {
  const view = await app.mount('/stats');
  await view.event('both');
  await view.awaitAsync();
  t.equal(view.find('#ab')?.text.trim(), '1 two');
  await view.event('bothMissing');
  await view.awaitAsync();
  t.equal(view.find('#ab')?.text.trim(), '1 two LV_ASYNC_FAILED LV_ASYNC_FAILED');
  t.match(view.errors.at(-1), { code: 'LV_ASYNC_FAILED', ref: 0 });
  await view.close();
});

t.test('a result that would make the state too large fails the key instead of loading forever', async (t) => {
  const view = await app.mount('/stats');
  await view.event('big');
  await view.awaitAsync();
  t.equal(view.find('#big')?.text.trim(), 'LV_STATE_OVER_LIMIT', 'failed, not loading');
  t.same(view.errors.map((e) => e.code), ['LV_STATE_OVER_LIMIT'], 'reported once');
  await view.close();
});

t.test('startAsync hands the outcome to handleAsync; a throwing handleAsync is rolled back', async (t) => {
  const view = await app.mount('/stats');
  await view.event('start');
  await view.awaitAsync();
  t.equal(view.find('#handled')?.text, 'count: 42');
  t.same(work.outcomes, [{ ok: true, result: 42 }]);
  await view.event('startThrowing');
  await view.awaitAsync();
  t.equal(view.find('#handled')?.text, 'count: 42', 'its write was undone');
  t.match(view.errors.at(-1), { code: 'LV_HANDLER_FAILED', ref: 0 });
  t.ok(app.logs.some((l) => l.handler === 'handleAsync(throwing)'), 'logged under handleAsync');
  await view.close();
});

t.test('startAsync without handleAsync, and async work before the view is live, are refused', async (t) => {
  const view = await app.mount('/unhandled');
  await view.event('start');
  t.same(view.errors.map((e) => e.code), ['LV_ASYNC_UNHANDLED']);
  await view.close();
  const page = await fetch(`${app.url}/early`);
  t.equal(page.status, 500, 'assignAsync in mount fails the page');
  t.ok(app.logs.some((l) => JSON.stringify(l).includes('LV_VIEW_NOT_LIVE')), 'with LV_VIEW_NOT_LIVE in the log');
});

t.test('leaving aborts the work and drops its outcome', async (t) => {
  const slow = (work.next = new Deferred());
  const view = await app.mount('/stats');
  const signal = work.signals.at(-1)!;
  const logged = app.logs.length;
  await view.close();
  t.equal(signal.aborted, true, 'the work was aborted when the view left');
  slow.resolve({ total: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  t.same(app.logs.slice(logged).filter((l) => (l.level as number) >= 40), [], 'the late outcome was dropped without an error');
});

t.test('this.db inside async work is a fork of its own, kept across its awaits', async (t) => {
  class Probe extends LiveView<object> {
    static template = 'stats.html';
    mount() {
      return {};
    }
  }
  const view = new Probe();
  let forks = 0;
  view[DATA] = { forEvent: () => ({ fork: ++forks }) as unknown as LiveryEntityManager };
  const handlers = view.db;
  const [before, after] = await ASYNC_WORK.run({ view }, async () => {
    const first = view.db;
    await new Promise((resolve) => setImmediate(resolve));
    return [first, view.db];
  });
  t.not(before, handlers, 'not the handler\'s EntityManager');
  t.equal(after, before, 'the same one after an await');
  t.equal(view.db, handlers, 'the handler keeps its own');
  t.equal(forks, 2);
});
