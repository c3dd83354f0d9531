/**
 * A text frame that is not UTF-8 (issue 10, finding 14).
 *
 * uWebSockets.js validates text frames itself and drops the connection before Livery's
 * `message` handler sees the frame — RFC 6455 §8.1 requires failing the connection, and uWS has
 * no option to pass such a frame on. So what Livery can promise, and what this test holds it to:
 * the operator gets a log line with `LV_FRAME_MALFORMED` (the client cannot be answered), the
 * view's acknowledged state survives and resumes on the next socket, bystanders are unaffected,
 * and Livery's own client never sends such a frame (JSON.stringify escapes lone surrogates).
 */
import t from 'tap';
import { MemorySessionStore, type SessionData } from '../../server/session/index.ts';
import { routes } from './fixtures/views.ts';
import { getPage, LiveClient, startServer } from './harness.ts';

interface LogLine { level: number; msg: string; code?: string; session?: string }

t.test('invalid UTF-8 in a text frame: logged with LV_FRAME_MALFORMED, state kept, others served', async (t) => {
  const lines: LogLine[] = [];
  const logged = new Set<(line: LogLine) => void>();
  const s = await startServer({
    routes,
    logLevel: 'info',
    logStream: { write: (text) => { const line = JSON.parse(text) as LogLine; lines.push(line); for (const f of logged) f(line); } },
  });
  t.teardown(() => s.close());
  // A log line matching `test`, or a rejection after 5 s (a test bound, not a timing assertion).
  const nextLog = (test: (line: LogLine) => boolean) => new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => { logged.delete(f); reject(new Error('no such log line within 5 s')); }, 5000);
    const f = (line: LogLine) => { if (test(line)) { clearTimeout(timer); logged.delete(f); resolve(line); } };
    logged.add(f);
  });

  const other = await getPage(s.url, '/counter');
  const bystander = await LiveClient.open(s.url, { cookie: other.cookie });
  t.teardown(() => bystander.close());
  await bystander.join(1, other.view, other.token);

  const page = await getPage(s.url, '/counter');
  const attacker = await LiveClient.open(s.url, { cookie: page.cookie });
  const joined = await attacker.join(1, page.view, page.token);
  const token = (joined[4] as { t: string }).t;
  t.same(await attacker.event(1, 'inc'), [2, 'r', 2, 1, { 0: '1' }], 'an acknowledged increment');

  t.test('Livery\'s client path never produces such a frame: a lone surrogate travels escaped', async (t) => {
    const frame = JSON.stringify([2, 'e', attacker.nextRef(), 1, 'nope\ud800', {}]);
    t.ok(Buffer.from(frame).toString() === frame && !/[\ud800-\udfff]/.test(frame), 'JSON.stringify escapes it to ASCII');
    attacker.sendRaw(frame);
    const reply = await attacker.next();
    t.same([reply[1], reply[4]], ['x', 'LV_EVENT_UNKNOWN'], 'answered like any other frame');
  });

  t.test('the attack: a text frame of invalid UTF-8 bytes', async (t) => {
    const warned = nextLog((line) => /not valid UTF-8/.test(line.msg));
    attacker.ws.send(Buffer.from([0x5b, 0x31, 0x2c, 0xff, 0xfe, 0x5d]), { binary: false });
    const code = await attacker.closed;
    t.equal(code, 1006, 'uWS drops the connection without a close frame (documented in docs/security.md)');
    const line = await warned;
    t.equal(line.code, 'LV_FRAME_MALFORMED', 'the operator sees the registry code');
    t.equal(line.level, 40, 'at warn: a client\'s fault, not the server\'s');
    t.notOk('payload' in line || 'frame' in line || JSON.stringify(line).includes('\ufffd'), 'without the frame\'s bytes');
    t.match(line.session, /^[\w-]{16}$/, 'naming the session by its tag');
    t.notOk(JSON.stringify(line).includes(page.cookie.split('=')[1]!), 'not by its id');
  });

  t.test('a fragmented one too', async (t) => {
    const page2 = await getPage(s.url, '/counter');
    const client = await LiveClient.open(s.url, { cookie: page2.cookie });
    await client.join(1, page2.view, page2.token);
    const before = lines.filter((line) => line.code === 'LV_FRAME_MALFORMED').length;
    const warned = nextLog((line) => line.code === 'LV_FRAME_MALFORMED');
    client.ws.send(Buffer.from('[2,"e",'), { binary: false, fin: false });
    client.ws.send(Buffer.from([0xc0, 0xaf]), { fin: true });
    t.equal(await client.closed, 1006);
    await warned;
    t.equal(lines.filter((line) => line.code === 'LV_FRAME_MALFORMED').length, before + 1, 'logged once');
  });

  t.test('the acknowledged state survives and resumes on a new socket', async (t) => {
    const again = await LiveClient.open(s.url, { cookie: page.cookie });
    t.teardown(() => again.close());
    const rejoined = await again.join(1, page.view, token);
    t.equal((rejoined[4] as Record<string, unknown>)['0'], '1', 'count resumed at 1');
  });

  t.test('the bystander never noticed', async (t) => {
    t.same(await bystander.event(1, 'inc'), [2, 'r', 2, 1, { 0: '1' }]);
  });
});

t.test('invalid UTF-8 before the socket\'s identity settled: logged all the same', async (t) => {
  // A session store whose lookups can be held: the socket's identity then stays unsettled.
  let hold: Promise<void> | undefined;
  let release = () => {};
  class HeldSessions extends MemorySessionStore {
    override async get(id: string): Promise<SessionData | undefined> {
      await hold;
      return super.get(id);
    }
  }
  const lines: LogLine[] = [];
  const s = await startServer({
    routes,
    sessionStore: new HeldSessions({ ttlSeconds: 60, maxEntries: 100 }),
    logLevel: 'warn',
    logStream: { write: (text) => void lines.push(JSON.parse(text) as LogLine) },
  });
  t.teardown(() => s.close());
  const page = await getPage(s.url, '/counter');
  hold = new Promise((resolve) => { release = resolve; });
  const client = await LiveClient.open(s.url, { cookie: page.cookie });
  client.ws.send(Buffer.from([0x5b, 0xff, 0x5d]), { binary: false });
  t.equal(await client.closed, 1006);
  release();
  t.same(lines.filter((line) => line.code === 'LV_FRAME_MALFORMED').map((line) => line.level), [40], 'one warning with the code');

  const again = await LiveClient.open(s.url, { cookie: page.cookie });
  t.teardown(() => again.close());
  t.equal((await again.join(1, page.view, page.token))[1], 'r', 'and the next socket of that session is served');
});
