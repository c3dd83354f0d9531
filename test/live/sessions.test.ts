/**
 * Session fixation (issue 10, finding 4): the server issues every session id, an id it does not
 * hold is replaced on a page and refused on a socket, and an app rotates the id at sign-in so an
 * id known before (planted by an attacker) is worth nothing after.
 */
import Fastify from 'fastify';
import t from 'tap';
import { livery, serverFactory } from '../../server/index.ts';
import { newSessionId } from '../../server/session/index.ts';
import { routes } from './fixtures/views.ts';
import { FIXTURE_TEMPLATES, getPage, httpGet, LiveClient, startServer, trySocket } from './harness.ts';

t.test('an attacker-chosen session cookie is replaced, not adopted', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  const chosen = `lv_sid=${newSessionId()}`; // well-formed, but never issued by this server
  const page = await getPage(s.url, '/counter', chosen);
  t.equal(page.status, 200);
  t.not(page.cookie, chosen, 'the page sets a fresh, server-issued session cookie');
  t.equal(await s.server.app.livery.sessions.get(chosen.slice('lv_sid='.length)), undefined, 'the chosen id was not stored');

  const again = await httpGet(`${s.url}/counter`, { cookie: page.cookie });
  t.equal(again.setCookie, undefined, 'the issued id is kept on the next page');

  t.same(await trySocket(s.url, { cookie: chosen }), { status: 401, code: 'LV_SESSION_UNKNOWN' },
    'a socket presenting the chosen id is refused (error frame, close 4401)');
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => client.close());
  t.equal((await client.join(1, page.view, page.token))[1], 'r', 'the issued session joins its page');
});

t.test('a socket with an unknown or malformed session cookie is refused; one without a cookie is anonymous', async (t) => {
  const s = await startServer({ routes });
  t.teardown(() => s.close());
  t.same(await trySocket(s.url, { cookie: `lv_sid=${newSessionId()}` }), { status: 401, code: 'LV_SESSION_UNKNOWN' });
  t.same(await trySocket(s.url, { cookie: 'lv_sid=not a session id' }), { status: 401, code: 'LV_SESSION_UNKNOWN' });
  t.same(await trySocket(s.url, {}), { status: 101, code: undefined });
});

t.test('rotateSession at sign-in: a new id carries the data, the old id and its join tokens stop working', async (t) => {
  const app = Fastify({ serverFactory });
  app.post('/sign-in', async (request, reply) => {
    await app.livery.rotateSession(request, reply, { userId: 'ada' });
    return 'signed in';
  });
  await app.register(livery, { routes, templatesDir: FIXTURE_TEMPLATES, logLevel: 'silent', secret: 'test-secret-test-secret-test-secret-0123' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  const before = await getPage(base, '/counter'); // the id an attacker could have planted or seen
  const oldId = before.cookie.slice('lv_sid='.length);
  await app.livery.sessions.set(oldId, { cart: ['tea'] });
  const response = await fetch(`${base}/sign-in`, { method: 'POST', headers: { cookie: before.cookie } });
  t.equal(response.status, 200);
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? '';
  t.match(cookie, /^lv_sid=/, 'sign-in sets a new session cookie');
  t.not(cookie, before.cookie, 'with a new id');
  t.same(await app.livery.sessions.get(cookie.slice('lv_sid='.length)), { cart: ['tea'], userId: 'ada' }, 'the session\'s data moved, with the user');
  t.equal(await app.livery.sessions.get(oldId), undefined, 'the old id is gone');

  t.same(await trySocket(base, { cookie: before.cookie }), { status: 401, code: 'LV_SESSION_UNKNOWN' }, 'a socket with the old id is refused');
  const client = await LiveClient.open(base, { cookie });
  t.teardown(() => client.close());
  const stale = await client.join(1, before.view, before.token);
  t.same(stale.slice(0, 5), [2, 'x', 1, 1, 'LV_TOKEN_INVALID'], 'a join token bound to the old id is refused on the new session');
  const page = await getPage(base, '/counter', cookie);
  t.equal((await client.join(2, page.view, page.token))[1], 'r', 'the new session\'s pages join');
  const reused = await getPage(base, '/counter', before.cookie);
  t.not(reused.cookie, before.cookie, 'a page presenting the old id gets a fresh one, not the old session back');
});
