/**
 * No credential ever reaches a log line (issue 10, finding 8): session ids, join tokens, cookies
 * and Authorization headers. Every provocation below writes log lines (each is checked to have
 * happened, so the test cannot pass by logging nothing); none of them may contain a secret.
 */
import http from 'node:http';
import t from 'tap';
import { sessionTag } from '../../server/session/index.ts';
import type { SessionData, SessionStore } from '../../server/session/index.ts';
import { deleteKeys, sharedConnection, uniqueTenant } from '../redis/shared-redis.ts';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer, trySocket } from './harness.ts';

/**
 * Sessions read from Redis under a key naming the id, as any Redis-backed store keeps them; a
 * real ioredis error from it carries the key — and so the id — in `command.args`.
 */
class KeyedRedisSessions implements SessionStore {
  readonly redis: ReturnType<typeof sharedConnection>;
  readonly prefix: string;
  constructor(redis: ReturnType<typeof sharedConnection>, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }
  key(id: string): string { return `${this.prefix}:${id}`; }
  async get(id: string): Promise<SessionData | undefined> {
    const json = await this.redis.getex(this.key(id), 'EX', 60);
    return json === null ? undefined : (JSON.parse(json) as SessionData);
  }
  async set(id: string, data: SessionData): Promise<void> { await this.redis.set(this.key(id), JSON.stringify(data), 'EX', 60); }
  async delete(id: string): Promise<void> { await this.redis.del(this.key(id)); }
  async close(): Promise<void> {}
}

interface LogLine { level: number; msg: string; session?: string; err?: { message?: string; command?: { name?: string; args?: unknown } } }

t.test('credentials never appear in logs, whatever goes wrong', async (t) => {
  const raw: string[] = [];
  const redis = sharedConnection(t, 'log-redaction');
  const sessions = new KeyedRedisSessions(redis, uniqueTenant('log-redaction'));
  t.teardown(() => deleteKeys(redis, `${sessions.prefix}:*`));
  const s = await startServer({
    routes,
    logLevel: 'debug', // request logging on: the most a deployment would ever log
    sessionStore: sessions,
    logStream: { write: (line) => { raw.push(line); } },
  });
  t.teardown(() => s.close());
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const BEARER = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlcg.c2lnbmF0dXJlLXZhbHVl';

  const page = await getPage(s.url, '/counter');
  const sid = page.cookie.split('=')[1]!;
  const secrets = [sid, page.token, BEARER];
  const client = await LiveClient.open(s.url, { cookie: page.cookie, headers: { authorization: `Bearer ${BEARER}` } });
  t.teardown(() => client.close());
  const joined = await client.join(1, page.view, page.token);
  secrets.push((joined[4] as { t: string }).t);
  const nextErrorCode = () => client.nextErrorCode();

  t.test('a handler that throws', async (t) => {
    client.send([2, 'e', client.nextRef(), 1, 'boom', {}]);
    t.equal(await nextErrorCode(), 'LV_HANDLER_FAILED');
    const line = lines().find((line) => / failed: LV_HANDLER_FAILED$/.test(line.msg));
    t.ok(line, 'the error is logged');
    t.equal(line?.session, sessionTag(sid), 'naming the session by its one-way tag');
  });

  t.test('joins with a forged token and with a token from another session', async (t) => {
    client.send([2, 'j', client.nextRef(), 2, page.view, page.token.slice(0, -4) + 'AAAA']);
    t.equal(await nextErrorCode(), 'LV_TOKEN_INVALID');
    const other = await getPage(s.url, '/counter');
    secrets.push(other.cookie.split('=')[1]!, other.token);
    client.send([2, 'j', client.nextRef(), 3, other.view, other.token]);
    t.equal(await nextErrorCode(), 'LV_TOKEN_INVALID');
  });

  t.test('an upgrade and a page render that fail in the session store (a Redis error carrying the key)', async (t) => {
    // Make the session's key the wrong type: Redis answers WRONGTYPE, and ioredis's ReplyError
    // carries the command's arguments — the key, with the session id in it.
    await redis.del(sessions.key(sid)); // the page stored the session (a string) when it issued the id
    await redis.hset(sessions.key(sid), 'x', '1');
    const before = raw.length;
    t.same(await trySocket(s.url, { cookie: page.cookie, authorization: `Bearer ${BEARER}` }), { status: 500, code: 'LV_INTERNAL' }, 'the socket is refused (error frame, close 4500)');
    const upgrade = lines().slice(before).find((line) => line.msg === 'live socket identity failed');
    t.ok(upgrade, 'the upgrade failure is logged');
    t.equal(upgrade?.err?.command?.name, 'getex', 'with the Redis command named');
    t.equal(upgrade?.err?.command?.args, '[redacted]', 'and its arguments redacted');
    const broken = await getPage(s.url, '/counter', page.cookie);
    t.equal(broken.status, 500, 'the page fails too');
    t.ok(lines().slice(before).some((line) => line.level >= 50 && line.err?.command?.name === 'getex'), 'and its error is logged');
  });

  t.test('request logging with Cookie and Authorization headers', async (t) => {
    const before = raw.length;
    await new Promise<void>((resolve, reject) => {
      http.get(`${s.url}/counter`, { headers: { cookie: page.cookie, authorization: `Bearer ${BEARER}` } }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    t.ok(lines().slice(before).some((line) => line.msg === 'incoming request'), 'requests are logged at debug');
  });

  t.test('an app that logs headers or quotes them in an error', async (t) => {
    const log = s.server.app.log;
    const headers = { cookie: page.cookie, authorization: `Bearer ${BEARER}`, 'set-cookie': page.cookie, host: 'example.test' };
    const before = raw.length;
    log.info({ req: { headers } }, 'request headers');
    log.info({ headers }, 'bare headers');
    log.info({ upstream: { headers } }, 'nested headers');
    log.error({ err: new Error(`refused request with Cookie: ${page.cookie}; theme=dark and Authorization: Bearer ${BEARER}`) }, 'app error');
    const added = raw.slice(before).join('\n');
    t.equal(raw.length - before, 4, 'all four lines were written');
    t.match(added, /example\.test/, 'harmless headers stay');
    t.match(added, /theme=dark/, 'other cookies in text stay');
  });

  t.test('no secret appears in any line', async (t) => {
    const all = raw.join('\n');
    t.ok(raw.length > 10, `${raw.length} lines were logged`);
    for (const secret of secrets) t.notOk(all.includes(secret), `${secret.slice(0, 12)}… is not logged`);
  });
});
