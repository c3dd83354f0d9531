/**
 * Every log line about a request or a socket says which one (`reqId`, `socketId`), for which
 * tenant and — where there is one — which view; and none carries a credential. The provocations
 * are the error paths an operator reads logs for: forged and foreign join tokens, made-up and
 * malformed session cookies, handlers and joins that fail, a join that times out, a page that
 * fails to render, all sent with Cookie and Authorization headers, with request logging on.
 * Each kind of line is checked to have been written, so the test cannot pass by logging nothing.
 */
import http from 'node:http';
import t from 'tap';
import { LiveView, route } from '../../server/index.ts';
import { sessionTag } from '../../server/session/index.ts';
import { seedTestData } from '../data/fixtures/seed.ts';
import { pgliteFactory } from '../data/fixtures.ts';
import { routes as fixtureRoutes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer, trySocket } from './harness.ts';

class FailingJoinView extends LiveView<{ log: string[] }> {
  static template = 'log.html';
  mount() { return { log: [] as string[] }; }
  onJoin() { throw new Error('onJoin exploded'); }
}

class SlowJoinView extends LiveView<{ log: string[] }> {
  static template = 'log.html';
  mount() { return { log: [] as string[] }; }
  async onJoin() { await new Promise((resolve) => setTimeout(resolve, 1500)); }
}

class BrokenPageView extends LiveView<{ log: string[] }> {
  static template = 'log.html';
  mount(): { log: string[] } { throw new Error('mount exploded'); }
}

const routes = [...fixtureRoutes, route('/failing-join', FailingJoinView), route('/slow-join', SlowJoinView), route('/broken', BrokenPageView)];

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  socketId?: string;
  tenant?: string;
  view?: string;
  session?: string;
  res?: { statusCode?: number };
}

const BEARER = 'eyJhbGciOiJIUzI1NiJ9.bG9nLWNvbnRleHQ.c2lnbmF0dXJlLXZhbHVlLTI';

function get(url: string, headers: Record<string, string>): Promise<{ status: number; setCookie: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, setCookie: response.headers['set-cookie']?.[0] }));
    }).on('error', reject);
  });
}

