/**
 * server/view/page.ts: the URLs an app hands to pushPatch / pushNavigate / redirect and the ones a
 * client sends in frames, the params a URL gives a view, and a view's page record (title, flash,
 * intents) with its undo.
 */
import t from 'tap';
import { LiveryError } from '../../server/errors.ts';
import { checkFrameUrl, PageRecord, paramsOf, resolveAppUrl } from '../../server/view/page.ts';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof LiveryError ? error.code : 'not a LiveryError';
  }
};

t.test('app URLs resolve against the page, as a link would', async (t) => {
  t.same(resolveAppUrl('?page=2', '/items?page=1'), { local: true, to: '/items?page=2', path: '/items?page=2' });
  t.same(resolveAppUrl('../items', '/t/acme/items/3'), { local: true, to: '/t/acme/items', path: '/t/acme/items' });
  t.same(resolveAppUrl('3#top', '/items/'), { local: true, to: '/items/3#top', path: '/items/3' });
  t.same(resolveAppUrl('?', '/search?q=x'), { local: true, to: '/search', path: '/search' }, 'an empty query drops it');
  t.same(resolveAppUrl('https://example.com/a?b', '/x'), { local: false, to: 'https://example.com/a?b' });
});

t.test('hostile app URLs throw LV_NAV_URL_INVALID: a user-supplied URL cannot become script or leave by a trick', async (t) => {
  for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.example/x', '/\\evil.example',
    '\\\\evil.example', 'java\nscript:alert(1)', ' /x', '/x\t', '', 42]) {
    t.equal(code(() => resolveAppUrl(url, '/items')), 'LV_NAV_URL_INVALID', JSON.stringify(url));
  }
});

t.test('frame URLs: a path and query on this site only', async (t) => {
  t.same(checkFrameUrl('/items?page=2', 2048), { path: '/items?page=2' });
  t.same(checkFrameUrl('/', 2048), { path: '/' });
  for (const url of ['http://evil.example/', 'https://127.0.0.1/items', '//evil.example', '/\\evil', 'javascript:alert(1)', 'items', '/a b', '/a#b', '/a\u0000', 42, undefined]) {
    t.equal((checkFrameUrl(url, 2048) as { code?: string }).code, 'LV_NAV_URL_INVALID', JSON.stringify(url));
  }
  t.equal((checkFrameUrl('/' + 'x'.repeat(2048), 2048) as { code?: string }).code, 'LV_NAV_URL_TOO_LONG');
});

t.test('params: the query\'s first values, path params over them, no prototype games', async (t) => {
  t.same(paramsOf('/items/3?id=9&sort=name&sort=id', { id: '3' }), { id: '3', sort: 'name' });
  const params = paramsOf('/x?__proto__=polluted&constructor=c', {});
  t.equal(Object.getPrototypeOf(params), Object.prototype, 'a plain object');
  t.equal(params.__proto__ as unknown, 'polluted', 'the name is an own key, not the prototype');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('the page record: title and flash changes, kept or undone with the handler', async (t) => {
  const page = new PageRecord();
  page.setTitle('One');
  t.ok(page.titleChanged);
  page.titleChanged = false;
  page.setTitle('One');
  t.notOk(page.titleChanged, 'the same title is no change');
  page.setFlash('info', 'Saved');
  t.same(page.takeFlashChanges(), { info: 'Saved' });
  t.same(page.carried, { info: 'Saved' }, 'set while showing: carried to the next page');
  page.begin();
  page.setFlash('error', 'Oops');
  page.intent = { kind: 'patch', to: '/x', replace: false };
  page.setTitle('Two');
  page.rollback();
  t.same(page.flash, { info: 'Saved' });
  t.equal(page.intent, undefined);
  t.equal(page.title, 'One');
  t.equal(page.takeFlashChanges(), undefined);
  t.equal(code(() => page.setFlash('warning', 'x')), 'LV_FLASH_INVALID');
  t.equal(code(() => page.setFlash('info', 'x'.repeat(1001))), 'LV_FLASH_INVALID');
  t.equal(code(() => page.setTitle(3 as unknown as string)), 'LV_NAV_TITLE_INVALID');
  const opening = new PageRecord();
  opening.opening = true;
  opening.arrive({ error: 'From before' });
  opening.setFlash('info', 'Welcome');
  t.same(opening.flash, { error: 'From before', info: 'Welcome' });
  t.same(opening.carried, {}, 'messages that came with the page, or were set while it opened, are not carried');
});