t.test('log lines name their request or socket, tenant and view, and no credential', async (t) => {
  const fixture = await pgliteFactory();
  t.teardown(() => fixture.cleanup());
  await seedTestData(fixture.db);
  const raw: string[] = [];
  const s = await startServer({
    routes,
    database: fixture.db,
    tenancy: { resolver: 'subdomain', mainDomain: 'localhost' },
    logLevel: 'debug', // request logging on: the most a deployment would ever log
    socket: { joinTimeoutMs: 300 },
    logStream: { write: (line) => { raw.push(line); } },
  });
  t.teardown(() => s.close());
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const host = `acme.localhost:${s.port}`;
  const secrets: string[] = [BEARER];
  const auth = { authorization: `Bearer ${BEARER}` };

  // A page with Cookie and Authorization headers: both request lines name the request; the
  // completed one names the tenant and view too.
  const page = await getPage(s.url, '/counter', undefined, host);
  const sid = page.cookie.split('=')[1]!;
  secrets.push(sid, page.token);
  const before = raw.length;
  t.equal((await get(`${s.url}/counter`, { host, cookie: `${page.cookie}; theme=dark`, ...auth })).status, 200);
  const requestLines = lines().slice(before);
  const incoming = requestLines.find((l) => l.msg === 'incoming request');
  const completed = requestLines.find((l) => l.msg === 'request completed');
  t.ok(incoming?.reqId, 'the incoming request line names the request');
  t.match(completed, { reqId: incoming?.reqId, tenant: 'acme', view: 'CounterView' }, 'the completed line names request, tenant and view');

  t.test('a page that fails to render', async (t) => {
    const mark = raw.length;
    t.equal((await get(`${s.url}/broken`, { host, cookie: page.cookie, ...auth })).status, 500);
    const failed = lines().slice(mark).find((l) => l.msg === 'page render failed');
    t.match(failed, { level: 50, tenant: 'acme', view: 'BrokenPageView' }, 'logged with tenant and view');
    t.ok(failed?.reqId, 'and the request id');
  });

  t.test('a made-up session cookie on a page and on a socket', async (t) => {
    const madeUp = 'Z'.repeat(43);
    secrets.push(madeUp);
    const fresh = await get(`${s.url}/counter`, { host, cookie: `lv_sid=${madeUp}`, ...auth });
    t.equal(fresh.status, 200, 'the page is served with a fresh session');
    secrets.push(fresh.setCookie!.split(';')[0]!.split('=')[1]!);
    t.same(await trySocket(s.url, { host, cookie: `lv_sid=${madeUp}`, ...auth }), { status: 401, code: 'LV_SESSION_UNKNOWN' });
    t.same(await trySocket(s.url, { host, cookie: 'lv_sid=not a session; lv_other=secretish', ...auth }), { status: 401, code: 'LV_SESSION_UNKNOWN' });
  });

  const client = await LiveClient.open(s.url, { cookie: page.cookie, host, headers: auth });
  t.teardown(() => client.close());
  const joined = await client.join(1, page.view, page.token);
  secrets.push((joined[4] as { t: string }).t);
  const nextError = () => client.nextErrorCode();

  t.test('forged and foreign join tokens', async (t) => {
    client.send([2, 'j', client.nextRef(), 2, page.view, page.token.slice(0, -4) + 'AAAA']);
    t.equal(await nextError(), 'LV_TOKEN_INVALID');
    const other = await getPage(s.url, '/counter', undefined, host);
    secrets.push(other.cookie.split('=')[1]!, other.token);
    client.send([2, 'j', client.nextRef(), 3, other.view, other.token]);
    t.equal(await nextError(), 'LV_TOKEN_INVALID');
  });

  t.test('a handler that throws', async (t) => {
    const mark = raw.length;
    client.send([2, 'e', client.nextRef(), 1, 'boom', {}]);
    t.equal(await nextError(), 'LV_HANDLER_FAILED');
    const line = lines().slice(mark).find((l) => / failed: LV_HANDLER_FAILED$/.test(l.msg));
    t.match(line, { tenant: 'acme', view: 'CounterView', socketId: /^ws-/, session: sessionTag(sid) }, 'tenant, view, socket and the session\'s one-way tag');
  });

  t.test('a join that fails and a join that times out', async (t) => {
    const failing = await getPage(s.url, '/failing-join', page.cookie, host);
    const slow = await getPage(s.url, '/slow-join', page.cookie, host);
    secrets.push(failing.token, slow.token);
    const mark = raw.length;
    client.send([2, 'j', client.nextRef(), 4, failing.view, failing.token]);
    t.equal(await nextError(), 'LV_MOUNT_FAILED');
    const failed = lines().slice(mark).find((l) => l.msg === 'join failed');
    t.match(failed, { tenant: 'acme', view: 'FailingJoinView', socketId: /^ws-/ }, 'the failed join names tenant, view and socket');
    const other = await LiveClient.open(s.url, { cookie: page.cookie, host, headers: auth });
    other.send([2, 'j', other.nextRef(), 1, slow.view, slow.token]);
    t.equal((await other.next())[4], 'LV_JOIN_TIMEOUT');
    await other.closed;
    const late = lines().slice(mark).find((l) => l.msg === 'join timed out');
    t.match(late, { tenant: 'acme', view: 'SlowJoinView', socketId: /^ws-/ }, 'the timed-out join too');
    t.not(late?.socketId, failed?.socketId, 'each socket has its own id');
  });

  t.test('every line about a socket or a request says which, and no secret appears anywhere', async (t) => {
    await client.close();
    const all = lines();
    t.ok(all.length > 10, `${all.length} lines were logged`);
    const about = all.filter((l) => l.reqId !== undefined || l.socketId !== undefined);
    t.ok(about.some((l) => l.socketId !== undefined) && about.some((l) => l.reqId !== undefined), 'lines about sockets and requests both');
    for (const line of all.filter((l) => l.socketId !== undefined && l.level >= 40)) {
      t.equal(line.tenant, 'acme', `"${line.msg}" names the tenant`);
    }
    const text = raw.join('\n');
    for (const secret of secrets) t.notOk(text.includes(secret), `${secret.slice(0, 12)}… is not logged`);
    t.match(text, /theme=dark|"reqId"/, 'harmless values may appear');
  });
});
